/// Text to token ids and back, as a model's GGUF metadata defines it (`tokenizer.ggml.model`):
/// `ByteLevelBPETokenizer` for "gpt2" (SmolLM2, Llama 3, Qwen), `SentencePieceTokenizer` for
/// "llama" (Gemma). Both follow llama.cpp step by step and give its ids.
public protocol Tokenizer: Sendable {
    /// Valid ids are `0..<vocabularySize`.
    var vocabularySize: Int { get }
    var bosTokenID: Int32? { get }
    var eosTokenID: Int32? { get }
    /// Whether `encode` puts the BOS token first (`tokenizer.ggml.add_bos_token`).
    var addBOS: Bool { get }

    /// The token ids of `text`, starting with BOS if the model adds one and `startOfPrompt`.
    /// With `parseSpecialTokens` false (for untrusted text) control tokens written in the text
    /// are spelled with ordinary tokens, so a user cannot forge chat markup.
    func encode(_ text: String, parseSpecialTokens: Bool, startOfPrompt: Bool) -> [Int32]
    /// The bytes token `token` stands for: empty for control tokens and unknown ids.
    func bytes(of token: Int32) -> [UInt8]
    /// The id of the token whose vocabulary text is `tokenText`.
    func id(of tokenText: String) -> Int32?
    /// Whether generation should stop at `id`: the EOS token, or a control token that ends a turn.
    func isEndOfGeneration(_ id: Int32) -> Bool
}

extension Tokenizer {
    public func encode(_ text: String) -> [Int32] { encode(text, parseSpecialTokens: true, startOfPrompt: true) }
    public func encode(_ text: String, parseSpecialTokens: Bool) -> [Int32] { encode(text, parseSpecialTokens: parseSpecialTokens, startOfPrompt: true) }

    /// The text of `tokens`: their bytes joined and read as UTF-8, with U+FFFD for any invalid sequence.
    public func decode(_ tokens: [Int32]) -> String {
        String(decoding: tokens.flatMap { bytes(of: $0) }, as: UTF8.self)
    }
}

/// The tokens generation stops at: the model's EOS token, and the control or user-defined
/// tokens that end a turn or a document in common model families.
func endOfGenerationTokens(_ tokens: [String], kinds: [TokenKind], eosTokenID: Int32?) -> Set<Int32> {
    let texts: Set<String> = ["<|im_end|>", "<|endoftext|>", "<|end_of_text|>", "<|eot_id|>", "<|eom_id|>", "<end_of_turn>", "<|end|>"]
    var ids = Set([eosTokenID].compactMap { $0 })
    for (id, text) in tokens.enumerated() where [.control, .userDefined].contains(kinds[id]) && texts.contains(text) {
        ids.insert(Int32(id))
    }
    return ids
}
