/// One node of a parsed output schema (`OutputSchema`): what a JSON value at that place must be.
public indirect enum SchemaNode: Sendable, Hashable {
    /// A closed object: exactly the listed properties may appear.
    case object(ObjectSchema)
    /// An object with free keys and values of any kind (`{"type":"object"}` without `properties`).
    case anyObject
    case string(StringSchema)
    /// An exact integer within its bounds and within ±(2^53 − 1).
    case integer(NumberBounds)
    case number(NumberBounds)
    case boolean
    case array(ArraySchema)
    /// Any JSON value (`{}`), nested no deeper than the output's depth limit.
    case anyValue

    /// Whether a value at this node is a free string, the one kind of leaf that carries a binary
    /// embedding: enum strings are compared exactly, and so are strings inside `any` values.
    public var isEmbedded: Bool {
        if case let .string(string) = self { string.allowed == nil } else { false }
    }

    /// Whether an object at or below this node chooses one of its properties.
    public var holdsChoice: Bool {
        switch self {
        case let .object(object): object.choosesOne || object.properties.contains { $0.node.holdsChoice }
        case let .array(array): array.items.holdsChoice
        case .anyObject, .string, .integer, .number, .boolean, .anyValue: false
        }
    }
}

/// A closed object's properties, in canonical (RFC 8785) key order.
public struct ObjectSchema: Sendable, Hashable {
    public let properties: [SchemaProperty]
    /// Exactly one of the properties appears (`minProperties` and `maxProperties` 1): a tagged
    /// union, such as a tool call's `{"call": …}` or `{"reply": …}`. None is then required.
    public let choosesOne: Bool

    init(properties: [SchemaProperty], choosesOne: Bool = false) {
        precondition(zip(properties, properties.dropFirst()).allSatisfy { JSONValue.utf16Precedes($0.name, $1.name) },
                     "properties are kept in canonical key order")
        precondition(!choosesOne || (!properties.isEmpty && properties.allSatisfy { !$0.isRequired }),
                     "an object that chooses one of its properties has some and requires none")
        self.properties = properties
        self.choosesOne = choosesOne
    }

    func property(named name: String) -> SchemaProperty? {
        properties.first { $0.name.utf8.elementsEqual(name.utf8) }
    }
}

public struct SchemaProperty: Sendable, Hashable {
    public let name: String
    public let node: SchemaNode
    /// Listed in `required`; any other property may be absent.
    public let isRequired: Bool
}

public struct StringSchema: Sendable, Hashable {
    /// The `enum` values in the order given, or nil for a free string.
    public let allowed: [String]?
    /// Code points.
    public let minLength: Int
    public let maxLength: Int?
}

/// `minimum` and `maximum`, both inclusive. They are integers for numbers too, which keeps the
/// shortest valid answer an integer (`minimalOutputBytes`).
public struct NumberBounds: Sendable, Hashable {
    public let minimum: Double?
    public let maximum: Double?
}

public struct ArraySchema: Sendable, Hashable {
    public let items: SchemaNode
    public let minItems: Int
    /// `Limits.Schema.defaultMaxItems` when the schema gives none: every array is bounded, so the
    /// worst-case leaf counts of a schema are finite.
    public let maxItems: Int
}
