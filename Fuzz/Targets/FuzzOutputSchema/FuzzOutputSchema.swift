import FuzzSupport
import RakisCore

/// Arbitrary bytes as a request's `format`: a schema is read or refused by name, never crashes
/// the reader; one that is read has a finite shortest output, and a value that validates has
/// leaves the consensus can take.
@_cdecl("FuzzOutputSchema_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv) { bytes in
        // The first line is the schema, the rest a value to validate against it.
        let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
        guard let json = try? JSONParser.parse(Array(bytes[..<newline])),
              let schema = try? OutputSchema(json: json, path: "format") else { return }
        precondition(schema.minimalOutputBytes > 0, "every output has a byte")
        guard newline < bytes.endIndex, let value = try? JSONParser.parse(Array(bytes[(newline + 1)...]), maxDepth: Limits.Schema.maxDepth),
              schema.validate(value) == nil else { return }
        _ = schema.leaves(of: value)
    }
}
