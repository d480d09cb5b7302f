/// Why a tokenizer or a chat template cannot be built from a model's metadata. Each case says
/// which part of the metadata is at fault, so a user can tell an unsupported model from a
/// damaged one.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    case unsupportedPreTokenizer(String)
    case tokenTypeCountMismatch(tokens: Int, tokenTypes: Int)
    case scoreCountMismatch(tokens: Int, scores: Int)
    case unsupportedTokenizerModel(String)
    case unknownTokenType(token: Int, type: Int32)
    case unmappableToken(token: Int, text: String)
    case malformedMerge(index: Int, merge: String, reason: String)
    case specialTokenOutOfRange(name: String, id: Int32, vocabularySize: Int)
    case missingBOSToken
    /// The template uses something outside the Jinja subset this engine runs, or fails on a
    /// one-message conversation.
    case unsupportedChatTemplate(TemplateError)
    /// The template failed on a conversation (its own `raise_exception`, a type error, a limit).
    case chatTemplateFailed(TemplateError)

    public var description: String {
        switch self {
        case let .unsupportedPreTokenizer(name):
            "pre-tokenizer '\(name)' (tokenizer.ggml.pre) is not supported; supported: \(PreTokenizer.supportedNames.joined(separator: ", "))"
        case let .tokenTypeCountMismatch(tokens, tokenTypes):
            "the vocabulary has \(tokens) tokens but \(tokenTypes) token types"
        case let .scoreCountMismatch(tokens, scores):
            "the vocabulary has \(tokens) tokens but \(scores) scores"
        case let .unsupportedTokenizerModel(model):
            "tokenizer model '\(model)' (tokenizer.ggml.model) is not supported; supported: gpt2 (byte-level BPE), llama (SentencePiece)"
        case let .unknownTokenType(token, type):
            "token #\(token) has type \(type), which is not a GGUF token type (1 to 6)"
        case let .unmappableToken(token, text):
            "token #\(token) '\(text)' has a character outside the byte-level alphabet"
        case let .malformedMerge(index, merge, reason):
            "merge #\(index) '\(merge)' \(reason)"
        case let .specialTokenOutOfRange(name, id, vocabularySize):
            "the \(name) token id \(id) is outside the vocabulary of \(vocabularySize) tokens"
        case .missingBOSToken:
            "the model asks for a BOS token but names none"
        case let .unsupportedChatTemplate(error):
            "the chat template (tokenizer.chat_template) is not supported: \(error)"
        case let .chatTemplateFailed(error):
            "the chat template (tokenizer.chat_template) failed to render the conversation: \(error)"
        }
    }
}
