/// A value of an `ABIType`. Arrays of both kinds are `.array`; the type says which kind.
public indirect enum ABIValue: Sendable, Hashable {
    case uint(UInt256)
    case address(EthereumAddress)
    case bool(Bool)
    /// Exactly as many bytes as the `bytesN` type says.
    case fixedBytes([UInt8])
    case bytes([UInt8])
    case string(String)
    case array([ABIValue])
    case tuple([ABIValue])

    // Accessors for reading decoded values: nil when the value is of another kind.

    public var uintValue: UInt256? {
        if case .uint(let value) = self { value } else { nil }
    }

    public var addressValue: EthereumAddress? {
        if case .address(let value) = self { value } else { nil }
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    /// The bytes of a `bytes` or `bytesN` value.
    public var bytesValue: [UInt8]? {
        switch self {
        case .bytes(let value), .fixedBytes(let value): value
        default: nil
        }
    }

    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    /// The elements of an array or the members of a tuple.
    public var elements: [ABIValue]? {
        switch self {
        case .array(let values), .tuple(let values): values
        default: nil
        }
    }
}
