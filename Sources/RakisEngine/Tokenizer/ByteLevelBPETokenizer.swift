/// The tokenizer of GPT-2-style models (GGUF `tokenizer.ggml.model` "gpt2"), such as SmolLM2:
/// text becomes UTF-8 bytes, bytes become tokens, and ranked merge rules join tokens into
/// longer ones. It follows llama.cpp step by step, and gives the same token ids.
///
/// Encoding, in order:
/// 1. special tokens written in the text (`<|im_start|>`) are found and kept whole;
/// 2. the plain text between them is cut into pieces by the model's pre-tokenizer;
/// 3. each piece starts as one token per byte and is merged by rank (with Llama 3's
///    pre-tokenizer, a piece that is a token of its own is taken whole first).
///
/// Decoding turns each token back into its bytes. Control tokens decode to nothing, as
/// llama.cpp renders them when not asked for special tokens: a chat reply never shows
/// `<|im_end|>`. Ids outside the vocabulary also decode to nothing.
public struct ByteLevelBPETokenizer: Tokenizer {
    /// The number of tokens in the vocabulary; valid ids are `0..<vocabularySize`.
    public let vocabularySize: Int
    /// The beginning-of-sequence token, if the model has one.
    public let bosTokenID: Int32?
    /// The end-of-sequence token, if the model has one.
    public let eosTokenID: Int32?
    /// Whether `encode` puts the BOS token first (`tokenizer.ggml.add_bos_token`).
    public let addBOS: Bool

    private let idsByText: [String: Int32]
    /// The token for each byte's single-character text; `noToken` for bytes the vocabulary
    /// lacks (such as 0xFF, which never occurs in UTF-8).
    private let byteTokens: [Int32]
    private let merges: BytePairMerges
    private let preTokenizer: PreTokenizer
    private let specialTokens: SpecialTokenSplitter
    /// Every token's decoded bytes, end to end; token `id` owns
    /// `decodedBytes[decodedStarts[id]..<decodedStarts[id + 1]]`.
    private let decodedBytes: [UInt8]
    private let decodedStarts: [Int]
    private let endOfGeneration: Set<Int32>

    private static let noToken: Int32 = -1

    /// Builds the tokenizer from a GGUF file's tokenizer metadata.
    ///
    /// - Parameters:
    ///   - tokens: `tokenizer.ggml.tokens`, indexed by token id.
    ///   - tokenTypes: `tokenizer.ggml.token_type`, one per token: 1 normal, 2 unknown,
    ///     3 control, 4 user-defined, 5 unused, 6 byte.
    ///   - merges: `tokenizer.ggml.merges`, "left right" rules, best first.
    ///   - bosTokenID: `tokenizer.ggml.bos_token_id`.
    ///   - eosTokenID: `tokenizer.ggml.eos_token_id`.
    ///   - addBOS: `tokenizer.ggml.add_bos_token`; nil when the file does not say, for the
    ///     pre-tokenizer's default (true for Llama 3's, as in llama.cpp).
    ///   - preTokenizer: `tokenizer.ggml.pre`: "smollm", "llama-bpe" (Llama 3) or "qwen2".
    /// - Throws: `TokenizerError` if the pre-tokenizer is unsupported or the metadata does not
    ///   hold together (counts that differ, ids out of range, merges outside the vocabulary).
    public init(
        tokens: [String], tokenTypes: [Int32], merges: [String],
        bosTokenID: Int32?, eosTokenID: Int32?, addBOS: Bool?, preTokenizer: String
    ) throws(TokenizerError) {
        let preTokenizer = try PreTokenizer(named: preTokenizer)
        let addBOS = addBOS ?? preTokenizer.addsBOSByDefault
        self.preTokenizer = preTokenizer
        let kinds = try TokenKind.vocabulary(tokens: tokens, tokenTypes: tokenTypes, bosTokenID: bosTokenID, eosTokenID: eosTokenID,
                                             addBOS: addBOS)

        // A text listed twice maps to its last id, as in llama.cpp.
        let idsByText = Dictionary(zip(tokens, tokens.indices.map { Int32($0) }), uniquingKeysWith: { _, last in last })

        let byteTable = try Self.byteTable(of: tokens, kinds: kinds)
        self.decodedBytes = byteTable.bytes
        self.decodedStarts = byteTable.starts
        self.idsByText = idsByText
        self.byteTokens = ByteToUnicode.characters.map { idsByText[String($0)] ?? Self.noToken }
        self.merges = try BytePairMerges(merges, vocabulary: idsByText)
        self.specialTokens = SpecialTokenSplitter(tokens: tokens, kinds: kinds)
        endOfGeneration = endOfGenerationTokens(tokens, kinds: kinds, eosTokenID: eosTokenID)
        self.vocabularySize = tokens.count
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.addBOS = addBOS
    }

    /// The token ids of `text`, starting with BOS if the model adds one.
    ///
    /// - Parameters:
    ///   - parseSpecialTokens: whether control tokens written in the text, such as
    ///     `<|im_start|>`, become their ids. Pass false for untrusted text, so that a user cannot
    ///     forge chat markup; the markup is then spelled with ordinary tokens. User-defined tokens
    ///     are always recognized, as they stand for ordinary text.
    ///   - startOfPrompt: false for a piece that continues a prompt, which gets no BOS.
    public func encode(_ text: String, parseSpecialTokens: Bool, startOfPrompt: Bool) -> [Int32] {
        var ids: [Int32] = []
        if addBOS, startOfPrompt, let bosTokenID { ids.append(bosTokenID) }
        let utf8 = Array(text.utf8)
        var workspace = BytePairMerges.Workspace()
        for fragment in specialTokens.split(utf8, includingControl: parseSpecialTokens) {
            switch fragment {
            case let .special(id): ids.append(id)
            case let .text(range): appendPlainText(utf8[range], to: &ids, workspace: &workspace)
            }
        }
        return ids
    }

    /// The bytes token `token` stands for: empty for control tokens and unknown ids. A token
    /// may hold part of a UTF-8 character, so a streaming caller should join bytes before
    /// decoding them.
    public func bytes(of token: Int32) -> [UInt8] {
        guard let range = decodedRange(of: token) else { return [] }
        return Array(decodedBytes[range])
    }

    /// The id of the token whose vocabulary text is `tokenText`, such as "<|im_end|>".
    public func id(of tokenText: String) -> Int32? {
        idsByText[tokenText]
    }

    /// Whether generation should stop at `id`: the EOS token, or a control token that ends a
    /// turn or a document ("<|im_end|>", "<|endoftext|>", "<|eot_id|>", …).
    public func isEndOfGeneration(_ id: Int32) -> Bool {
        endOfGeneration.contains(id)
    }

    private func appendPlainText(
        _ utf8: ArraySlice<UInt8>, to ids: inout [Int32], workspace: inout BytePairMerges.Workspace
    ) {
        let scalars = Array(String(decoding: utf8, as: UTF8.self).unicodeScalars)
        // Where each scalar starts in `utf8`, plus the end, to turn scalar ranges into bytes.
        var starts: [Int] = []
        starts.reserveCapacity(scalars.count + 1)
        var offset = utf8.startIndex
        for scalar in scalars {
            starts.append(offset)
            offset += UTF8.width(scalar)
        }
        starts.append(offset)

        for piece in preTokenizer.split(scalars) {
            let pieceBytes = utf8[starts[piece.lowerBound]..<starts[piece.upperBound]]
            if preTokenizer.takesWholePieces, let whole = wholePieceToken(pieceBytes) {
                ids.append(whole)
                continue
            }
            let initialTokens = pieceBytes.lazy.map { byteTokens[Int($0)] }
            merges.merge(initialTokens, noToken: Self.noToken, appendingTo: &ids, workspace: &workspace)
        }
    }

    /// The token whose text is all of `pieceBytes` in the byte-level alphabet, if there is one.
    private func wholePieceToken(_ pieceBytes: ArraySlice<UInt8>) -> Int32? {
        var text = String.UnicodeScalarView()
        for byte in pieceBytes { text.append(ByteToUnicode.characters[Int(byte)]) }
        return idsByText[String(text)]
    }

    private func decodedRange(of token: Int32) -> Range<Int>? {
        guard token >= 0, Int(token) < vocabularySize else { return nil }
        return decodedStarts[Int(token)]..<decodedStarts[Int(token) + 1]
    }

    /// Normal tokens are written in the byte-level alphabet and decode to the bytes it stands
    /// for; user-defined tokens are plain text; the other kinds decode to nothing.
    private static func byteTable(
        of tokens: [String], kinds: [TokenKind]
    ) throws(TokenizerError) -> (bytes: [UInt8], starts: [Int]) {
        var bytes: [UInt8] = []
        var starts: [Int] = [0]
        starts.reserveCapacity(tokens.count + 1)
        for (id, text) in tokens.enumerated() {
            switch kinds[id] {
            case .normal:
                for character in text.unicodeScalars {
                    guard let byte = ByteToUnicode.byte(for: character) else { throw .unmappableToken(token: id, text: text) }
                    bytes.append(byte)
                }
            case .userDefined:
                bytes.append(contentsOf: text.utf8)
            case .control, .unknown, .unused, .byte:
                break
            }
            starts.append(bytes.count)
        }
        return (bytes, starts)
    }
}
