import FuzzSupport
import RakisNetwork

/// Arbitrary bytes from a Nostr relay: a relay message (EVENT, OK, EOSE, NOTICE, CLOSED) is
/// parsed or refused.
@_cdecl("FuzzNostr_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv) { bytes in
        _ = try? NostrRelayMessage.parse(bytes)
    }
}
