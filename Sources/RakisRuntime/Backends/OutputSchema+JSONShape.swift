import RakisCore
import RakisEngine

extension OutputSchema {
    /// The shape the built-in engine constrains its answer to. Every text of the shape is a
    /// canonical, schema-valid output (the engine's `any` values are a subset of the schema's:
    /// their object keys are kept sorted and distinct by first byte).
    public var engineShape: JSONShape { root.engineShape(depthLeft: Limits.Schema.maxDepth - 1) }
}

extension SchemaNode {
    func engineShape(depthLeft: Int) -> JSONShape {
        switch self {
        case let .object(object) where object.choosesOne:
            .oneOf(properties: object.properties.map {
                JSONProperty($0.name, $0.node.engineShape(depthLeft: depthLeft - 1), required: false)
            })
        case let .object(object):
            .object(properties: object.properties.map {
                JSONProperty($0.name, $0.node.engineShape(depthLeft: depthLeft - 1), required: $0.isRequired)
            })
        case .anyObject:
            .anyObject(depth: max(depthLeft, 1))
        case let .string(string):
            if let allowed = string.allowed { .string(enum: allowed) } else { .string(minLength: string.minLength, maxLength: string.maxLength) }
        case let .integer(bounds):
            .integer(min: Int64(bounds.minimum ?? -Self.safeInteger), max: Int64(bounds.maximum ?? Self.safeInteger))
        case let .number(bounds):
            .number(min: bounds.minimum, max: bounds.maximum)
        case .boolean:
            .boolean
        case let .array(array):
            .array(items: array.items.engineShape(depthLeft: depthLeft - 1), minItems: array.minItems, maxItems: array.maxItems)
        case .anyValue:
            .any(depth: max(depthLeft, 0))
        }
    }

    /// 2^53 − 1: integers beyond it are not exact in JSON's doubles, and the schema refuses them.
    static let safeInteger = Double((1 << 53) - 1)
}
