import RakisNode

/// Something that turns an inference job into text: the built-in engine, or an
/// OpenAI-compatible server (llama.cpp, vLLM, Ollama, a hosted API, another Rakis node).
public protocol InferenceBackend: Sendable {
    /// Where the output comes from, for logs and status.
    var description: String { get }
    func run(_ job: InferenceJob) async throws -> String
}
