/// A byte trie over a few fixed texts (a string enum's quoted values, an object's quoted keys,
/// `true`/`false`/`null`): values with shared prefixes share nodes, so a prefix is alive while
/// some value still extends it.
struct LiteralTrie: Sendable {
    /// Per node, its edges: `edgeBytes[edgeStarts[n]..<edgeStarts[n + 1]]`, to `edgeTargets`.
    private(set) var edgeStarts: [Int32] = []
    private(set) var edgeBytes: [UInt8] = []
    private(set) var edgeTargets: [Int32] = []
    /// The value a node ends, or -1.
    private(set) var terminal: [Int32] = []
    /// Bytes from the node to its nearest terminal.
    private(set) var depthToTerminal: [Int32] = []
    private(set) var depth: [Int32] = []
    /// Per node, the values below it (bit i for value i < 64): an object's key trie uses it to
    /// tell which properties a key prefix may still be.
    private(set) var valuesBelow: [UInt64] = []

    static let root: Int32 = 0

    /// The trie of `texts` (no text may be a prefix of another); value i is `texts[i]`.
    init(_ texts: [[UInt8]]) {
        // Children listed in byte order, built as nested lists then flattened breadth-first.
        var children: [[(UInt8, Int32)]] = [[]]
        var ends: [Int32] = [-1]
        var depths: [Int32] = [0]
        for (value, text) in texts.enumerated() {
            precondition(!text.isEmpty, "literal texts are not empty")
            var node: Int32 = 0
            for byte in text {
                if let child = children[Int(node)].first(where: { $0.0 == byte })?.1 {
                    node = child
                } else {
                    let child = Int32(children.count)
                    children.append([])
                    ends.append(-1)
                    depths.append(depths[Int(node)] + 1)
                    children[Int(node)].append((byte, child))
                    node = child
                }
            }
            precondition(ends[Int(node)] == -1 && children[Int(node)].isEmpty, "no literal is a prefix of another")
            ends[Int(node)] = Int32(value)
        }
        for (node, edges) in children.enumerated() {
            precondition(ends[node] == -1 || edges.isEmpty, "no literal is a prefix of another")
            edgeStarts.append(Int32(edgeBytes.count))
            for (byte, target) in edges.sorted(by: { $0.0 < $1.0 }) {
                edgeBytes.append(byte)
                edgeTargets.append(target)
            }
        }
        edgeStarts.append(Int32(edgeBytes.count))
        terminal = ends
        depth = depths
        // Children always come after their parent, so one backward pass sees children first.
        depthToTerminal = [Int32](repeating: 0, count: children.count)
        valuesBelow = [UInt64](repeating: 0, count: children.count)
        for node in stride(from: children.count - 1, through: 0, by: -1) {
            if ends[node] >= 0 {
                valuesBelow[node] = ends[node] < 64 ? 1 << UInt64(ends[node]) : 0
                continue
            }
            depthToTerminal[node] = 1 + children[node].map { depthToTerminal[Int($0.1)] }.min()!
            valuesBelow[node] = children[node].reduce(0) { $0 | valuesBelow[Int($1.1)] }
        }
    }

    /// The node after `byte` from `node`, or nil.
    @inline(__always)
    func child(_ node: Int32, _ byte: UInt8) -> Int32? {
        for edge in Int(edgeStarts[Int(node)])..<Int(edgeStarts[Int(node) + 1]) where edgeBytes[edge] == byte {
            return edgeTargets[edge]
        }
        return nil
    }
}
