import RakisCore
import RakisNode

/// Something that turns an inference job into text: the built-in engine, or an
/// OpenAI-compatible server (llama.cpp, vLLM, Ollama, a hosted API, another Rakis node).
public protocol InferenceBackend: Sendable {
    /// Where the output comes from, for logs and status.
    var description: String { get }
    func run(_ job: InferenceJob) async throws -> String
    /// What `input` and `output` come to under this model's tokenizer, or nil when the backend
    /// has none of its own (a remote server).
    func tokenUsage(input: RequestInput, output: String) -> TokenUsage?
}

extension InferenceBackend {
    public func tokenUsage(input: RequestInput, output: String) -> TokenUsage? { nil }
}
