/// The hyperparameters of a Llama-architecture model, read from GGUF metadata.
public struct LlamaConfig: Sendable, Equatable {
    public let architecture: String
    public let layerCount: Int
    public let embeddingLength: Int
    public let feedForwardLength: Int
    public let headCount: Int
    public let keyValueHeadCount: Int
    public let contextLength: Int
    public let vocabularySize: Int
    public let ropeBase: Double
    public let normEpsilon: Float

    public var headDimension: Int { embeddingLength / headCount }
    public var keyValueDimension: Int { keyValueHeadCount * headDimension }

    public init(gguf: GGUFFile) throws(GGUFError) {
        architecture = try gguf.string("general.architecture")
        guard architecture == "llama" else {
            throw .wrongKeyType(path: gguf.path, key: "general.architecture", expected: "'llama'", actual: "'\(architecture)'")
        }
        let prefix = architecture + "."
        layerCount = try gguf.integer(prefix + "block_count")
        embeddingLength = try gguf.integer(prefix + "embedding_length")
        feedForwardLength = try gguf.integer(prefix + "feed_forward_length")
        headCount = try gguf.integer(prefix + "attention.head_count")
        keyValueHeadCount = try gguf.integer(prefix + "attention.head_count_kv")
        contextLength = try gguf.integer(prefix + "context_length")
        vocabularySize = try gguf.tensor("token_embd.weight").rows
        ropeBase = (try? gguf.number(prefix + "rope.freq_base")) ?? 10_000
        normEpsilon = Float(try gguf.number(prefix + "attention.layer_norm_rms_epsilon"))

        let sane = layerCount > 0 && headCount > 0 && keyValueHeadCount > 0 && headCount % keyValueHeadCount == 0
            && embeddingLength % headCount == 0 && (embeddingLength / headCount) % 8 == 0
            && embeddingLength % 32 == 0 && feedForwardLength % 32 == 0 && contextLength > 0
        guard sane else {
            throw .corrupt(path: gguf.path, offset: 0,
                           reason: "inconsistent hyperparameters (layers \(layerCount), width \(embeddingLength), heads \(headCount)/\(keyValueHeadCount), feed-forward \(feedForwardLength))")
        }
        if let ropeDimensions = try? gguf.integer(prefix + "rope.dimension_count"), ropeDimensions != headDimension {
            throw .corrupt(path: gguf.path, offset: 0, reason: "partial rotary embeddings (\(ropeDimensions) of \(headDimension)) are not supported")
        }
    }
}
