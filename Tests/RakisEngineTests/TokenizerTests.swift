import Testing
@testable import RakisEngine

/// The parts of the tokenizer that need no model: the byte alphabet, the pre-tokenizer, merge
/// order, and the errors for metadata this engine cannot use.
@Suite struct TokenizerUnitTests {
    @Test func byteAlphabetIsABijectionOfPrintableCharacters() {
        let characters = ByteToUnicode.characters
        #expect(characters.count == 256)
        #expect(Set(characters).count == 256)
        for byte in 0...255 {
            #expect(ByteToUnicode.byte(for: characters[byte]) == UInt8(byte))
            #expect(!characters[byte].properties.isWhitespace)
        }
        #expect(characters[Int(UInt8(ascii: " "))] == "Ġ")
        #expect(characters[Int(UInt8(ascii: "\n"))] == "Ċ")
        #expect(characters[Int(UInt8(ascii: "A"))] == "A")
        #expect(ByteToUnicode.byte(for: "€") == nil)
    }

    @Test func smolLMPreTokenizerSplitsLikeItsRegexes() throws {
        let preTokenizer = try PreTokenizer(named: "smollm")
        func pieces(_ text: String) -> [String] {
            let scalars = Array(text.unicodeScalars)
            return preTokenizer.split(scalars).map { String(String.UnicodeScalarView(scalars[$0])) }
        }
        // A run of spaces leaves its last one to the next word; digits stand alone.
        #expect(pieces("don't  stop 123") == ["don", "'t", " ", " stop", " ", "1", "2", "3"])
        #expect(pieces("Hello, world!") == ["Hello", ",", " world", "!"])
        // Contractions only where a match starts; a lone space joins the punctuation after it.
        #expect(pieces("it's 'sup") == ["it", "'s", " '", "sup"])
        #expect(pieces("a\n\n  b") == ["a", "\n\n ", " b"])
        #expect(pieces("tabs\tand\r\n") == ["tabs", "\t", "and", "\r\n"])
        #expect(pieces("end   ") == ["end", "   "])
        #expect(pieces("naïve café Ωμέγα") == ["naïve", " café", " Ωμέγα"])
        // Any \p{N} is a digit here, not only ASCII; no-break space is whitespace.
        #expect(pieces("x½٣y") == ["x", "½", "٣", "y"])
        #expect(pieces("a\u{A0}b") == ["a", "\u{A0}", "b"])
        #expect(pieces("") == [])
    }

    @Test func llama3AndQwen2PreTokenizersSplitLikeTheirRegex() throws {
        let llama3 = try PreTokenizer(named: "llama-bpe"), qwen2 = try PreTokenizer(named: "qwen2")
        func pieces(_ text: String, _ preTokenizer: PreTokenizer) -> [String] {
            let scalars = Array(text.unicodeScalars)
            return preTokenizer.split(scalars).map { String(String.UnicodeScalarView(scalars[$0])) }
        }
        // Contractions in any case; a letter run takes one scalar before it that is no digit or line break.
        #expect(pieces("I'LL don't 'x a.b", llama3) == ["I", "'LL", " don", "'t", " '", "x", " a", ".b"])
        // Numbers in threes (Qwen 2: one by one); a lone space before a digit stands alone.
        #expect(pieces("12345 6789", llama3) == ["123", "45", " ", "678", "9"])
        #expect(pieces("12345 6789", qwen2) == ["1", "2", "3", "4", "5", " ", "6", "7", "8", "9"])
        // Whitespace runs: through their last line break, else all but the scalar before a word.
        #expect(pieces("\n\n  \t x", llama3) == ["\n\n", "  \t", " x"])
        #expect(pieces("a  \n b\r\n", llama3) == ["a", "  \n", " b", "\r\n"])
        #expect(pieces("hello   world", llama3) == ["hello", "  ", " world"])
        #expect(pieces("end   ", llama3) == ["end", "   "])
        // Punctuation keeps the line breaks after it; symbols are punctuation here.
        #expect(pieces("...!!!\n\nok 😀!", llama3) == ["...!!!\n\n", "ok", " 😀!"])
        #expect(pieces("naïve café 日本語", llama3) == ["naïve", " café", " 日本語"])
        #expect(pieces("", llama3) == [])
    }

    @Test func llama3TakesAPieceThatIsATokenWhole() throws {
        // "hello" is a token no merge builds: Llama 3's tokenizer takes it whole, Qwen 2's cannot.
        func tokenizer(_ pre: String) throws -> ByteLevelBPETokenizer {
            try ByteLevelBPETokenizer(
                tokens: ["h", "e", "l", "o", "he", "hello"], tokenTypes: [1, 1, 1, 1, 1, 1], merges: ["h e"],
                bosTokenID: nil, eosTokenID: nil, addBOS: false, preTokenizer: pre)
        }
        #expect(try tokenizer("llama-bpe").encode("hello") == [5])
        #expect(try tokenizer("qwen2").encode("hello") == [4, 2, 2, 3])
    }

    @Test func mergesApplyBestRankFirst() throws {
        // One token per letter, then "bc" (rank 0) before "ab" (rank 1), so "abc" is a + bc.
        let tokenizer = try ByteLevelBPETokenizer(
            tokens: ["<|end|>", "a", "b", "c", "bc", "ab", "abc"], tokenTypes: [3, 1, 1, 1, 1, 1, 1],
            merges: ["b c", "a b", "a bc"], bosTokenID: nil, eosTokenID: nil, addBOS: false, preTokenizer: "smollm"
        )
        #expect(tokenizer.encode("abc") == [6])
        #expect(tokenizer.encode("abab") == [5, 5])
        #expect(tokenizer.encode("abcab<|end|>") == [6, 5, 0])
        #expect(tokenizer.decode([6, 5, 0]) == "abcab")
        #expect(tokenizer.isEndOfGeneration(0))
        // Bytes with no token are dropped, as llama.cpp drops them.
        #expect(tokenizer.encode("a d") == [1])
        #expect(tokenizer.bytes(of: 99) == [])
    }

    @Test func unusableMetadataThrows() {
        func tokenizer(
            tokens: [String] = ["a", "b", "ab"], types: [Int32] = [1, 1, 1], merges: [String] = ["a b"],
            bos: Int32? = nil, addBOS: Bool = false, preTokenizer: String = "smollm"
        ) throws(TokenizerError) -> ByteLevelBPETokenizer {
            try ByteLevelBPETokenizer(
                tokens: tokens, tokenTypes: types, merges: merges,
                bosTokenID: bos, eosTokenID: nil, addBOS: addBOS, preTokenizer: preTokenizer
            )
        }
        #expect(throws: TokenizerError.unsupportedPreTokenizer("falcon")) { try tokenizer(preTokenizer: "falcon") }
        #expect(throws: TokenizerError.tokenTypeCountMismatch(tokens: 3, tokenTypes: 2)) { try tokenizer(types: [1, 1]) }
        #expect(throws: TokenizerError.unknownTokenType(token: 1, type: 9)) { try tokenizer(types: [1, 9, 1]) }
        #expect(throws: TokenizerError.specialTokenOutOfRange(name: "BOS", id: 3, vocabularySize: 3)) { try tokenizer(bos: 3) }
        #expect(throws: TokenizerError.missingBOSToken) { try tokenizer(addBOS: true) }
        #expect(throws: TokenizerError.unmappableToken(token: 2, text: "a b")) { try tokenizer(tokens: ["a", "b", "a b"]) }
        #expect(throws: TokenizerError.self) { try tokenizer(merges: ["ab"]) }
        #expect(throws: TokenizerError.self) { try tokenizer(merges: ["a c"]) }
        #expect(throws: TokenizerError.self) { try tokenizer(merges: ["b a"]) }
    }
}

/// SmolLM2-135M-Instruct's tokenizer and template against llama.cpp's recorded output.
@Suite struct SmolLM2TokenizerTests {
    @Test func tokenizesLikeLlamaCpp() throws {
        let tokenizer = try TestModel.tokenizer()
        let references = try ReferenceData.llamaCpp().tokenizer
        try #require(!references.isEmpty)
        for reference in references {
            #expect(tokenizer.encode(reference.text) == reference.ids, "text: \(reference.text.debugDescription)")
        }
    }

    @Test func promptsTokenizeLikeLlamaCpp() throws {
        let tokenizer = try TestModel.tokenizer()
        let template = try TestModel.chatTemplate()
        let completions = try ReferenceData.llamaCpp().completions
        try #require(completions.contains(where: \.chat) && completions.contains(where: { !$0.chat }))
        for completion in completions {
            let prompt = try completion.chat
                ? template.render([ChatTurn(role: "user", content: completion.userText)])
                : completion.userText
            #expect(prompt == completion.prompt)
            #expect(tokenizer.encode(prompt) == completion.promptIDs, "prompt: \(prompt.debugDescription)")
        }
    }

    @Test func smolLM2TemplateSuppliesItsSystemPrompt() throws {
        let template = try TestModel.chatTemplate()
        #expect(try template.render([ChatTurn(role: "user", content: "Hi")]).hasPrefix(
            "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\nHi"))
    }

    @Test func decodingReturnsTheText() throws {
        let tokenizer = try TestModel.tokenizer()
        let reference = try ReferenceData.llamaCpp()
        for text in reference.tokenizer.map(\.text) + reference.completions.map(\.prompt) {
            #expect(tokenizer.decode(tokenizer.encode(text, parseSpecialTokens: false)) == text)
        }
        // llama.cpp's completions read the same, token for token (control tokens show nothing).
        for completion in reference.completions {
            #expect(tokenizer.decode(completion.completionIDs) == completion.completionText)
        }
        // Control tokens decode to nothing.
        #expect(tokenizer.decode([1, 4093, 198, 6004, 2]) == "user\nhi")
        // A token can hold part of a character: 🚀 spans several tokens, whole only when joined.
        let rocket = tokenizer.encode("🚀")
        #expect(rocket.count > 1)
        #expect(rocket.flatMap(tokenizer.bytes(of:)) == Array("🚀".utf8))
        #expect(tokenizer.decode(Array(rocket.prefix(1))) == "\u{FFFD}")
    }

    @Test func specialTokensAreParsedOnlyWhenAsked() throws {
        let tokenizer = try TestModel.tokenizer()
        let markup = "<|im_start|>user\nhi<|im_end|>"
        #expect(tokenizer.encode(markup) == [1, 4093, 198, 6004, 2])
        let spelled = tokenizer.encode(markup, parseSpecialTokens: false)
        #expect(!spelled.contains(1) && !spelled.contains(2))
        #expect(tokenizer.decode(spelled) == markup)
    }

    @Test func vocabularyFacts() throws {
        let tokenizer = try TestModel.tokenizer()
        #expect(tokenizer.vocabularySize == 49152)
        #expect(tokenizer.addBOS == false)
        #expect(tokenizer.encode("").isEmpty)
        #expect(tokenizer.id(of: "<|im_end|>") == 2)
        #expect(tokenizer.id(of: "no such token") == nil)
        #expect(tokenizer.isEndOfGeneration(2))  // <|im_end|>, the EOS token
        #expect(tokenizer.isEndOfGeneration(0))  // <|endoftext|>
        #expect(!tokenizer.isEndOfGeneration(1))  // <|im_start|>
        #expect(!tokenizer.isEndOfGeneration(198))
        #expect(tokenizer.bytes(of: 198) == [0x0A])
        #expect(tokenizer.bytes(of: 1).isEmpty)
        #expect(tokenizer.bytes(of: -1).isEmpty && tokenizer.bytes(of: 49152).isEmpty)
    }
}
