extension OutputSchema {
    /// The length in bytes of the shortest canonical JSON text that validates. A token is at
    /// least one byte, so a request whose `maxTokens` is smaller can never be answered.
    public var minimalOutputBytes: Int { root.minimalBytes }
}

extension SchemaNode {
    var minimalBytes: Int {
        switch self {
        case let .object(object) where object.choosesOne:
            // `{"name":value}` with the shortest of the properties.
            return Self.saturatingSum(2, object.properties.map(Self.minimalMemberBytes).min()!)
        case let .object(object):
            // `{}` and, for each required property, `"name":value` and a comma between two.
            let required = object.properties.filter(\.isRequired)
            return required.reduce(2 + max(required.count - 1, 0)) { Self.saturatingSum($0, Self.minimalMemberBytes($1)) }
        case .anyObject:
            return 2 // {}
        case .anyValue:
            return 1 // a digit
        case let .string(string):
            guard let allowed = string.allowed else {
                // Quotes around minLength code points of one unescaped byte each ("a").
                return 2 + string.minLength
            }
            return allowed.filter(string.admitsLength).map { JSONValue.string($0).canonicalBytes().count }.min()!
        case let .integer(bounds), let .number(bounds):
            // The bounds are integers, and the number closest to zero in them is the shortest:
            // below 1e21 a canonical number has at least the digits of its integer part.
            if let minimum = bounds.minimum, minimum > 0 { return ECMAScriptNumber.format(minimum).utf8.count }
            if let maximum = bounds.maximum, maximum < 0 { return ECMAScriptNumber.format(maximum).utf8.count }
            return 1 // 0
        case .boolean:
            return 4 // true
        case let .array(array):
            // Saturating: minItems may be up to 2^53 - 1 when the items hold no leaves (`[{},{},...]`).
            let elements = Self.saturatingProduct(array.minItems, Self.saturatingSum(array.items.minimalBytes, 1))
            return Self.saturatingSum(elements, array.minItems == 0 ? 2 : 1)
        }
    }

    /// `"name":value` with the property's shortest value.
    private static func minimalMemberBytes(_ property: SchemaProperty) -> Int {
        var key: [UInt8] = []
        JSONValue.appendCanonical(string: property.name, to: &key)
        return saturatingSum(key.count + 1, property.node.minimalBytes)
    }
}
