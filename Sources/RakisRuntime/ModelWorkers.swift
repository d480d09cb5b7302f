import Dispatch
import RakisCore
import RakisEngine
import RakisNode

/// Runs the node's inference and embedding jobs off the event loop, so a long generation never
/// holds up the verification of other nodes' reveals. Inference goes to each model's backend
/// (the built-in engine or an OpenAI-compatible server); embeddings always use the built-in
/// engine, on a queue of their own, because every node must get the same bits.
public final class ModelWorkers: Sendable {
    private let backends: [String: any InferenceBackend]
    private let embedders: [String: SentenceEmbedder]
    private let embeddingQueue = DispatchQueue(label: "rakis.embedding")

    /// `backends` by the LLM names the node serves, `embedders` by embedding model name.
    public init(backends: [String: any InferenceBackend], embedders: [String: SentenceEmbedder]) {
        self.backends = backends
        self.embedders = embedders
    }

    public var servedModels: [String] { backends.keys.sorted() }
    public var embeddingModels: [String] { embedders.keys.sorted() }

    /// What a request's prompt and output come to under `model`'s tokenizer, when this node
    /// holds it.
    public func tokenUsage(model: String, input: RequestInput, output: String) -> TokenUsage? {
        backends[model]?.tokenUsage(input: input, output: output)
    }

    /// The unit-length float embeddings of `texts` under `model`, and the WordPiece tokens they
    /// took (windows' [CLS] and [SEP] included), on the embedding queue.
    public func embeddings(of texts: [String], model: String) async throws -> (vectors: [[Float]], tokens: Int) {
        guard let embedder = embedders[model] else { throw BackendError("embedding model \(model) is not loaded here") }
        return await withCheckedContinuation { continuation in
            embeddingQueue.async {
                let tokens = texts.reduce(0) { $0 + embedder.windows(of: $1, policy: .windows).reduce(0) { $0 + $1.count } }
                continuation.resume(returning: (embedder.embed(texts), tokens))
            }
        }
    }

    /// Runs `job` and reports `inferenceFinished` or `inferenceFailed`.
    func infer(_ job: InferenceJob, then report: @escaping @Sendable (NodeEvent) -> Void) {
        guard let backend = backends[job.model] else {
            report(.inferenceFailed(job, reason: "model \(job.model) is not loaded"))
            return
        }
        Task {
            do {
                report(.inferenceFinished(job, output: try await backend.run(job)))
            } catch {
                report(.inferenceFailed(job, reason: "\(error)"))
            }
        }
    }

    /// Embeds `job.text` and each of `job.fieldTexts`, and reports `embeddingFinished` (all the model's bits; the node
    /// truncates) or `embeddingFailed`.
    func embed(_ job: EmbeddingJob, then report: @escaping @Sendable (NodeEvent) -> Void) {
        embeddingQueue.async { [embedders] in
            guard let embedder = embedders[job.model] else {
                report(.embeddingFailed(job, reason: "embedding model \(job.model) is not loaded"))
                return
            }
            report(.embeddingFinished(job, BinaryEmbedding(signsOf: embedder.embed(job.text)),
                                      fields: job.fieldTexts.map { BinaryEmbedding(signsOf: embedder.embed($0)) }))
        }
    }
}
