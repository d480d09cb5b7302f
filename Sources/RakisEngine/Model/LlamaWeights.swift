/// The weights of one transformer block.
public struct LlamaLayer: Sendable {
    public let attentionNorm: [Float]
    public let query: any PackedMatrix
    public let key: any PackedMatrix
    public let value: any PackedMatrix
    public let attentionOutput: any PackedMatrix
    public let feedForwardNorm: [Float]
    public let gate: any PackedMatrix
    public let up: any PackedMatrix
    public let down: any PackedMatrix
    /// Qwen 2's biases of the query, key and value projections.
    public let queryBias: [Float]?
    public let keyBias: [Float]?
    public let valueBias: [Float]?
    /// The per-head query and key norms (Qwen 3, Gemma 3), and Gemma 3's norms of the attention
    /// and feed-forward outputs.
    public let queryNorm: [Float]?
    public let keyNorm: [Float]?
    public let postAttentionNorm: [Float]?
    public let postFeedForwardNorm: [Float]?
}

/// All weights of a Llama model, repacked for the kernels.
public struct LlamaWeights: Sendable {
    public let tokenEmbedding: any PackedMatrix
    public let layers: [LlamaLayer]
    public let outputNorm: [Float]
    /// The output projection; the token embedding itself when the model ties them.
    public let output: any PackedMatrix

    /// Packs every tensor, releasing each tensor's file pages once it is copied, so loading
    /// never holds the file and the packed copy in memory at once. `progress` gets (done, total).
    public init(gguf: GGUFFile, config: LlamaConfig, progress: (Int, Int) -> Void = { _, _ in }) throws(GGUFError) {
        let total = config.layerCount + 2
        let width = config.embeddingLength, kvWidth = config.keyValueDimension, hidden = config.feedForwardLength
        let queryWidth = config.queryDimension, gemma = config.family == .gemma3
        let biased = config.hasProjectionBiases, headNorms = config.normalizesQueryKeyHeads

        func matrix(_ name: String, columns: Int, rows: Int) throws(GGUFError) -> any PackedMatrix {
            let tensor = try gguf.tensor(name)
            guard tensor.shape == [columns, rows] else {
                throw .wrongTensorShape(path: gguf.path, tensor: name, expected: [columns, rows], actual: tensor.shape)
            }
            defer { gguf.file.release(tensor.byteRange) }
            return try MatrixFormat.pack(tensor, from: gguf)
        }
        func vector(_ name: String, length: Int) throws(GGUFError) -> [Float] {
            let tensor = try gguf.tensor(name)
            guard tensor.shape == [length] else {
                throw .wrongTensorShape(path: gguf.path, tensor: name, expected: [length], actual: tensor.shape)
            }
            guard tensor.type == .f32 else {
                throw .unsupportedTensorType(path: gguf.path, tensor: name, type: tensor.type.name + " (norm weights and biases must be F32)")
            }
            let bytes = gguf.bytes(of: tensor)
            return (0..<length).map { Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }

        // Tensors that would change the function if ignored: a bias on the output projection
        // (some Qwen 2 files), rotary frequency factors (Llama 3.1 and later). Refuse them.
        for (name, what) in [("output.bias", "a bias on the output projection"), ("rope_freqs.weight", "rotary frequency factors")]
        where gguf.hasTensor(name) {
            throw .unsupportedTensorType(path: gguf.path, tensor: name, type: try gguf.tensor(name).type.name + " (\(what))")
        }
        tokenEmbedding = try matrix("token_embd.weight", columns: width, rows: config.vocabularySize)
        progress(1, total)
        var layers: [LlamaLayer] = []
        for index in 0..<config.layerCount {
            let prefix = "blk.\(index)."
            layers.append(LlamaLayer(
                attentionNorm: try vector(prefix + "attn_norm.weight", length: width),
                query: try matrix(prefix + "attn_q.weight", columns: width, rows: queryWidth),
                key: try matrix(prefix + "attn_k.weight", columns: width, rows: kvWidth),
                value: try matrix(prefix + "attn_v.weight", columns: width, rows: kvWidth),
                attentionOutput: try matrix(prefix + "attn_output.weight", columns: queryWidth, rows: width),
                feedForwardNorm: try vector(prefix + "ffn_norm.weight", length: width),
                gate: try matrix(prefix + "ffn_gate.weight", columns: width, rows: hidden),
                up: try matrix(prefix + "ffn_up.weight", columns: width, rows: hidden),
                down: try matrix(prefix + "ffn_down.weight", columns: hidden, rows: width),
                queryBias: biased ? try vector(prefix + "attn_q.bias", length: queryWidth) : nil,
                keyBias: biased ? try vector(prefix + "attn_k.bias", length: kvWidth) : nil,
                valueBias: biased ? try vector(prefix + "attn_v.bias", length: kvWidth) : nil,
                queryNorm: headNorms ? try vector(prefix + "attn_q_norm.weight", length: config.headDimension) : nil,
                keyNorm: headNorms ? try vector(prefix + "attn_k_norm.weight", length: config.headDimension) : nil,
                postAttentionNorm: gemma ? try vector(prefix + "post_attention_norm.weight", length: width) : nil,
                postFeedForwardNorm: gemma ? try vector(prefix + "post_ffw_norm.weight", length: width) : nil))
            progress(index + 2, total)
        }
        self.layers = layers
        outputNorm = try vector("output_norm.weight", length: width)
        output = gguf.hasTensor("output.weight")
            ? try matrix("output.weight", columns: width, rows: config.vocabularySize)
            : tokenEmbedding
        progress(total, total)
    }
}
