/// An in-memory JSON document.
///
/// Numbers are IEEE 754 doubles because that is the number model RFC 8785
/// canonicalization is defined over. Object member order is not kept: the
/// canonical form sorts keys, so insertion order carries no meaning.
///
/// Equality follows Swift's `String` equality, which treats canonically
/// equivalent strings (for example "é" precomposed and decomposed) as equal
/// even though their canonical JSON bytes differ. Compare `canonicalBytes()`
/// when byte identity matters.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

extension JSONValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) {
        self = .null
    }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) {
        self = .number(Double(value))
    }
}

extension JSONValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) {
        self = .number(value)
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

extension JSONValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: JSONValue...) {
        self = .array(elements)
    }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    /// Duplicate keys in a literal are a programming error and trap, matching
    /// Swift's own dictionary literals.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(uniqueKeysWithValues: elements))
    }
}
