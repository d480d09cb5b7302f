/// Tokens a request cost under one model's tokenizer: the prompt as the model saw it (chat
/// template and, for a structured request, the schema instruction included) and the output.
public struct TokenUsage: Sendable, Hashable {
    public let promptTokens: Int
    public let completionTokens: Int

    public init(promptTokens: Int, completionTokens: Int) {
        precondition(promptTokens >= 0 && completionTokens >= 0, "token counts are never negative")
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    public var totalTokens: Int { promptTokens + completionTokens }
}
