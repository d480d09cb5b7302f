import Foundation
import Testing
@testable import RakisEngine

/// The tokenizer on a small hand-made vocabulary: normalization, splitting, and piece matching.
@Suite struct WordPieceTokenizerUnitTests {
    static let vocabulary = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]",
        "cafe", "naive", "un", "##aff", "##able", "##a", "a", "hello", "world",
        ",", "!", ".", "$", "-", "東", "京", "は", "##は", "3", "##14",
    ]

    let tokenizer: WordPieceTokenizer
    init() throws { tokenizer = try WordPieceTokenizer(vocabulary: Self.vocabulary) }

    /// The vocabulary entries for `text`'s pieces.
    func pieceTexts(_ text: String) -> [String] {
        tokenizer.pieces(text).map { Self.vocabulary[Int($0)] }
    }

    func words(_ text: String, lowercase: Bool = true, stripAccents: Bool = true) -> [String] {
        BertBasicTokenizer(lowercase: lowercase, stripAccents: stripAccents).words(text).map {
            String(String.UnicodeScalarView($0))
        }
    }

    @Test func specialTokenIDsComeFromTheVocabulary() {
        #expect(tokenizer.padID == 0)
        #expect(tokenizer.unknownID == 1)
        #expect(tokenizer.clsID == 2)
        #expect(tokenizer.sepID == 3)
    }

    @Test func punctuationBecomesWordsOfItsOwn() {
        #expect(words("Hello, world!") == ["hello", ",", "world", "!"])
        // ASCII symbols count as punctuation, as do Unicode P* characters such as « and —.
        #expect(words("a$b+c^d") == ["a", "$", "b", "+", "c", "^", "d"])
        #expect(words("«quote»—dash") == ["«", "quote", "»", "—", "dash"])
        #expect(words("...") == [".", ".", "."])
        // Symbols outside ASCII (€, ©) are not punctuation.
        #expect(words("5€ ©x") == ["5€", "©x"])
    }

    @Test func cjkIdeographsStandAloneButKanaDoesNot() {
        #expect(words("東京は日本") == ["東", "京", "は", "日", "本"])
        #expect(words("はは東") == ["はは", "東"])
        #expect(pieceTexts("東京はは") == ["東", "京", "は", "##は"])
    }

    @Test func cleaningDropsControlsAndTurnsWhitespaceIntoSpaces() {
        #expect(words("  a\tb\nc\r\nd\u{A0}e\u{3000}f  ") == ["a", "b", "c", "d", "e", "f"])
        // Zero-width space (a format character), NUL, U+FFFD and controls vanish without splitting.
        #expect(words("na\u{200B}i\u{0}v\u{FFFD}e\u{7}") == ["naive"])
        #expect(words("") == [])
        #expect(words(" \n ") == [])
    }

    @Test func accentsAreStrippedAndTextLowercased() {
        #expect(pieceTexts("Café naïve") == ["cafe", "naive"])
        #expect(pieceTexts("CAFÉ NAÏVE") == ["cafe", "naive"])
        // A precomposed letter and its decomposed spelling give the same pieces.
        #expect(pieceTexts("cafe\u{301}") == ["cafe"])
        #expect(words("Ünïcödé ačcents") == ["unicode", "accents"])
        #expect(words("Café", lowercase: false, stripAccents: true) == ["Cafe"])
        #expect(words("Café", lowercase: true, stripAccents: false) == ["café"])
    }

    @Test func continuationPiecesTakeTheLongestMatchFirst() {
        #expect(pieceTexts("unaffable") == ["un", "##aff", "##able"])
        #expect(pieceTexts("unaffablea") == ["un", "##aff", "##able", "##a"])
        // A continuation piece never starts a word: "14" has only "##14".
        #expect(pieceTexts("3.14") == ["3", ".", "[UNK]"])
    }

    @Test func wordsNoPiecesSpellBecomeUnknownAsAWhole() {
        // "unaffx" starts with pieces, but "x" has none: the whole word is [UNK], not a part of it.
        #expect(pieceTexts("unaffx hello") == ["[UNK]", "hello"])
        #expect(pieceTexts("zebra!") == ["[UNK]", "!"])
    }

    @Test func wordsLongerThanTheLimitAreUnknown() throws {
        let long = String(repeating: "a", count: 101)
        #expect(pieceTexts(long) == ["[UNK]"])
        #expect(pieceTexts(String(repeating: "a", count: 100)) == ["a"] + Array(repeating: "##a", count: 99))
        let strict = try WordPieceTokenizer(vocabulary: Self.vocabulary, maxInputCharactersPerWord: 3)
        #expect(strict.pieces("aaaa aaa") == [1, 10, 9, 9])
    }

    @Test func encodeAddsClsAndSepAndTruncates() {
        #expect(tokenizer.encode("hello world") == [2, 11, 12, 3])
        #expect(tokenizer.encode("") == [2, 3])
        #expect(tokenizer.encode("hello world , !", maxLength: 4) == [2, 11, 12, 3])
        #expect(tokenizer.encode("hello world", maxLength: 2) == [2, 3])
    }

    @Test func badVocabulariesAreRejectedWithTheirLine() throws {
        #expect(throws: WordPieceVocabularyError.empty(source: "vocabulary")) {
            try WordPieceTokenizer(vocabulary: [])
        }
        #expect(throws: WordPieceVocabularyError.duplicateToken("a", source: "vocabulary", line: 6, firstLine: 5)) {
            try WordPieceTokenizer(vocabulary: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "a", "a"])
        }
        #expect(throws: WordPieceVocabularyError.missingSpecialToken("[SEP]", source: "vocabulary")) {
            try WordPieceTokenizer(vocabulary: ["[PAD]", "[UNK]", "[CLS]"])
        }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wordpiece-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("vocab.txt")
        try "[PAD]\n[UNK]\n\n[CLS]\n[SEP]\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: WordPieceVocabularyError.emptyToken(source: file.path, line: 3)) {
            try WordPieceTokenizer(vocabularyFile: file)
        }
        try "".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: WordPieceVocabularyError.empty(source: file.path)) {
            try WordPieceTokenizer(vocabularyFile: file)
        }
        let missing = directory.appendingPathComponent("missing.txt")
        let error = #expect(throws: WordPieceVocabularyError.self) { try WordPieceTokenizer(vocabularyFile: missing) }
        #expect(error?.description.contains(missing.path) == true)
    }

    @Test func vocabularyFileLinesAreTokenIDs() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("wordpiece-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        try "[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nhello\r\n".write(to: file, atomically: true, encoding: .utf8)
        let fromFile = try WordPieceTokenizer(vocabularyFile: file)
        #expect(fromFile.encode("Hello") == [2, 4, 3])
    }
}

/// The real all-MiniLM-L6-v2 vocabulary against the token ids sentence-transformers produced.
@Suite struct WordPieceTokenizerReferenceTests {
    static let modelName = "all-minilm-l6-v2"
    static let referenceFile = "all-minilm-l6-v2.sentence-transformers.json"

    /// The parts of the reference file these tests read.
    struct Reference: Decodable {
        struct Item: Decodable {
            let sentence: String
            let inputIDs: [Int32]

            enum CodingKeys: String, CodingKey {
                case sentence
                case inputIDs = "input_ids"
            }
        }
        let items: [Item]
    }

    static func tokenizer() throws -> WordPieceTokenizer {
        let modelDirectory = try ModelStore(home: ModelStore.defaultHome()).resolve(modelName)
        return try WordPieceTokenizer(vocabularyFile: modelDirectory.appendingPathComponent("vocab.txt"))
    }

    static func reference() throws -> Reference {
        let file = ReferenceData.directory().appendingPathComponent(referenceFile)
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: file))
    }

    @Test func encodesEveryReferenceSentenceToTheSameIDs() throws {
        let tokenizer = try Self.tokenizer()
        let reference = try Self.reference()
        #expect(reference.items.count == 20)
        for item in reference.items {
            #expect(tokenizer.encode(item.sentence) == item.inputIDs, "\(item.sentence.prefix(80))")
        }
    }

    @Test func longTextsAreTruncatedTo256IDsButPiecesKeepEverything() throws {
        let tokenizer = try Self.tokenizer()
        let longest = try #require(try Self.reference().items.max { $0.sentence.count < $1.sentence.count })
        let encoded = tokenizer.encode(longest.sentence)
        #expect(encoded.count == 256)
        #expect(encoded.first == tokenizer.clsID && encoded.last == tokenizer.sepID)
        let pieces = tokenizer.pieces(longest.sentence)
        #expect(pieces.count == 540)
        #expect(Array(encoded.dropFirst().dropLast()) == Array(pieces.prefix(254)))
    }

    @Test func specialTokensHaveBertIDs() throws {
        let tokenizer = try Self.tokenizer()
        #expect([tokenizer.padID, tokenizer.unknownID, tokenizer.clsID, tokenizer.sepID] == [0, 100, 101, 102])
    }
}
