import Dispatch
import RakisCore
import RakisEngine
import RakisNode

/// The built-in engine, on a queue of its own: deterministic, so the same job gives the same
/// bytes on every node whatever its thread count, sampled with the job's seed.
public final class EngineBackend: InferenceBackend {
    private let generator: TextGenerator
    private let queue = DispatchQueue(label: "rakis.inference")

    public init(_ generator: TextGenerator) {
        self.generator = generator
    }

    public var description: String { "built-in engine" }

    public func run(_ job: InferenceJob) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [generator] in
                continuation.resume(with: Result { try generator.generate(Self.generationRequest(for: job)).text })
            }
        }
    }

    /// The prompt's tokens as generation sees them; the output's as the model would read them
    /// back (a re-tokenization, which for a byte-level BPE can merge differently from the
    /// tokens sampled, by a token or two at most).
    public func tokenUsage(input: RequestInput, output: String) -> TokenUsage? {
        guard let prompt = try? generator.promptTokens(for: Self.prompt(input)) else { return nil }
        let completion = generator.model.tokenizer.encode(output, parseSpecialTokens: false, startOfPrompt: false)
        return TokenUsage(promptTokens: prompt.count, completionTokens: completion.count)
    }

    static func prompt(_ input: RequestInput) -> Prompt {
        switch input {
        case let .prompt(text): .text(text)
        case let .messages(messages): .chat(messages.map { ChatTurn(role: $0.role, content: $0.content) })
        }
    }

    static func generationRequest(for job: InferenceJob) -> GenerationRequest {
        let prompt = Self.prompt(job.input)
        var sampling = SamplingParameters(temperature: Float(job.temperature), seed: UInt64(job.seed))
        if let topP = job.topP { sampling.topP = Float(topP) }
        return GenerationRequest(prompt: prompt, maxTokens: job.maxTokens, sampling: sampling, stop: job.stop,
                                 format: job.format?.engineShape)
    }
}
