/// One metadata value of a GGUF file, in the file's own type system.
public enum GGUFValue: Sendable, Equatable {
    case uint(UInt64, bits: Int)
    case int(Int64, bits: Int)
    case float(Double, bits: Int)
    case bool(Bool)
    case string(String)
    case array([GGUFValue])

    /// The GGUF name of the value's type, for error messages.
    public var typeName: String {
        switch self {
        case let .uint(_, bits): "uint\(bits)"
        case let .int(_, bits): "int\(bits)"
        case let .float(_, bits): "float\(bits)"
        case .bool: "bool"
        case .string: "string"
        case let .array(items): "array[\(items.count)]"
        }
    }

    /// The value as an integer, whatever its integer width (GGUF writers differ on widths).
    public var integer: Int? {
        switch self {
        case let .uint(value, _): value <= UInt64(Int.max) ? Int(value) : nil
        case let .int(value, _): Int(value)
        default: nil
        }
    }

    public var number: Double? {
        switch self {
        case let .float(value, _): value
        case let .uint(value, _): Double(value)
        case let .int(value, _): Double(value)
        default: nil
        }
    }

    public var string: String? {
        if case let .string(value) = self { value } else { nil }
    }

    public var bool: Bool? {
        if case let .bool(value) = self { value } else { nil }
    }

    public var array: [GGUFValue]? {
        if case let .array(items) = self { items } else { nil }
    }
}
