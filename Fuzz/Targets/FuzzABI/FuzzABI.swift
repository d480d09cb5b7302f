import FuzzSupport
import RakisChain

/// Arbitrary bytes as a contract's ABI-encoded answer, read as the oracle reads its logs and
/// calls (dynamic types, nested arrays, tuples): decoded or refused, and what is decoded
/// encodes back to values that decode the same.
@_cdecl("FuzzABI_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    let types: [ABIType] = [.uint(bits: 256), .address, .bool, .bytes, .string, .array(.tuple([.uint(bits: 8), .string])), .fixedBytes(32)]
    return FuzzDriver.run(argc, argv) { bytes in
        guard let values = try? ABI.decode(types, from: bytes) else { return }
        guard let encoded = try? ABI.encode(values, as: types), let again = try? ABI.decode(types, from: encoded) else {
            preconditionFailure("decoded values encode and decode again")
        }
        precondition(again == values, "ABI values round-trip")
    }
}
