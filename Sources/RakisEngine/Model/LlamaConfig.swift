/// The hyperparameters of a Llama-family model, read from GGUF metadata: `llama` (SmolLM2,
/// Llama 3), and `qwen2`, `qwen3` and `gemma3`, which differ in the ways `family` lists.
public struct LlamaConfig: Sendable, Equatable {
    /// What a family does beyond the Llama pattern.
    public enum Family: String, Sendable, Equatable, CaseIterable {
        case llama
        /// Qwen 2 (and 2.5): biases on the query, key and value projections; rotary pairs split
        /// in halves; the output projection may be tied to the embedding.
        case qwen2
        /// Qwen 3: no projection biases, but query and key RMSNorm per head before the rotation;
        /// heads may be narrower or wider than width / heads; rotary halves; output maybe tied.
        case qwen3
        /// Gemma 3: embeddings scaled by sqrt(width); query and key RMSNorm per head; norms after
        /// attention and after the feed-forward too; a GELU (tanh) gate; rotary pairs split in
        /// halves; five of every six layers attending within a sliding window, with their own
        /// rotary base; the output projection tied to the embedding.
        case gemma3
    }

    public let architecture: String
    public let family: Family
    public let layerCount: Int
    public let embeddingLength: Int
    public let feedForwardLength: Int
    public let headCount: Int
    public let keyValueHeadCount: Int
    /// Each attention head's width: `attention.key_length`, else width / heads.
    public let headDimension: Int
    public let contextLength: Int
    public let vocabularySize: Int
    /// The rotary base of the layers that attend over the whole context.
    public let ropeBase: Double
    public let normEpsilon: Float
    /// Positions a sliding-window layer attends to (its own and the ones before), if the family has such layers.
    public let slidingWindow: Int?
    /// The rotary base of the sliding-window layers.
    public let slidingRopeBase: Double

    public var queryDimension: Int { headCount * headDimension }
    public var keyValueDimension: Int { keyValueHeadCount * headDimension }

    /// Whether layer `layer` attends within the sliding window (Gemma 3: all but every sixth).
    public func isSliding(layer: Int) -> Bool { slidingWindow != nil && layer % 6 != 5 }

    /// Whether the query, key and value projections add a bias (Qwen 2).
    public var hasProjectionBiases: Bool { family == .qwen2 }
    /// Whether each query and key head is RMS-normalized before the rotation (Qwen 3, Gemma 3).
    public var normalizesQueryKeyHeads: Bool { family == .qwen3 || family == .gemma3 }
    /// Whether rotary pairs are (x[i], x[i + d/2]) rather than neighbours (llama.cpp's NEOX
    /// rope type, which it gives every family here but `llama`).
    public var rotatesHalves: Bool { family != .llama }
    /// Whether the heads must make up the width exactly, as the family's projections are
    /// square in llama.cpp (`llama`, `qwen2`).
    private var headsMakeTheWidth: Bool { family == .llama || family == .qwen2 }

    /// The `general.architecture` values this engine runs, for error messages.
    static var supportedArchitectures: String {
        let names = Family.allCases.map { "'\($0.rawValue)'" }
        return names.dropLast().joined(separator: ", ") + " or " + names.last!
    }

    public init(gguf: GGUFFile) throws(GGUFError) {
        architecture = try gguf.string("general.architecture")
        guard let family = Family(rawValue: architecture) else {
            throw .wrongKeyType(path: gguf.path, key: "general.architecture", expected: Self.supportedArchitectures, actual: "'\(architecture)'")
        }
        self.family = family
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
        headDimension = (try? gguf.integer(prefix + "attention.key_length")) ?? (headCount > 0 ? embeddingLength / headCount : 0)
        slidingWindow = family == .gemma3 ? try gguf.integer(prefix + "attention.sliding_window") : nil
        slidingRopeBase = 10_000

        let sane = layerCount > 0 && headCount > 0 && keyValueHeadCount > 0 && headCount % keyValueHeadCount == 0
            && headDimension > 0 && headDimension % 8 == 0 && (slidingWindow ?? 1) > 0
            && embeddingLength % 32 == 0 && feedForwardLength % 32 == 0 && queryDimension % 32 == 0 && contextLength > 0
        guard sane else {
            throw .corrupt(path: gguf.path, offset: 0,
                           reason: "inconsistent hyperparameters (layers \(layerCount), width \(embeddingLength), heads \(headCount)/\(keyValueHeadCount) of \(headDimension), feed-forward \(feedForwardLength))")
        }
        if headsMakeTheWidth, headDimension * headCount != embeddingLength {
            throw .corrupt(path: gguf.path, offset: 0, reason: "heads of \(headDimension) do not make the width \(embeddingLength)")
        }
        if let valueLength = try? gguf.integer(prefix + "attention.value_length"), valueLength != headDimension {
            throw .corrupt(path: gguf.path, offset: 0, reason: "value heads of \(valueLength) differ from key heads of \(headDimension)")
        }
        if let ropeDimensions = try? gguf.integer(prefix + "rope.dimension_count"), ropeDimensions != headDimension {
            throw .corrupt(path: gguf.path, offset: 0, reason: "partial rotary embeddings (\(ropeDimensions) of \(headDimension)) are not supported")
        }
    }
}
