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
/// tokens left is the mask cut to the tokens after which the minimal completion still fits
/// (one byte per token at worst: byte tokens always exist), cached by the slack left.
public final class TokenMasks: @unchecked Sendable {
    public let grammar: JSONGrammar
    public let trie: TokenTrie
    private let lock = NSLock()
    private var cache: [Key: Entry] = [:]
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
        /// Masks cut to the token budget because it was close (hits or misses).
        public var budgetMasks = 0
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
        let minimal = grammar.minimalCompletion(state)
        precondition(tokensLeft >= minimal, "the budget always holds the minimal completion")
        let canonical = grammar.canonical(state, trie: trie)
        let free = entry(Key(state: canonical, slack: nil))
        // The bytes the completion may still grow by with one token (one token a byte at worst).
        let slack = tokensLeft - 1 - minimal
        if free.maxGrowth <= slack { return free.mask }
        lock.withLock { counters.budgetMasks += 1 }
        return entry(Key(state: canonical, slack: slack)).mask
    }

    /// A cache key: a canonical state, and for a mask cut to the budget, by how many bytes the
    /// minimal completion may grow (only small values occur: those below an entry's growth).
    struct Key: Hashable {
        var state: JSONGrammarState
        var slack: Int?
    }

    private func entry(_ key: Key) -> Entry {
        let cached = lock.withLock { () -> Entry? in
            clock += 1
            guard var entry = cache[key] else { return nil }
            entry.lastUse = clock
            cache[key] = entry
            counters.hits += 1
            return entry
        }
        return cached ?? insert(key, walk(from: key.state, slack: key.slack))
    }

    private func insert(_ key: Key, _ entry: Entry) -> Entry {
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
    /// slack) after which the minimal completion has grown by at most `slack` bytes.
    private func walk(from state: JSONGrammarState, slack: Int?) -> Entry {
        let started = ContinuousClock.now
        var bits = [UInt64](repeating: 0, count: (trie.vocabularySize + 63) / 64)
        var states = [JSONGrammarState](repeating: state, count: trie.longestTokenBytes + 1)
        let base = grammar.completionWithoutClamp(state)
        var maxGrowth = 0
        // Inside a free string (most of a walk when the state is one), a slot holds just the
        // string's frame, a plain value without references: the parents are the start's until a
        // quote closes the string, and only then is the whole state built.
        var stringTops = [JSONGrammarState.StringFrame?](repeating: nil, count: trie.longestTokenBytes + 1)
        if case let .string(frame) = state.top { stringTops[0] = frame }
        func keep(_ node: Int, _ completion: Int) {
            let first = Int(trie.tokenStarts[node]), end = Int(trie.tokenStarts[node + 1])
            guard first < end, slack.map({ completion - base <= $0 }) ?? true else { return }
            for token in trie.tokens[first..<end] { bits[Int(token) >> 6] |= 1 << UInt64(token & 63) }
            maxGrowth = max(maxGrowth, completion - base)
        }
        // Flat arrays read through raw buffers: no bounds checks in the loop, and each node's
        // state is written in place over its depth's slot.
        trie.nodeByte.withUnsafeBufferPointer { nodeByte in
        trie.nodeDepth.withUnsafeBufferPointer { nodeDepth in
        trie.subtreeEnd.withUnsafeBufferPointer { subtreeEnd in
        states.withUnsafeMutableBufferPointer { states in
        stringTops.withUnsafeMutableBufferPointer { stringTops in
            var node = 0
            let count = nodeByte.count
            while node < count {
                let depth = Int(nodeDepth[node])
                let byte = nodeByte[node]
                if var frame = stringTops[depth - 1] {
                    switch grammar.stringStep(&frame, byte) {
                    case nil:
                        node = Int(subtreeEnd[node])
                        continue
                    case false?:
                        stringTops[depth] = frame
                        keep(node, grammar.stringRemaining(frame) + state.parentsRemainder)
                        node += 1
                        continue
                    case true?:
                        // The closing quote: from here on, whole states.
                        states[depth - 1] = JSONGrammarState(top: .string(stringTops[depth - 1]!), parents: state.parents,
                                                             parentsRemainder: state.parentsRemainder)
                    }
                }
                stringTops[depth] = nil
                states[depth] = states[depth - 1]
                guard grammar.step(&states[depth], byte) else {
                    node = Int(subtreeEnd[node])
                    continue
                }
                keep(node, grammar.completionWithoutClamp(states[depth]))
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
