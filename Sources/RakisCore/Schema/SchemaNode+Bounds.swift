extension SchemaNode {
    /// Leaves in the largest output the node admits, every array at its `maxItems` and every
    /// optional property present: all of them, and the free strings among them (each of which
    /// costs a verifier an embedding). Saturating, so that a schema of many nested arrays is
    /// refused by its count instead of overflowing it.
    var worstCaseLeaves: (all: Int, embedded: Int) {
        switch self {
        case let .object(object):
            return object.properties.reduce((all: 0, embedded: 0)) { total, property in
                let leaves = property.node.worstCaseLeaves
                return (Self.saturatingSum(total.all, leaves.all), Self.saturatingSum(total.embedded, leaves.embedded))
            }
        case let .array(array):
            let leaves = array.items.worstCaseLeaves
            return (Self.saturatingProduct(array.maxItems, leaves.all), Self.saturatingProduct(array.maxItems, leaves.embedded))
        case .anyObject, .string, .integer, .number, .boolean, .anyValue:
            return (all: 1, embedded: isEmbedded ? 1 : 0)
        }
    }

    static func saturatingSum(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }

    static func saturatingProduct(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : product
    }
}
