import FuzzSupport
import RakisChain

/// Arbitrary bytes as RLP: decoded (canonical items only) or refused; an accepted item encodes
/// back to exactly the bytes it came from.
@_cdecl("FuzzRLP_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv) { bytes in
        guard let item = try? RLPItem(decoding: bytes) else { return }
        precondition(item.encoded == bytes, "canonical RLP round-trips")
    }
}
