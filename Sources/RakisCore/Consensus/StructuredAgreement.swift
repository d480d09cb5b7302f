/// When two schema-valid outputs agree, field by field:
/// - enum strings, booleans, integers (whatever the tolerance) and nulls: equal (strings by their bytes);
/// - numbers: |a − b| ≤ numberTolerance, computed as one IEEE-754 subtraction of the two doubles
///   (exact when they are within a factor of two of each other, correctly rounded otherwise, and
///   the same bits on every node). The boundary agrees. A decimal boundary may fall either side of
///   its binary neighbours: 1.3 − 1.0 is 0.30000000000000004, which a tolerance of 0.3 does not admit;
/// - free strings: identical, or their binary embeddings differ in at most `maxDifferingBits` of
///   the first `bits` bits (the secDistance rule of whole-output consensus);
/// - optional properties: both absent agree, one absent disagrees;
/// - arrays: the same length and agreeing elements;
/// - `any` values: the same JSON kind, objects with the same keys, arrays of the same length, and
///   agreeing members, strings inside compared by their bytes (they carry no embedding: the
///   schema does not bound how many there are).
///
/// The relation is symmetric, not transitive; consensus measures every output against a centre.
struct StructuredAgreement {
    let bits: Int
    let maxDifferingBits: Int
    let numberTolerance: Double

    init(bits: Int, secDistance: Double, numberTolerance: Double) {
        self.bits = bits
        maxDifferingBits = Consensus.maxDifferingBits(secDistance: secDistance, bits: bits)
        self.numberTolerance = numberTolerance
    }

    /// Whether two whole outputs agree on every field of the schema.
    func outputsAgree(_ node: SchemaNode, _ a: StructuredPoint, _ b: StructuredPoint) -> Bool {
        // Outputs agree only if they have the same structure, so both reach each free string at
        // the same leaf position: one cursor indexes both outputs' field embeddings.
        var cursor = 0
        return valuesAgree(node, a.value, b.value, a.fieldEmbeddings, b.fieldEmbeddings, cursor: &cursor)
    }

    private func valuesAgree(_ node: SchemaNode, _ a: JSONValue, _ b: JSONValue,
                             _ aEmbeddings: [BinaryEmbedding], _ bEmbeddings: [BinaryEmbedding], cursor: inout Int) -> Bool {
        switch (node, a, b) {
        case let (.object(object), .object(aMembers), .object(bMembers)):
            for property in object.properties {
                switch (aMembers.member(named: property.name), bMembers.member(named: property.name)) {
                case (nil, nil): continue
                case let (aMember?, bMember?):
                    guard valuesAgree(property.node, aMember, bMember, aEmbeddings, bEmbeddings, cursor: &cursor) else { return false }
                default: return false
                }
            }
            return true
        case let (.array(array), .array(aElements), .array(bElements)):
            guard aElements.count == bElements.count else { return false }
            for (aElement, bElement) in zip(aElements, bElements) {
                guard valuesAgree(array.items, aElement, bElement, aEmbeddings, bEmbeddings, cursor: &cursor) else { return false }
            }
            return true
        case (.object, _, _), (.array, _, _):
            preconditionFailure("consensus compares outputs that validate")
        default:
            guard node.isEmbedded else { return leavesAgree(node, a, nil, b, nil) }
            defer { cursor += 1 }
            return leavesAgree(node, a, aEmbeddings[cursor], b, bEmbeddings[cursor])
        }
    }

    /// Whether two values of one leaf agree; free strings come with their embeddings.
    func leavesAgree(_ node: SchemaNode, _ a: JSONValue, _ aEmbedding: BinaryEmbedding?,
                     _ b: JSONValue, _ bEmbedding: BinaryEmbedding?) -> Bool {
        if node.isEmbedded, case let .string(aText) = a, case let .string(bText) = b {
            guard let aEmbedding, let bEmbedding else { preconditionFailure("a free string comes with its embedding") }
            return aText.utf8.elementsEqual(bText.utf8) || aEmbedding.hammingDistance(to: bEmbedding, bits: bits) <= maxDifferingBits
        }
        if case .integer = node, case let .number(x) = a, case let .number(y) = b {
            return x == y // integers agree only when equal, whatever the numbers' tolerance
        }
        return exactlyAgree(a, b)
    }

    /// Equal values, numbers within the tolerance: the rule for everything but free strings.
    private func exactlyAgree(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return (x - y).magnitude <= numberTolerance
        case let (.string(x), .string(y)): return x.utf8.elementsEqual(y.utf8)
        case let (.array(xs), .array(ys)):
            return xs.count == ys.count && zip(xs, ys).allSatisfy { exactlyAgree($0, $1) }
        case let (.object(xs), .object(ys)):
            return xs.count == ys.count && xs.allSatisfy { key, x in ys.member(named: key).map { exactlyAgree(x, $0) } ?? false }
        default: return false
        }
    }
}
