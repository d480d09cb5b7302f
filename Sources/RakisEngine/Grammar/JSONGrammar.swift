/// A `JSONShape` compiled into flat tables, and the matcher of its values' canonical (RFC 8785)
/// JSON text, byte by byte (`JSONGrammar+Matching.swift`).
///
/// Every shape becomes a node; the matcher's state (`JSONGrammarState`) names nodes by index, so
/// a state is a small value that hashes and compares cheaply.
public final class JSONGrammar: Sendable {
    let nodes: [Node]
    let objects: [ObjectTable]
    let tries: [LiteralTrie]
    /// The fewest bytes of a value of each node.
    let minimalLength: [Int]
    let root: Int32
    /// The node of `.any(depth: d)` at index d, for the values of any-containers.
    let anyNodes: [Int32]
    /// The trie of `true`, `false` and `null`, and the unbounded number, for any-values.
    let keywordTrie: Int32
    let anyNumber: Int32

    /// Lengths above this are "unreachable": no request has that many tokens, and sums stay far from overflow.
    static let unreachable = 1 << 30

    enum Node: Sendable {
        case object(table: Int32)
        /// A free string of minLength...maxLength code points (Int32.max: no upper limit).
        case string(minLength: Int32, maxLength: Int32)
        /// One of a trie's texts, written whole: a string enum or `true`/`false`.
        case literal(trie: Int32)
        case number(NumberBounds)
        case array(items: Int32, minItems: Int32, maxItems: Int32)
        case any(depth: Int32)
        case anyObject(depth: Int32)
    }

    /// An object's properties in RFC 8785 key order, with what the matcher needs at each.
    struct ObjectTable: Sendable {
        var keyTrie: Int32
        var valueNodes: [Int32]
        var required: [Bool]
        /// Each property's key as written, quotes included.
        var keyLengths: [Int]
        /// The index of the first required property at or after i (count: none).
        var firstRequiredFrom: [Int]
        /// The fewest bytes that finish the object after property i - 1's value (or after
        /// "{"): a comma, key, colon and value for each required property from i, then "}".
        var finishFrom: [Int]
        /// Exactly one property, any of them (`JSONShape.oneOf`): no "{}" and no comma.
        var choosesOne: Bool

        /// The properties a key may name when the next one written is at or after `next`: up
        /// to the first required one (which cannot be skipped), as bits.
        func candidates(from next: Int) -> UInt64 {
            let last = min(firstRequiredFrom[next], valueNodes.count - 1)
            guard next <= last else { return 0 }
            let upToLast: UInt64 = last == 63 ? .max : (1 << UInt64(last + 1)) - 1
            return upToLast & ~((1 << UInt64(next)) - 1)
        }
    }

    public init(_ shape: JSONShape) {
        precondition(shape.problem == nil, "a grammar needs a shape without problems: \(shape.problem ?? "")")
        var builder = Builder()
        let keywordTrie = builder.addTrie([Array("false".utf8), Array("null".utf8), Array("true".utf8)])
        let anyDepth = shape.deepestAny
        let anyNodes = (0...max(anyDepth, 0)).map { builder.add(.any(depth: Int32($0)), minimalLength: 1) }
        anyNumber = builder.add(.number(.decimal(min: -.infinity, max: .infinity)), minimalLength: 1)
        root = builder.compile(shape)
        self.keywordTrie = keywordTrie
        self.anyNodes = anyNodes
        nodes = builder.nodes
        objects = builder.objects
        tries = builder.tries
        minimalLength = builder.minimalLength
    }

    /// Compiles shapes into nodes, children first, so a node's minimal length can use its children's.
    private struct Builder {
        var nodes: [Node] = []
        var objects: [ObjectTable] = []
        var tries: [LiteralTrie] = []
        var minimalLength: [Int] = []

        mutating func add(_ node: Node, minimalLength length: Int) -> Int32 {
            nodes.append(node)
            minimalLength.append(min(length, JSONGrammar.unreachable))
            return Int32(nodes.count - 1)
        }

        mutating func addTrie(_ texts: [[UInt8]]) -> Int32 {
            tries.append(LiteralTrie(texts))
            return Int32(tries.count - 1)
        }

        mutating func compile(_ shape: JSONShape) -> Int32 {
            switch shape {
            case let .object(properties), let .oneOf(properties):
                let choosesOne = if case .oneOf = shape { true } else { false }
                let sorted = properties.sorted { JSONText.keyPrecedes($0.name, $1.name) }
                let keys = sorted.map { JSONText.quoted($0.name) }
                let valueNodes = sorted.map { compile($0.shape) }
                let count = sorted.count
                var firstRequiredFrom = [Int](repeating: count, count: count + 1)
                var finishFrom = [Int](repeating: 1, count: count + 1)
                for index in stride(from: count - 1, through: 0, by: -1) {
                    firstRequiredFrom[index] = sorted[index].required ? index : firstRequiredFrom[index + 1]
                    let written = 1 + keys[index].count + 1 + minimalLength[Int(valueNodes[index])]
                    finishFrom[index] = finishFrom[index + 1] + (sorted[index].required ? written : 0)
                }
                let table = ObjectTable(keyTrie: keys.isEmpty ? -1 : addTrie(keys), valueNodes: valueNodes,
                                        required: sorted.map(\.required), keyLengths: keys.map(\.count),
                                        firstRequiredFrom: firstRequiredFrom, finishFrom: finishFrom, choosesOne: choosesOne)
                objects.append(table)
                // "{", then the required properties without the first one's comma, then "}"; or
                // "{", the shortest of the properties, "}".
                let first = if choosesOne {
                    (0..<count).map { keys[$0].count + 1 + minimalLength[Int(valueNodes[$0])] }.min()! + 1
                } else {
                    firstRequiredFrom[0] < count ? finishFrom[0] - 1 : 1
                }
                return add(.object(table: Int32(objects.count - 1)), minimalLength: 1 + first)
            case let .string(values?, _, _):
                let trie = addTrie(values.map(JSONText.quoted))
                return add(.literal(trie: trie), minimalLength: Int(tries[Int(trie)].depthToTerminal[0]))
            case let .string(nil, minLength, maxLength):
                return add(.string(minLength: Int32(minLength), maxLength: Int32(maxLength ?? Int(Int32.max))), minimalLength: 2 + minLength)
            case let .integer(min, max):
                let bounds = NumberBounds.integer(min: min, max: max)
                return add(.number(bounds), minimalLength: NumberProgress().minimalCompletion(bounds)!)
            case let .number(min, max):
                let bounds = NumberBounds.decimal(min: min ?? -.infinity, max: max ?? .infinity)
                return add(.number(bounds), minimalLength: NumberProgress().minimalCompletion(bounds)!)
            case .boolean:
                let trie = addTrie([Array("false".utf8), Array("true".utf8)])
                return add(.literal(trie: trie), minimalLength: 4)
            case let .array(items, minItems, maxItems):
                let item = compile(items)
                let itemLength = minimalLength[Int(item)]
                // minItems items and the commas between them, saturated (minItems < 2^31, lengths <= 2^30: no overflow).
                let body = minItems == 0 ? 0 : Swift.min(minItems * (itemLength + 1) - 1, JSONGrammar.unreachable)
                return add(.array(items: item, minItems: Int32(minItems), maxItems: Int32(maxItems ?? Int(Int32.max))),
                           minimalLength: 2 + body)
            case let .any(depth):
                return Int32(depth)  // the any-nodes come first, by depth
            case let .anyObject(depth):
                return add(.anyObject(depth: Int32(depth)), minimalLength: 2)
            }
        }
    }
}

extension JSONShape {
    /// The deepest `.any` (or `.anyObject`'s values) in the shape, or -1.
    var deepestAny: Int {
        switch self {
        case let .object(properties), let .oneOf(properties): properties.map(\.shape.deepestAny).max() ?? -1
        case let .array(items, _, _): items.deepestAny
        case let .any(depth): depth
        case let .anyObject(depth): depth - 1
        case .string, .integer, .number, .boolean: -1
        }
    }
}
