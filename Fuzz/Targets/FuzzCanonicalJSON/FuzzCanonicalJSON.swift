import FuzzSupport
import RakisCore

/// Arbitrary bytes as JSON: the parser accepts or rejects them, never crashes, and re-encoding
/// what it accepted is stable: canonical bytes parse back to the same value and the same bytes.
@_cdecl("FuzzCanonicalJSON_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv) { bytes in
        guard let value = try? JSONParser.parse(bytes) else { return }
        let canonical = value.canonicalBytes()
        guard let again = try? JSONParser.parse(canonical) else { preconditionFailure("canonical bytes parse") }
        precondition(again == value && again.canonicalBytes() == canonical, "canonical JSON is a fixed point")
    }
}
