import Testing
import RakisTestSupport
@testable import RakisEngine

/// Token masks from the trie walk against brute force (every token's bytes fed to the matcher),
/// on a small synthetic vocabulary and on the real ones.
@Suite struct TokenMaskTests {
    /// Every single byte, and multi-byte tokens of the kinds JSON answers meet.
    static let syntheticSpellings: [[UInt8]] = (0...255).map { [UInt8($0)] } + [
        "{\"", "\":", "\",\"", "\"}", "},{\"", "[{\"", "}]", "true", "tr", "ue", "false", "null", "12", "123", "0.", ".5", "-1",
        "ab", "abc", "abc\"", "\\n", "\\u00", "é", "😀", " the", "name", "\"name\":\"", "\"a", "\"b", "\",", "\"]", "]}", ",\"",
        "hello world", "0", "00", "1e5", "a\"}", "\u{1}",
    ].map { Array($0.utf8) } + [[], [0xC3], [0xA9, 0x22]]

    static let endOfGeneration: [Int32] = [Int32(syntheticSpellings.count)]
    static let syntheticTrie = TokenTrie(spellings: syntheticSpellings + [[]], endOfGeneration: endOfGeneration)

    static func bruteForce(_ grammar: JSONGrammar, _ state: JSONGrammarState, spellings: [[UInt8]]) -> [Int32] {
        spellings.indices.filter { !spellings[$0].isEmpty && grammar.advance(state, spellings[$0]) != nil }.map { Int32($0) }
    }

    /// States met along random byte walks of the shape.
    static func states(_ grammar: JSONGrammar, walks: Int, seed: UInt64) -> [JSONGrammarState] {
        let random = CounterRandom(seed: seed)
        var draw: UInt64 = 0
        var states: [JSONGrammarState] = []
        for _ in 0..<walks {
            var state = grammar.start
            while !grammar.isAccepting(state), states.count < walks * 60 {
                states.append(state)
                let options = JSONGrammarTests.alphabet.compactMap { grammar.advance(state, $0) }
                // Half the time, the byte that completes soonest, so walks end.
                let next = random.bits(draw) % 2 == 0
                    ? options[Int(random.bits(draw + 1) % UInt64(options.count))]
                    : options.min { grammar.minimalCompletion($0) < grammar.minimalCompletion($1) }!
                draw += 2
                state = next
            }
        }
        return states
    }

    @Test(arguments: JSONGrammarTests.walkShapes.indices)
    func trieWalkMatchesBruteForce(_ index: Int) {
        let grammar = JSONGrammar(JSONGrammarTests.walkShapes[index])
        let masks = TokenMasks(grammar: grammar, trie: Self.syntheticTrie)
        for state in Self.states(grammar, walks: 6, seed: UInt64(index)) {
            let mask = masks.mask(for: state, tokensLeft: 1000)
            #expect(mask.tokens == Self.bruteForce(grammar, state, spellings: Self.syntheticSpellings))
        }
        #expect(masks.statistics.hits > 0, "canonical states repeat")
    }

    @Test func acceptingStatesAllowOnlyTheEndOfGeneration() {
        let grammar = JSONGrammar(.boolean)
        let masks = TokenMasks(grammar: grammar, trie: Self.syntheticTrie)
        let done = grammar.advance(grammar.start, Array("true".utf8))!
        #expect(grammar.isAccepting(done))
        #expect(masks.mask(for: done, tokensLeft: 10).tokens == Self.endOfGeneration)
        #expect(!masks.mask(for: grammar.start, tokensLeft: 10).allows(Self.endOfGeneration[0]))
    }

    /// An adversary that always takes the allowed token growing the minimal completion most
    /// still ends with a whole value within the budget.
    @Test func theBudgetAlwaysCompletesTheValue() throws {
        let shapes: [JSONShape] = [
            .array(items: .object(properties: [JSONProperty("name", .string(maxLength: 50)), JSONProperty("n", .integer())]), maxItems: 20),
            .any(depth: 4),
            .string(maxLength: 200),
        ]
        for shape in shapes {
            let grammar = JSONGrammar(shape)
            let masks = TokenMasks(grammar: grammar, trie: Self.syntheticTrie)
            for budget in [grammar.minimalCompletion(grammar.start), 12, 40] where budget >= grammar.minimalCompletion(grammar.start) {
                var state = grammar.start
                var used = 0
                while !grammar.isAccepting(state) {
                    try #require(used < budget, "\(shape) within \(budget) tokens")
                    let mask = masks.mask(for: state, tokensLeft: budget - used)
                    let token = try #require(mask.tokens.max { a, b in
                        grammar.minimalCompletion(grammar.advance(state, Self.syntheticSpellings[Int(a)])!)
                            < grammar.minimalCompletion(grammar.advance(state, Self.syntheticSpellings[Int(b)])!)
                    })
                    state = grammar.advance(state, Self.syntheticSpellings[Int(token)])!
                    used += 1
                }
            }
            #expect(masks.statistics.budgetMasks > 0)
        }
    }

    @Test func masksStoreListsOrBits() {
        let few = TokenMask(bits: [0b1010, 0], size: 128)
        #expect(few.tokens == [1, 3])
        #expect(few.apply(to: [Float](repeating: 1, count: 128)).enumerated().filter { $0.element.isFinite }.map(\.offset) == [1, 3])
        let many = TokenMask(bits: [.max, .max ^ 1], size: 128)
        #expect(many.allowedCount == 127)
        #expect(!many.allows(64) && many.allows(65))
        #expect(many.apply(to: [Float](repeating: 1, count: 128))[64] == -.infinity)
    }

    /// The real vocabularies: one-byte tokens exist for every byte a minimal completion may need
    /// (printable ASCII, and UTF-8 continuation bytes to finish a character a token cut), and
    /// masks match brute force at states of a few shapes.
    @Test(.requires(.modelHome), arguments: ["smollm2-135m-instruct", "gemma3-270m"])
    func realVocabularies(_ name: String) throws {
        let model = try LanguageModel(path: TestModel.path(of: name))
        let tokenizer = model.tokenizer
        let trie = TokenTrie(tokenizer: tokenizer)
        let spellings = (0..<Int32(tokenizer.vocabularySize)).map { tokenizer.isEndOfGeneration($0) ? [] : tokenizer.bytes(of: $0) }
        let singleBytes = Set(spellings.filter { $0.count == 1 }.map { $0[0] })
        #expect(singleBytes.isSuperset(of: Array(0x20...0x7E) + Array(0x80...0xBF)), "a token for every byte a completion needs")
        #expect(!trie.endOfGeneration.isEmpty)
        print("FIGURES token trie \(name): \(tokenizer.vocabularySize) tokens, \(trie.nodeCount) nodes, longest \(trie.longestTokenBytes) bytes / \(trie.longestTokenCodePoints) code points")
        for (index, shape) in JSONGrammarTests.walkShapes.prefix(4).enumerated() {
            let grammar = JSONGrammar(shape)
            let masks = TokenMasks(grammar: grammar, trie: trie)
            for state in Self.states(grammar, walks: 1, seed: UInt64(index)).prefix(25) {
                #expect(masks.mask(for: state, tokensLeft: 10_000).tokens == Self.bruteForce(grammar, state, spellings: spellings))
            }
        }
    }
}
