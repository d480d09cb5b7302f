import Foundation
import Testing
@testable import RakisEngine
import RakisTestSupport

/// The SentencePiece tokenizer on a vocabulary small enough to follow by hand, then on Gemma 3's
/// against llama.cpp (`Reference/gemma3-270m-q4_k_m.llama-cpp.json`).
@Suite struct SentencePieceTokenizerTests {
    /// Byte tokens for every byte, then "a", "b", "▁", "ab", "▁ab", "abab", a control "<eot>".
    static func small(addSpacePrefix: Bool = false) throws -> SentencePieceTokenizer {
        let bytes = (0..<256).map { String(format: "<0x%02X>", $0) }
        let tokens = bytes + ["a", "b", "▁", "ab", "▁ab", "abab", "<eot>"]
        let scores: [Float] = Array(repeating: 0, count: 256) + [-1, -1, -1, -2, -3, -5, 0]
        let types: [Int32] = Array(repeating: 6, count: 256) + [1, 1, 1, 1, 1, 1, 3]
        return try SentencePieceTokenizer(tokens: tokens, scores: scores, tokenTypes: types, bosTokenID: nil, eosTokenID: 262,
                                          addBOS: false, addSpacePrefix: addSpacePrefix)
    }

    @Test func theBestScoredPairMergesFirstAndUnknownCharactersFallBackToBytes() throws {
        let tokenizer = try Self.small()
        #expect(tokenizer.encode("ab") == [259])
        // "abab": "ab"+"ab" first (score -2 each, leftmost first), then "abab" (-5).
        #expect(tokenizer.encode("abab") == [261])
        #expect(tokenizer.encode(" ab") == [260])
        // "c" is no token: its byte.
        #expect(tokenizer.encode("ac") == [256, 0x63])
        #expect(tokenizer.encode("é") == [0xC3, 0xA9])
        #expect(tokenizer.decode([260, 0xC3, 0xA9]) == " abé")
        #expect(tokenizer.encode("ab<eot>") == [259, 262])
        #expect(tokenizer.encode("ab<eot>", parseSpecialTokens: false) != [259, 262], "untrusted text cannot write a control token")
        #expect(tokenizer.isEndOfGeneration(262) && tokenizer.bytes(of: 262).isEmpty)
        #expect(try Self.small(addSpacePrefix: true).encode("ab") == [260])
    }

    @Test func inconsistentMetadataIsRefused() {
        #expect(throws: TokenizerError.scoreCountMismatch(tokens: 2, scores: 1)) {
            try SentencePieceTokenizer(tokens: ["a", "b"], scores: [0], tokenTypes: [1, 1], bosTokenID: nil, eosTokenID: nil,
                                       addBOS: false, addSpacePrefix: false)
        }
        #expect(throws: TokenizerError.unmappableToken(token: 0, text: "<0xZZ>")) {
            try SentencePieceTokenizer(tokens: ["<0xZZ>"], scores: [0], tokenTypes: [6], bosTokenID: nil, eosTokenID: nil,
                                       addBOS: false, addSpacePrefix: false)
        }
    }

    static let gemma = "gemma3-270m-q4_k_m.llama-cpp.json"

    @Test(.requires(.gemma3)) func gemma3TokenizesLikeLlamaCpp() throws {
        let gguf = try GGUFFile(path: try TestModel.path(of: "gemma3-270m"))
        let tokenizer = try LanguageModel.tokenizer(gguf)
        let reference = try ReferenceData.llamaCpp(Self.gemma)
        for text in reference.tokenizer {
            #expect(tokenizer.encode(text.text, parseSpecialTokens: true, startOfPrompt: false) == text.ids, "\(text.text.debugDescription)")
        }
        for completion in reference.completions where !completion.chat {
            #expect(tokenizer.encode(completion.prompt) == completion.promptIDs, "\(completion.prompt.debugDescription)")
        }
    }
}
