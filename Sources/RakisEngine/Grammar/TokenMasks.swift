import Foundation

/// The tokens a grammar allows at each state, over one vocabulary, with a cache.
///
/// A mask is found by walking the token trie depth first from the state: a node's byte is fed
/// to the matcher, and a refused byte prunes the node's whole subtree, so a structural state
/// (after "{", say) looks at a few dozen nodes, and a free string's body at most of the trie.
/// Masks are a pure function of the state, so caching them changes no output: the cache is
/// keyed by the state made canonical (a long string's budget clamped to the longest token,
/// `JSONGrammar.canonical`), so a free string's every step past its first hits the same entry.
/// Like XGrammar's split of tokens into context-independent ones (decided by the top frame
/// alone, which the cache serves) and context-dependent ones (which close the value and go
/// on into the parents, part of the same walk here because the key holds the parents).
///
/// Completion within the token budget: a cached entry also records how much the minimal
/// completion can grow through any of its tokens; only when that growth would not fit in the
/// tokens left is the mask recomputed for this exact state, keeping just the tokens after which
/// the minimal completion still fits (one byte per token at worst: byte tokens always exist).
public final class TokenMasks: @unchecked Sendable {
    public let grammar: JSONGrammar
    public let trie: TokenTrie
    private let lock = NSLock()
    private var cache: [JSONGrammarState: Entry] = [:]
    private var cachedBytes = 0
    private var clock: UInt64 = 0
    private var counters = Statistics()
    public let maxEntries: Int
    public let maxBytes: Int

    struct Entry {
        var mask: TokenMask
        /// The most the minimal completion grows through one of the mask's tokens.
        var maxGrowth: Int
        var lastUse: UInt64
    }

    public struct Statistics: Sendable, Equatable {
        public var hits = 0
        public var misses = 0
        /// Masks recomputed because the token budget was close.
        public var budgetWalks = 0
        /// Time spent in `mask(for:tokensLeft:)`, and the part spent walking the trie on misses.
        public var seconds = 0.0
        public var walkSeconds = 0.0
        public var entries = 0
        public var bytes = 0
    }

    public var statistics: Statistics {
        lock.withLock {
            var copy = counters
            copy.entries = cache.count
            copy.bytes = cachedBytes
            return copy
        }
    }

    public init(grammar: JSONGrammar, trie: TokenTrie, maxEntries: Int = 4096, maxBytes: Int = 64 << 20) {
        precondition(maxEntries > 0 && maxBytes > 0, "the cache holds something")
        self.grammar = grammar
        self.trie = trie
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
    }

    /// The tokens allowed at `state` with `tokensLeft` tokens left to generate (this one
    /// included): only the end-of-generation tokens at an accepting state; otherwise the tokens
    /// whose bytes the grammar accepts and after which the minimal completion fits in the
    /// tokens then left.
    public func mask(for state: JSONGrammarState, tokensLeft: Int) -> TokenMask {
        let started = ContinuousClock.now
        defer { lock.withLock { counters.seconds += (ContinuousClock.now - started) / .seconds(1) } }
        if grammar.isAccepting(state) { return TokenMask(list: trie.endOfGeneration) }
        precondition(tokensLeft >= grammar.minimalCompletion(state), "the budget always holds the minimal completion")
        let key = grammar.canonical(state, longestToken: trie.longestTokenCodePoints)
        let entry = lock.withLock { () -> Entry? in
            clock += 1
            guard var entry = cache[key] else { return nil }
            entry.lastUse = clock
            cache[key] = entry
            counters.hits += 1
            return entry
        } ?? insert(key, walk(from: key, budget: nil))
        if grammar.minimalCompletion(state) + entry.maxGrowth <= tokensLeft - 1 { return entry.mask }
        let exact = walk(from: state, budget: tokensLeft - 1)
        lock.withLock { counters.budgetWalks += 1 }
        return exact.mask
    }

    private func insert(_ key: JSONGrammarState, _ entry: Entry) -> Entry {
        lock.withLock {
            counters.misses += 1
            var entry = entry
            entry.lastUse = clock
            if cache[key] == nil {
                cache[key] = entry
                cachedBytes += entry.mask.bytes
            }
            // Least recently used first, down to three quarters of the bounds.
            if cache.count > maxEntries || cachedBytes > maxBytes {
                let oldest = cache.sorted { $0.value.lastUse < $1.value.lastUse }
                for (old, value) in oldest where cache.count > maxEntries * 3 / 4 || cachedBytes > maxBytes * 3 / 4 {
                    cache[old] = nil
                    cachedBytes -= value.mask.bytes
                }
            }
            return entry
        }
    }

    /// The trie walk: every token whose bytes the grammar accepts from `state`, and (with a
    /// budget) after which the minimal completion is at most `budget` bytes.
    private func walk(from state: JSONGrammarState, budget: Int?) -> Entry {
        let started = ContinuousClock.now
        var bits = [UInt64](repeating: 0, count: (trie.vocabularySize + 63) / 64)
        var states = [JSONGrammarState](repeating: state, count: trie.longestTokenBytes + 1)
        let base = grammar.completionWithoutClamp(state)
        var maxGrowth = 0
        // Flat arrays read through raw buffers: no bounds checks or reference counting in the
        // loop, and each node's state is written in place over its depth's slot.
        trie.nodeByte.withUnsafeBufferPointer { nodeByte in
        trie.nodeDepth.withUnsafeBufferPointer { nodeDepth in
        trie.subtreeEnd.withUnsafeBufferPointer { subtreeEnd in
        trie.tokenStarts.withUnsafeBufferPointer { tokenStarts in
        states.withUnsafeMutableBufferPointer { states in
            var node = 0
            let count = nodeByte.count
            while node < count {
                let depth = Int(nodeDepth[node])
                states[depth] = states[depth - 1]
                guard grammar.step(&states[depth], nodeByte[node]) else {
                    node = Int(subtreeEnd[node])
                    continue
                }
                let first = Int(tokenStarts[node]), end = Int(tokenStarts[node + 1])
                if first < end {
                    let completion = grammar.completionWithoutClamp(states[depth])
                    if budget.map({ completion <= $0 }) ?? true {
                        for token in trie.tokens[first..<end] { bits[Int(token) >> 6] |= 1 << UInt64(token & 63) }
                        maxGrowth = max(maxGrowth, completion - base)
                    }
                }
                node += 1
            }
        }
        }
        }
        }
        }
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        lock.withLock { counters.walkSeconds += seconds }
        return Entry(mask: TokenMask(bits: bits, size: trie.vocabularySize), maxGrowth: maxGrowth, lastUse: 0)
    }
}
