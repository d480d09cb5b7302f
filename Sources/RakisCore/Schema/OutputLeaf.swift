/// One leaf of a schema-valid output: a scalar at a typed node, or the whole value at an `any`
/// node (its inside has no schema to name fields by).
public struct OutputLeaf: Sendable, Hashable {
    public let path: FieldPath
    public let node: SchemaNode
    public let value: JSONValue
}

extension OutputSchema {
    /// The leaves of a value that validates, in canonical order: object members by the UTF-16
    /// order of their keys (as RFC 8785 writes them), array elements in order. The free strings
    /// among them (`SchemaNode.isEmbedded`) are the ones a reveal carries an embedding for, in
    /// this order.
    ///
    /// - Precondition: `validate(value) == nil`.
    public func leaves(of value: JSONValue) -> [OutputLeaf] {
        var leaves: [OutputLeaf] = []
        root.appendLeaves(of: value, at: .root, to: &leaves)
        return leaves
    }
}

extension SchemaNode {
    fileprivate func appendLeaves(of value: JSONValue, at path: FieldPath, to leaves: inout [OutputLeaf]) {
        switch (self, value) {
        case let (.object(object), .object(members)):
            // The properties are kept in canonical key order already.
            for property in object.properties {
                if let member = members.member(named: property.name) {
                    property.node.appendLeaves(of: member, at: path.appending(key: property.name), to: &leaves)
                }
            }
        case let (.array(array), .array(elements)):
            for (index, element) in elements.enumerated() {
                array.items.appendLeaves(of: element, at: path.appending(index: index), to: &leaves)
            }
        case (.object, _), (.array, _):
            preconditionFailure("leaves are taken of values that validate")
        case (.anyObject, _), (.string, _), (.integer, _), (.number, _), (.boolean, _), (.anyValue, _):
            leaves.append(OutputLeaf(path: path, node: self, value: value))
        }
    }
}
