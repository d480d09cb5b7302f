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
