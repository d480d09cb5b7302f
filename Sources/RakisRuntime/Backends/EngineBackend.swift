import Dispatch
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

    static func generationRequest(for job: InferenceJob) -> GenerationRequest {
        let prompt: Prompt = switch job.input {
        case let .prompt(text): .text(text)
        case let .messages(messages): .chat(messages.map { ChatTurn(role: $0.role, content: $0.content) })
        }
        return GenerationRequest(prompt: prompt, maxTokens: job.maxTokens,
                                 sampling: SamplingParameters(temperature: Float(job.temperature), seed: UInt64(job.seed)),
                                 format: job.format?.engineShape)
    }
}
