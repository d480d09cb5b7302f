import Dispatch
import RakisCore
import RakisEngine
import RakisNode

/// Runs the node's inference and embedding jobs off the event loop, on one queue each, so a long
/// generation never holds up the verification of other nodes' reveals.
///
/// The engines are deterministic: the same job gives the same bytes on every node, whatever its
/// thread count. A request without a seed is sampled with one derived from its id, so that nodes
/// still agree when the temperature is above zero.
public final class ModelWorkers: Sendable {
    private let generators: [String: TextGenerator]
    private let embedders: [String: SentenceEmbedder]
    private let inferenceQueue = DispatchQueue(label: "rakis.inference")
    private let embeddingQueue = DispatchQueue(label: "rakis.embedding")

    /// `generators` by the LLM names the node serves, `embedders` by embedding model name.
    public init(generators: [String: TextGenerator], embedders: [String: SentenceEmbedder]) {
        self.generators = generators
        self.embedders = embedders
    }

    public var servedModels: [String] { generators.keys.sorted() }
    public var embeddingModels: [String] { embedders.keys.sorted() }

    /// Runs `job` and reports `inferenceFinished` or `inferenceFailed`.
    func infer(_ job: InferenceJob, then report: @escaping @Sendable (NodeEvent) -> Void) {
        inferenceQueue.async { [generators] in
            guard let generator = generators[job.model] else {
                report(.inferenceFailed(job, reason: "model \(job.model) is not loaded"))
                return
            }
            do {
                let result = try generator.generate(Self.generationRequest(for: job))
                report(.inferenceFinished(job, output: result.text))
            } catch {
                report(.inferenceFailed(job, reason: "\(error)"))
            }
        }
    }

    /// Embeds `job.text` and reports `embeddingFinished` (all the model's bits; the node
    /// truncates) or `embeddingFailed`.
    func embed(_ job: EmbeddingJob, then report: @escaping @Sendable (NodeEvent) -> Void) {
        embeddingQueue.async { [embedders] in
            guard let embedder = embedders[job.model] else {
                report(.embeddingFailed(job, reason: "embedding model \(job.model) is not loaded"))
                return
            }
            report(.embeddingFinished(job, BinaryEmbedding(signsOf: embedder.embed(job.text))))
        }
    }

    static func generationRequest(for job: InferenceJob) -> GenerationRequest {
        let prompt: Prompt = switch job.input {
        case let .prompt(text): .text(text)
        case let .messages(messages): .chat(messages.map { RakisEngine.ChatMessage(role: $0.role, content: $0.content) })
        }
        let seed = job.seed.map(UInt64.init) ?? job.requestId.words.0
        return GenerationRequest(prompt: prompt, maxTokens: job.maxTokens,
                                 sampling: SamplingParameters(temperature: Float(job.temperature), seed: seed))
    }
}
