import FuzzSupport
import RakisCore

/// Arbitrary bytes as a received packet: `Envelope.decode` accepts or rejects them, never
/// crashes, and what it accepts it accepts again as it would send it (its canonical wire bytes).
@_cdecl("FuzzEnvelope_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv) { bytes in
        guard let envelope = try? Envelope.decode(bytes) else { return }
        guard let again = try? Envelope.decode(envelope.wireBytes) else { preconditionFailure("an accepted envelope's wire bytes decode") }
        precondition(again.wireBytes == envelope.wireBytes, "decoding the wire bytes gives them back")
    }
}
