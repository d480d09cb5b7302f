/// What to generate from.
public enum Prompt: Sendable, Equatable {
    /// Raw text, tokenized as is.
    case text(String)
    /// Messages rendered with the model's chat template, ending with the assistant's turn.
    case chat([ChatTurn])
}

public struct GenerationRequest: Sendable, Equatable {
    public var prompt: Prompt
    public var maxTokens: Int
    public var sampling: SamplingParameters
    /// Generation stops before the first occurrence of any of these strings (not with a
    /// `format`: a constrained answer ends when its JSON value is complete).
    public var stop: [String]
    /// The shape the answer must have: the text is then the canonical JSON (RFC 8785) of a
    /// value of that shape, complete within `maxTokens`, and generation ends with it (`eos`).
    public var format: JSONShape?

    public init(prompt: Prompt, maxTokens: Int = 128, sampling: SamplingParameters = .greedy, stop: [String] = [], format: JSONShape? = nil) {
        self.prompt = prompt
        self.maxTokens = maxTokens
        self.sampling = sampling
        self.stop = stop
        self.format = format
    }
}

public enum FinishReason: String, Sendable, Codable {
    /// The model produced its end-of-generation token, or the constrained answer is complete.
    case endOfSequence = "eos"
    /// A stop string appeared.
    case stop
    /// The token limit (or the end of the context) was reached.
    case length
}

public struct GenerationStats: Sendable, Equatable {
    public var promptTokens: Int
    public var generatedTokens: Int
    public var prefillSeconds: Double
    public var decodeSeconds: Double

    public var prefillTokensPerSecond: Double { prefillSeconds > 0 ? Double(promptTokens) / prefillSeconds : 0 }
    /// Tokens after the first (which prefill produces) per second of decoding.
    public var decodeTokensPerSecond: Double {
        decodeSeconds > 0 ? Double(max(generatedTokens - 1, 0)) / decodeSeconds : 0
    }
}

public struct GenerationResult: Sendable, Equatable {
    public var text: String
    public var tokenIDs: [Int32]
    public var promptTokenIDs: [Int32]
    public var finishReason: FinishReason
    public var stats: GenerationStats
}
