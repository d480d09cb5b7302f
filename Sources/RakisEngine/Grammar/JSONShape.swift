/// The shape of a JSON answer, as the engine constrains it: the runtime translates a request's
/// JSON schema into one of these. Every value of a shape is written in its canonical form
/// (RFC 8785: no whitespace, keys in order, minimal escapes), so two nodes that agree on the
/// value agree on the bytes.
public indirect enum JSONShape: Sendable, Hashable {
    /// An object with these properties, written in RFC 8785 key order whatever order they are
    /// listed in; an optional property may be left out.
    case object(properties: [JSONProperty])
    /// An object with exactly one of these properties (each `required` false): a tagged union.
    case oneOf(properties: [JSONProperty])
    /// A string: one of `enum`'s values when given, else any text of `minLength...maxLength`
    /// code points (nil: no upper limit).
    case string(enum: [String]? = nil, minLength: Int = 0, maxLength: Int? = nil)
    /// An integer in `min...max`, without leading zeros or "-0".
    case integer(min: Int64 = .min, max: Int64 = .max)
    /// A number in `min...max` (nil: unbounded), with at most 15 significant digits, no
    /// exponent and no trailing zero in the fraction: such a decimal is what RFC 8785 writes
    /// for the double it parses to.
    case number(min: Double? = nil, max: Double? = nil)
    case boolean
    /// An array of `minItems...maxItems` items (nil: no upper limit).
    case array(items: JSONShape, minItems: Int = 0, maxItems: Int? = nil)
    /// Any JSON value with containers nested at most `depth` deep (0: scalars only). Its
    /// numbers are as `.number`'s. Its objects' keys are non-empty and start with printable
    /// ASCII, each key's first byte above the previous one's: that keeps keys in RFC 8785 order
    /// and distinct without the matcher holding them.
    case any(depth: Int)
    /// An object with free keys (as `.any`'s objects) whose values are `.any(depth: depth - 1)`:
    /// OpenAI's json_object mode.
    case anyObject(depth: Int)
}

extension JSONShape {
    /// Bounds on shapes, so that every table the matcher builds is bounded.
    public static let maxDepth = 16
    public static let maxProperties = 64
    public static let maxEnumValues = 1024
    public static let maxEnumValueBytes = 256
    public static let maxLength = 1 << 20

    /// What makes this shape unusable, or nil: a request with such a shape is refused, and the
    /// matcher requires a shape without problems.
    public var problem: String? { problem(depth: 0) }

    private func problem(depth: Int) -> String? {
        guard depth <= Self.maxDepth else { return "shapes nest more than \(Self.maxDepth) deep" }
        switch self {
        case let .oneOf(properties):
            guard !properties.isEmpty, properties.allSatisfy({ !$0.required }) else {
                return "a one-of object needs properties to choose from, none of them required"
            }
            return JSONShape.object(properties: properties).problem(depth: depth)
        case let .object(properties):
            guard properties.count <= Self.maxProperties else { return "an object has more than \(Self.maxProperties) properties" }
            guard Set(properties.map(\.name)).count == properties.count else { return "an object lists a property name twice" }
            guard properties.allSatisfy({ JSONText.quoted($0.name).count <= Self.maxEnumValueBytes }) else {
                return "a property name is longer than \(Self.maxEnumValueBytes) bytes in JSON"
            }
            return properties.lazy.compactMap { $0.shape.problem(depth: depth + 1) }.first
        case let .string(values, minLength, maxLength):
            if let values {
                guard !values.isEmpty, values.count <= Self.maxEnumValues else { return "a string enum needs 1 to \(Self.maxEnumValues) values" }
                guard Set(values).count == values.count else { return "a string enum lists a value twice" }
                guard values.allSatisfy({ JSONText.quoted($0).count <= Self.maxEnumValueBytes }) else {
                    return "a string enum value is longer than \(Self.maxEnumValueBytes) bytes in JSON"
                }
                guard minLength == 0, maxLength == nil else { return "a string enum cannot also bound its length" }
                return nil
            }
            guard minLength >= 0, minLength <= (maxLength ?? Self.maxLength), (maxLength ?? 0) <= Self.maxLength else {
                return "string lengths must satisfy 0 <= minLength <= maxLength <= \(Self.maxLength)"
            }
            return nil
        case let .integer(min, max):
            return min <= max ? nil : "integer bounds need min <= max"
        case let .number(min, max):
            guard min?.isFinite ?? true, max?.isFinite ?? true, (min ?? -.infinity) <= (max ?? .infinity) else {
                return "number bounds must be finite with min <= max"
            }
            guard NumberProgress().hasCompletion(.decimal(min: min ?? -.infinity, max: max ?? .infinity)) else {
                return "no number of at most 15 significant digits lies in [\(min ?? -.infinity), \(max ?? .infinity)]"
            }
            return nil
        case .boolean:
            return nil
        case let .array(items, minItems, maxItems):
            guard minItems >= 0, minItems <= (maxItems ?? Int(Int32.max)), (maxItems ?? 0) <= Int(Int32.max) else {
                return "array sizes must satisfy 0 <= minItems <= maxItems"
            }
            return items.problem(depth: depth + 1)
        case let .any(containerDepth), let .anyObject(containerDepth):
            guard (0...Self.maxDepth).contains(containerDepth), depth + containerDepth <= Self.maxDepth else {
                return "any-value depth must be in 0...\(Self.maxDepth) (with the shapes around it)"
            }
            if case .anyObject = self, containerDepth < 1 { return "an any-object needs depth >= 1" }
            return nil
        }
    }
}

/// One property of an object shape.
public struct JSONProperty: Sendable, Hashable {
    public var name: String
    public var shape: JSONShape
    public var required: Bool

    public init(_ name: String, _ shape: JSONShape, required: Bool = true) {
        self.name = name
        self.shape = shape
        self.required = required
    }
}
