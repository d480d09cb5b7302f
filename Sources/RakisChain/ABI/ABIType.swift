/// A Solidity ABI type, as far as the oracle's calls and events need (no signed integers,
/// no fixed-point numbers, no function pointers).
public indirect enum ABIType: Sendable, Hashable {
    /// `uintN`, N a multiple of 8 from 8 to 256.
    case uint(bits: Int)
    case address
    case bool
    /// `bytesN`, N from 1 to 32.
    case fixedBytes(Int)
    case bytes
    case string
    /// `T[]`.
    case array(ABIType)
    /// `T[k]`.
    case fixedArray(ABIType, Int)
    /// `(T1,T2,...)`, a Solidity struct.
    case tuple([ABIType])

    /// The spelling used in function and event signatures, e.g. `(uint8,bytes32,bytes32)[]`.
    public var canonicalName: String {
        switch self {
        case .uint(let bits): "uint\(bits)"
        case .address: "address"
        case .bool: "bool"
        case .fixedBytes(let count): "bytes\(count)"
        case .bytes: "bytes"
        case .string: "string"
        case .array(let element): element.canonicalName + "[]"
        case .fixedArray(let element, let count): element.canonicalName + "[\(count)]"
        case .tuple(let members): "(" + members.map(\.canonicalName).joined(separator: ",") + ")"
        }
    }

    /// Dynamic values live in the tail and their head is an offset to them.
    var isDynamic: Bool {
        switch self {
        case .uint, .address, .bool, .fixedBytes: false
        case .bytes, .string, .array: true
        case .fixedArray(let element, _): element.isDynamic
        case .tuple(let members): members.contains { $0.isDynamic }
        }
    }

    /// Bytes the value takes in its enclosing head: inline size for static types, one offset
    /// word for dynamic ones.
    var headSize: Int {
        guard !isDynamic else { return 32 }
        switch self {
        case .fixedArray(let element, let count): return element.headSize * count
        case .tuple(let members): return members.reduce(0) { $0 + $1.headSize }
        default: return 32
        }
    }

    /// Whether the type's parameters are in range (`uint7` or `bytes33` do not exist).
    var isWellFormed: Bool {
        switch self {
        case .uint(let bits): bits % 8 == 0 && (8...256).contains(bits)
        case .fixedBytes(let count): (1...32).contains(count)
        case .address, .bool, .bytes, .string: true
        case .array(let element): element.isWellFormed
        case .fixedArray(let element, let count): count >= 0 && element.isWellFormed
        case .tuple(let members): members.allSatisfy(\.isWellFormed)
        }
    }
}
