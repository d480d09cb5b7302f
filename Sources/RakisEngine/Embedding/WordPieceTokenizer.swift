import Foundation

/// BERT's uncased tokenizer, as sentence-transformers runs it for all-MiniLM-L6-v2: text is
/// normalized and cut into words (`BertBasicTokenizer`), then each word becomes the longest
/// vocabulary pieces that spell it, left to right.
///
/// A piece that continues a word carries the prefix "##" in the vocabulary: "embeddings" is
/// "em", "##bed", "##ding", "##s". A word that no pieces spell, or longer than
/// `maxInputCharactersPerWord`, becomes [UNK] as a whole.
public struct WordPieceTokenizer: Sendable {
    /// The id of [CLS], which starts every encoded sequence.
    public let clsID: Int32
    /// The id of [SEP], which ends every encoded sequence.
    public let sepID: Int32
    /// The id of [PAD], for filling batches to one length.
    public let padID: Int32
    /// The id of [UNK], for words the vocabulary cannot spell.
    public let unknownID: Int32

    private let ids: [String: Int32]
    private let basicTokenizer: BertBasicTokenizer
    private let maxInputCharactersPerWord: Int
    /// No piece is longer than this (in Unicode scalars, without "##"), so matching never tries
    /// a longer one.
    private let longestPieceLength: Int

    private static let continuationPrefix = "##"

    /// A tokenizer over `vocabulary`: the lines of vocab.txt (id = line index).
    ///
    /// - Throws: `WordPieceVocabularyError` if the vocabulary is empty, has an empty or repeated
    ///   token, or lacks [CLS], [SEP], [PAD] or [UNK].
    public init(vocabulary: [String], lowercase: Bool = true, stripAccents: Bool = true, maxInputCharactersPerWord: Int = 100) throws {
        try self.init(vocabulary: vocabulary, source: "vocabulary", lowercase: lowercase, stripAccents: stripAccents,
                      maxInputCharactersPerWord: maxInputCharactersPerWord)
    }

    /// A lowercasing, accent-stripping tokenizer over a vocab.txt file.
    ///
    /// - Throws: `WordPieceVocabularyError` naming the file (and the line, for a bad token) if
    ///   it is missing, unreadable, or not a usable vocabulary.
    public init(vocabularyFile: URL) throws {
        let text: String
        do {
            text = try String(contentsOf: vocabularyFile, encoding: .utf8)
        } catch {
            throw WordPieceVocabularyError.unreadable(source: vocabularyFile.path, reason: error.localizedDescription)
        }
        // Split on scalars, not Characters: "\r\n" is a single Character, so a file saved with
        // Windows line endings would not split on "\n" at all.
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            String(String.UnicodeScalarView(line.last == "\r" ? line.dropLast() : line))
        }
        // The newline that ends the last line does not start another token.
        if lines.last == "" { lines.removeLast() }
        try self.init(vocabulary: lines, source: vocabularyFile.path, lowercase: true, stripAccents: true,
                      maxInputCharactersPerWord: 100)
    }

    private init(vocabulary: [String], source: String, lowercase: Bool, stripAccents: Bool, maxInputCharactersPerWord: Int) throws {
        guard !vocabulary.isEmpty else { throw WordPieceVocabularyError.empty(source: source) }
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(vocabulary.count)
        var longestPieceLength = 0
        for (index, token) in vocabulary.enumerated() {
            guard !token.isEmpty else { throw WordPieceVocabularyError.emptyToken(source: source, line: index + 1) }
            if let firstID = ids[token] {
                throw WordPieceVocabularyError.duplicateToken(token, source: source, line: index + 1, firstLine: Int(firstID) + 1)
            }
            ids[token] = Int32(index)
            let piece = token.hasPrefix(Self.continuationPrefix) ? token.dropFirst(Self.continuationPrefix.count) : Substring(token)
            longestPieceLength = max(longestPieceLength, piece.unicodeScalars.count)
        }
        func id(of token: String) throws -> Int32 {
            guard let id = ids[token] else { throw WordPieceVocabularyError.missingSpecialToken(token, source: source) }
            return id
        }
        clsID = try id(of: "[CLS]")
        sepID = try id(of: "[SEP]")
        padID = try id(of: "[PAD]")
        unknownID = try id(of: "[UNK]")
        self.ids = ids
        self.longestPieceLength = longestPieceLength
        self.maxInputCharactersPerWord = maxInputCharactersPerWord
        basicTokenizer = BertBasicTokenizer(lowercase: lowercase, stripAccents: stripAccents)
    }

    /// [CLS] + pieces + [SEP], truncated so that the total is at most `maxLength`
    /// (sentence-transformers uses 256 for all-MiniLM-L6-v2): the pieces past the limit are dropped.
    public func encode(_ text: String, maxLength: Int = 256) -> [Int32] {
        precondition(maxLength >= 2, "maxLength must leave room for [CLS] and [SEP]")
        return [clsID] + pieces(text).prefix(maxLength - 2) + [sepID]
    }

    /// All word pieces of `text`, without [CLS]/[SEP] and without truncation (for splitting long
    /// texts into windows).
    public func pieces(_ text: String) -> [Int32] {
        var pieces: [Int32] = []
        for word in basicTokenizer.words(text) {
            appendPieces(of: word, to: &pieces)
        }
        return pieces
    }

    /// Greedy longest-match-first: at each position take the longest vocabulary piece that
    /// matches there, then go on after it. If some position has no match, the whole word is [UNK].
    private func appendPieces(of word: [Unicode.Scalar], to pieces: inout [Int32]) {
        guard word.count <= maxInputCharactersPerWord else {
            pieces.append(unknownID)
            return
        }
        var wordPieces: [Int32] = []
        var start = 0
        while start < word.count {
            guard let (id, end) = longestPiece(of: word, from: start) else {
                pieces.append(unknownID)
                return
            }
            wordPieces.append(id)
            start = end
        }
        pieces.append(contentsOf: wordPieces)
    }

    /// The id and end of the longest vocabulary piece matching `word` at `start`, if any.
    private func longestPiece(of word: [Unicode.Scalar], from start: Int) -> (id: Int32, end: Int)? {
        let prefix = start == 0 ? "" : Self.continuationPrefix
        var end = min(word.count, start + longestPieceLength)
        while end > start {
            let candidate = prefix + String(String.UnicodeScalarView(word[start..<end]))
            if let id = ids[candidate] { return (id, end) }
            end -= 1
        }
        return nil
    }
}
