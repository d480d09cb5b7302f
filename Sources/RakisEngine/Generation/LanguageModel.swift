/// A loaded Llama-architecture model: hyperparameters, packed weights, tokenizer and chat template.
public final class LanguageModel: Sendable {
    public let path: String
    public let config: LlamaConfig
    public let weights: LlamaWeights
    public let tokenizer: any Tokenizer
    public let chatTemplate: ChatTemplate?
    /// Why there is no chat template, when there is none: the file has none, or one this engine
    /// cannot run (naming what it uses that is unsupported, and where).
    public let chatTemplateProblem: String?
    public let fileSize: Int

    /// Loads a GGUF file. `progress` gets (done, total) steps while the weights are packed.
    public init(path: String, progress: (Int, Int) -> Void = { _, _ in }) throws {
        let gguf = try GGUFFile(path: path)
        self.path = path
        fileSize = gguf.file.bytes.count
        config = try LlamaConfig(gguf: gguf)
        tokenizer = try Self.tokenizer(gguf)
        // The template reads the BOS and EOS tokens' text; a Gemma file may come without a
        // template, and gets Gemma's own format then.
        let tokenTexts = try gguf.strings("tokenizer.ggml.tokens")
        let text = { (id: Int32?) in id.flatMap { tokenTexts.indices.contains(Int($0)) ? tokenTexts[Int($0)] : nil } ?? "" }
        let (bosToken, eosToken) = (text(tokenizer.bosTokenID), text(tokenizer.eosTokenID))
        do {
            chatTemplate = try ChatTemplate(gguf.string("tokenizer.chat_template"), bosToken: bosToken, eosToken: eosToken)
            chatTemplateProblem = nil
        } catch GGUFError.missingKey where config.family == .gemma3 {
            chatTemplate = .gemma(bosToken: bosToken, eosToken: eosToken)
            chatTemplateProblem = nil
        } catch {
            chatTemplate = nil
            chatTemplateProblem = "\(error)"
        }
        weights = try LlamaWeights(gguf: gguf, config: config, progress: progress)
    }
}

extension LanguageModel {
    /// The tokenizer the file's `tokenizer.ggml.model` names.
    static func tokenizer(_ gguf: GGUFFile) throws -> any Tokenizer {
        switch try gguf.string("tokenizer.ggml.model") {
        case "gpt2": try ByteLevelBPETokenizer(gguf: gguf)
        case "llama": try SentencePieceTokenizer(gguf: gguf)
        case let other: throw TokenizerError.unsupportedTokenizerModel(other)
        }
    }
}

extension SentencePieceTokenizer {
    /// The tokenizer a GGUF file describes in its `tokenizer.ggml.*` metadata.
    public init(gguf: GGUFFile) throws {
        try self.init(
            tokens: gguf.strings("tokenizer.ggml.tokens"),
            scores: gguf.floats("tokenizer.ggml.scores"),
            tokenTypes: gguf.integers("tokenizer.ggml.token_type").map { Int32(truncatingIfNeeded: $0) },
            bosTokenID: (try? gguf.integer("tokenizer.ggml.bos_token_id")).map { Int32($0) },
            eosTokenID: (try? gguf.integer("tokenizer.ggml.eos_token_id")).map { Int32($0) },
            addBOS: gguf.metadata["tokenizer.ggml.add_bos_token"]?.bool ?? true,
            addSpacePrefix: gguf.metadata["tokenizer.ggml.add_space_prefix"]?.bool ?? true)
    }
}

extension ByteLevelBPETokenizer {
    /// The tokenizer a GGUF file describes in its `tokenizer.ggml.*` metadata.
    public init(gguf: GGUFFile) throws {
        try self.init(
            tokens: gguf.strings("tokenizer.ggml.tokens"),
            tokenTypes: gguf.integers("tokenizer.ggml.token_type").map { Int32(truncatingIfNeeded: $0) },
            merges: gguf.strings("tokenizer.ggml.merges"),
            bosTokenID: (try? gguf.integer("tokenizer.ggml.bos_token_id")).map { Int32($0) },
            eosTokenID: (try? gguf.integer("tokenizer.ggml.eos_token_id")).map { Int32($0) },
            addBOS: gguf.metadata["tokenizer.ggml.add_bos_token"]?.bool,
            preTokenizer: (try? gguf.string("tokenizer.ggml.pre")) ?? "default")
    }
}
