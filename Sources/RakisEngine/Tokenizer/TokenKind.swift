/// What a vocabulary entry is, from `tokenizer.ggml.token_type`.
enum TokenKind: Int32, Sendable {
    /// Ordinary text, written in the byte-level alphabet.
    case normal = 1
    case unknown = 2
    /// Markup the model reads and writes, such as `<|im_start|>`; never part of plain text.
    case control = 3
    /// Ordinary text the vocabulary keeps whole, written as is.
    case userDefined = 4
    case unused = 5
    /// A raw byte (`<0x41>`), used by SentencePiece vocabularies.
    case byte = 6
}

extension TokenKind {
    /// The kinds of a vocabulary's tokens, after the checks both tokenizers make of its metadata:
    /// one type per token, each a GGUF token type, and BOS and EOS ids inside the vocabulary (a
    /// BOS id too when the model adds one).
    static func vocabulary(tokens: [String], tokenTypes: [Int32], bosTokenID: Int32?, eosTokenID: Int32?,
                           addBOS: Bool) throws(TokenizerError) -> [TokenKind] {
        guard tokens.count == tokenTypes.count else {
            throw .tokenTypeCountMismatch(tokens: tokens.count, tokenTypes: tokenTypes.count)
        }
        for (name, id) in [("BOS", bosTokenID), ("EOS", eosTokenID)] {
            if let id, !tokens.indices.contains(Int(id)) {
                throw .specialTokenOutOfRange(name: name, id: id, vocabularySize: tokens.count)
            }
        }
        guard !addBOS || bosTokenID != nil else { throw .missingBOSToken }
        var kinds: [TokenKind] = []
        kinds.reserveCapacity(tokens.count)
        for (id, type) in tokenTypes.enumerated() {
            guard let kind = TokenKind(rawValue: type) else { throw .unknownTokenType(token: id, type: type) }
            kinds.append(kind)
        }
        return kinds
    }
}
