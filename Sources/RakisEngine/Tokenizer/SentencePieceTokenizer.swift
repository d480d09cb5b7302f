/// The tokenizer of SentencePiece models (GGUF `tokenizer.ggml.model` "llama"), such as Gemma:
/// spaces become "▁", the text starts as one symbol per character, and the adjacent pair whose
/// joined text is a token with the highest score is merged, again and again (llama.cpp's SPM
/// session, step by step, so the ids are its ids). A symbol left that is not a token is spelled
/// with byte tokens (`<0x41>`).
///
/// Special tokens written in the text are found first, as for byte-level BPE
/// (`SpecialTokenSplitter`). Decoding gives each token's text with "▁" as a space, and a byte
/// token's byte; control tokens decode to nothing.
public struct SentencePieceTokenizer: Tokenizer {
    public let vocabularySize: Int
    public let bosTokenID: Int32?
    public let eosTokenID: Int32?
    public let addBOS: Bool
    /// Whether a space goes before the text (`tokenizer.ggml.add_space_prefix`): before the
    /// start of the text and after each special token, as llama.cpp does.
    public let addSpacePrefix: Bool

    /// Every token by text (a text listed twice maps to its last id, as in llama.cpp).
    private let idsByText: [String: Int32]
    /// Whether merges may produce each token: all but byte, control and unknown tokens, so that
    /// plain text can never merge into markup (llama.cpp would let "<0x41>" or a control token's
    /// text merge into it, given the intermediate tokens; ordinary text gives the same ids).
    private let mergeable: [Bool]
    private let scores: [Float]
    private let byteTokens: [Int32]
    private let specialTokens: SpecialTokenSplitter
    /// Every token's decoded bytes, end to end: token `id` owns `decodedBytes[decodedStarts[id]..<decodedStarts[id + 1]]`
    /// (one buffer, not one array per token: Gemma has 262,144 tokens).
    private let decodedBytes: [UInt8]
    private let decodedStarts: [Int32]
    private let endOfGeneration: Set<Int32>

    public init(tokens: [String], scores: [Float], tokenTypes: [Int32], bosTokenID: Int32?, eosTokenID: Int32?,
                addBOS: Bool, addSpacePrefix: Bool) throws(TokenizerError) {
        let kinds = try TokenKind.vocabulary(tokens: tokens, tokenTypes: tokenTypes, bosTokenID: bosTokenID, eosTokenID: eosTokenID,
                                             addBOS: addBOS)
        guard tokens.count == scores.count else { throw .scoreCountMismatch(tokens: tokens.count, scores: scores.count) }
        var idsByText: [String: Int32] = [:]
        idsByText.reserveCapacity(tokens.count)
        var mergeable = [Bool](repeating: false, count: tokens.count)
        var byteTokens = [Int32](repeating: -1, count: 256)
        var decodedBytes: [UInt8] = []
        var decodedStarts: [Int32] = [0]
        decodedStarts.reserveCapacity(tokens.count + 1)
        for (id, text) in tokens.enumerated() {
            switch kinds[id] {
            case .byte:
                guard let byte = Self.byteValue(text) else { throw .unmappableToken(token: id, text: text) }
                byteTokens[Int(byte)] = Int32(id)
                decodedBytes.append(byte)
            case .normal, .userDefined, .unused:
                mergeable[id] = true
                decodedBytes.append(contentsOf: text.replacingOccurrences(of: "▁", with: " ").utf8)
            case .control, .unknown:
                break
            }
            decodedStarts.append(Int32(decodedBytes.count))
            idsByText[text] = Int32(id)
        }
        self.idsByText = idsByText
        self.mergeable = mergeable
        self.decodedStarts = decodedStarts
        self.scores = scores
        self.byteTokens = byteTokens
        self.decodedBytes = decodedBytes
        specialTokens = SpecialTokenSplitter(tokens: tokens, kinds: kinds)
        endOfGeneration = endOfGenerationTokens(tokens, kinds: kinds, eosTokenID: eosTokenID)
        vocabularySize = tokens.count
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.addBOS = addBOS
        self.addSpacePrefix = addSpacePrefix
    }

    /// The byte of a byte token's text, "<0xAB>".
    private static func byteValue(_ text: String) -> UInt8? {
        guard text.count == 6, text.hasPrefix("<0x"), text.hasSuffix(">") else { return nil }
        return UInt8(text.dropFirst(3).prefix(2), radix: 16)
    }

    public func encode(_ text: String, parseSpecialTokens: Bool, startOfPrompt: Bool) -> [Int32] {
        var ids: [Int32] = []
        if addBOS, startOfPrompt, let bosTokenID { ids.append(bosTokenID) }
        let utf8 = Array(text.utf8)
        var previousWasSpecial = startOfPrompt
        for fragment in specialTokens.split(utf8, includingControl: parseSpecialTokens) {
            switch fragment {
            case let .special(id):
                ids.append(id)
                previousWasSpecial = true
            case let .text(range):
                var piece = addSpacePrefix && previousWasSpecial ? [UInt8(ascii: " ")] : []
                piece += utf8[range]
                appendPiece(piece, to: &ids)
                previousWasSpecial = false
            }
        }
        return ids
    }

    public func bytes(of token: Int32) -> [UInt8] {
        guard token >= 0, Int(token) < vocabularySize else { return [] }
        return Array(decodedBytes[Int(decodedStarts[Int(token)])..<Int(decodedStarts[Int(token) + 1])])
    }

    public func id(of tokenText: String) -> Int32? { idsByText[tokenText] }

    public func isEndOfGeneration(_ id: Int32) -> Bool { endOfGeneration.contains(id) }

    /// One symbol of the merge: a run of the piece's bytes, linked to its neighbours.
    private struct Symbol {
        var start: Int
        var count: Int
        var previous: Int
        var next: Int
    }

    /// A candidate merge of two adjacent symbols.
    private struct Bigram: Comparable {
        let left: Int
        let right: Int
        let score: Float
        let size: Int

        /// The best merge is the highest score, then the leftmost.
        static func < (a: Bigram, b: Bigram) -> Bool { a.score != b.score ? a.score < b.score : a.left > b.left }
    }

    /// Merges one piece of plain text (spaces escaped here) and appends its ids.
    private func appendPiece(_ raw: [UInt8], to ids: inout [Int32]) {
        var text: [UInt8] = []
        text.reserveCapacity(raw.count)
        for byte in raw {
            if byte == UInt8(ascii: " ") { text += [0xE2, 0x96, 0x81] } else { text.append(byte) }  // "▁"
        }
        var symbols: [Symbol] = []
        var offset = 0
        while offset < text.count {
            let length = min(Self.utf8Length(text[offset]), text.count - offset)
            symbols.append(Symbol(start: offset, count: length, previous: symbols.count - 1,
                                  next: offset + length == text.count ? -1 : symbols.count + 1))
            offset += length
        }
        guard !symbols.isEmpty else { return }
        var queue = BinaryHeap<Bigram>()
        func string(_ start: Int, _ count: Int) -> String { String(decoding: text[start..<start + count], as: UTF8.self) }
        func tryAdd(_ left: Int, _ right: Int) {
            guard left >= 0, right >= 0 else { return }
            let joined = string(symbols[left].start, symbols[left].count + symbols[right].count)
            guard let id = mergeableID(joined) else { return }
            queue.push(Bigram(left: left, right: right, score: scores[Int(id)], size: symbols[left].count + symbols[right].count))
        }
        for index in 1..<symbols.count { tryAdd(index - 1, index) }
        while let bigram = queue.pop() {
            let left = symbols[bigram.left], right = symbols[bigram.right]
            // One of them was merged since: this candidate is stale.
            guard left.count > 0, right.count > 0, left.count + right.count == bigram.size else { continue }
            symbols[bigram.left].count += right.count
            symbols[bigram.right].count = 0
            symbols[bigram.left].next = right.next
            if right.next >= 0 { symbols[right.next].previous = bigram.left }
            tryAdd(symbols[bigram.left].previous, bigram.left)
            tryAdd(bigram.left, symbols[bigram.left].next)
        }
        // Every merge made a token, so a symbol left is a token or one character that is not:
        // that one is spelled with byte tokens (llama.cpp's resegment, whose undoing of merges
        // never applies here).
        var index = 0
        while index != -1 {
            let symbol = symbols[index]
            if let id = mergeableID(string(symbol.start, symbol.count)) {
                ids.append(id)
            } else {
                for byte in text[symbol.start..<symbol.start + symbol.count] where byteTokens[Int(byte)] >= 0 { ids.append(byteTokens[Int(byte)]) }
            }
            index = symbol.next
        }
    }

    private func mergeableID(_ text: String) -> Int32? {
        guard let id = idsByText[text], mergeable[Int(id)] else { return nil }
        return id
    }

    /// The length of the UTF-8 sequence a lead byte starts (1 for a stray continuation byte).
    private static func utf8Length(_ lead: UInt8) -> Int {
        switch lead {
        case 0xF0...: 4
        case 0xE0...: 3
        case 0xC0...: 2
        default: 1
        }
    }
}
