/// The merge rules of a byte-pair vocabulary, and the merging itself.
///
/// A rule joins two adjacent tokens into a longer one; rules are ranked by their order in
/// `tokenizer.ggml.merges`. Merging a piece applies the best-ranked rule that fits anywhere in
/// it (the leftmost place on ties), then again, until no rule fits. Rules are keyed by the pair
/// of token ids, so merging never builds or hashes strings.
struct BytePairMerges: Sendable {
    private struct Merge {
        let rank: Int32
        let result: Int32
    }

    private let mergesByPair: [UInt64: Merge]

    /// Parses the "left right" rules against the vocabulary. Every part and every result must be
    /// a token: a rule outside the vocabulary means the metadata is damaged.
    init(_ rules: [String], vocabulary: [String: Int32]) throws(TokenizerError) {
        var mergesByPair: [UInt64: Merge] = [:]
        mergesByPair.reserveCapacity(rules.count)
        for (index, rule) in rules.enumerated() {
            // Byte-level tokens never contain a space (it is written `Ġ`), so the first space
            // is the separator.
            guard let space = rule.firstIndex(of: " ") else {
                throw .malformedMerge(index: index, merge: rule, reason: "has no space between its two parts")
            }
            let left = String(rule[..<space])
            let right = String(rule[rule.index(after: space)...])
            guard let leftID = vocabulary[left], let rightID = vocabulary[right] else {
                throw .malformedMerge(index: index, merge: rule, reason: "joins text that is not in the vocabulary")
            }
            guard let resultID = vocabulary[left + right] else {
                throw .malformedMerge(index: index, merge: rule, reason: "makes a token that is not in the vocabulary")
            }
            // A repeated rule keeps its first (best) rank.
            let key = Self.key(leftID, rightID)
            if mergesByPair[key] == nil {
                mergesByPair[key] = Merge(rank: Int32(clamping: index), result: resultID)
            }
        }
        self.mergesByPair = mergesByPair
    }

    /// Storage reused from one piece to the next, which saves allocating it for every word.
    struct Workspace {
        fileprivate var symbols: [Symbol] = []
        fileprivate var candidates = CandidateHeap()
    }

    /// Merges one piece as far as the rules allow and appends the result to `output`. The piece
    /// comes as its initial tokens, one per byte; entries of `noToken` (bytes without a token)
    /// take part in no merge and are dropped, as llama.cpp drops them.
    func merge(
        _ initialTokens: some Collection<Int32>, noToken: Int32,
        appendingTo output: inout [Int32], workspace: inout Workspace
    ) {
        guard initialTokens.count > 1 else {
            output.append(contentsOf: initialTokens.filter { $0 != noToken })
            return
        }

        // The piece as a doubly linked list of symbols; a merge grows the left symbol and
        // unlinks the right one. Candidates wait in a heap and are checked when they come out:
        // a candidate whose symbols have changed since it was queued is stale and skipped.
        workspace.symbols.removeAll(keepingCapacity: true)
        for (index, token) in initialTokens.enumerated() {
            workspace.symbols.append(Symbol(token: token, previous: index - 1, next: index + 1))
        }
        workspace.symbols[workspace.symbols.count - 1].next = Symbol.none
        for left in 0..<workspace.symbols.count - 1 {
            queueCandidate(left: left, in: &workspace)
        }

        while let candidate = workspace.candidates.popBest() {
            let left = candidate.left
            let right = workspace.symbols[left].next
            guard right != Symbol.none, workspace.symbols[left].token == candidate.leftToken,
                  workspace.symbols[right].token == candidate.rightToken else { continue }

            let next = workspace.symbols[right].next
            workspace.symbols[left].token = candidate.result
            workspace.symbols[left].next = next
            workspace.symbols[right].token = noToken
            if next != Symbol.none { workspace.symbols[next].previous = left }

            let previous = workspace.symbols[left].previous
            if previous != Symbol.none { queueCandidate(left: previous, in: &workspace) }
            queueCandidate(left: left, in: &workspace)
        }

        var index = 0
        while index != Symbol.none {
            let symbol = workspace.symbols[index]
            if symbol.token != noToken { output.append(symbol.token) }
            index = symbol.next
        }
    }

    private func queueCandidate(left: Int, in workspace: inout Workspace) {
        let right = workspace.symbols[left].next
        guard right != Symbol.none else { return }
        let leftToken = workspace.symbols[left].token, rightToken = workspace.symbols[right].token
        guard let merge = mergesByPair[Self.key(leftToken, rightToken)] else { return }
        workspace.candidates.insert(Candidate(
            rank: merge.rank, left: left, leftToken: leftToken, rightToken: rightToken, result: merge.result
        ))
    }

    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    /// One symbol of a piece being merged, linked to its neighbours by index.
    fileprivate struct Symbol {
        static let none = -1
        var token: Int32
        var previous: Int
        var next: Int
    }

    /// A merge that may be applied: the symbol at `left` and its right neighbour, as they were
    /// when the candidate was queued.
    fileprivate struct Candidate {
        let rank: Int32
        let left: Int
        let leftToken: Int32
        let rightToken: Int32
        let result: Int32

        /// Best rank first; on equal ranks, the leftmost place first.
        func precedes(_ other: Candidate) -> Bool {
            rank != other.rank ? rank < other.rank : left < other.left
        }
    }

    /// A binary min-heap of candidates, best first.
    fileprivate struct CandidateHeap {
        private var items: [Candidate] = []

        mutating func insert(_ candidate: Candidate) {
            items.append(candidate)
            var child = items.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard items[child].precedes(items[parent]) else { break }
                items.swapAt(child, parent)
                child = parent
            }
        }

        mutating func popBest() -> Candidate? {
            guard let last = items.popLast() else { return nil }
            guard !items.isEmpty else { return last }
            let best = items[0]
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var first = parent
                if left < items.count, items[left].precedes(items[first]) { first = left }
                if right < items.count, items[right].precedes(items[first]) { first = right }
                guard first != parent else { break }
                items.swapAt(parent, first)
                parent = first
            }
            return best
        }
    }
}
