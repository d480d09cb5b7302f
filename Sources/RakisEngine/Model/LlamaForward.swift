/// One token to evaluate: which sequence it belongs to and at which position.
public struct BatchEntry: Sendable {
    public let cache: KVCache
    public let token: Int32
    public let position: Int
    /// Whether to compute next-token logits after this token (the last prompt token, and every
    /// generated token).
    public let wantsLogits: Bool

    public init(cache: KVCache, token: Int32, position: Int, wantsLogits: Bool) {
        self.cache = cache
        self.token = token
        self.position = position
        self.wantsLogits = wantsLogits
    }
}

/// The Llama forward pass over a batch of tokens, from one or several sequences.
///
/// Read it top to bottom in `evaluateChunk`: embed, then per layer RMSNorm, Q/K/V projections,
/// rotary positions, grouped-query attention over the cache, output projection and residual,
/// RMSNorm, SwiGLU feed-forward and residual; finally RMSNorm and the output projection.
///
/// Every value a token gets is computed by the same operations in the same order whatever else
/// is in the batch and however many threads run: matrix rows are split between threads, each
/// token's activations are quantized on their own, and attention runs per token and head.
public final class LlamaForward: @unchecked Sendable {
    public let config: LlamaConfig
    public let weights: LlamaWeights
    public let pool: WorkerPool
    public let maxBatch: Int

    private let thetaScale: Float
    private let attentionScale: Float
    // Scratch space for one chunk of at most `maxBatch` tokens.
    private let residual: UnsafeMutablePointer<Float>
    private let normed: UnsafeMutablePointer<Float>
    private let queries: UnsafeMutablePointer<Float>
    private let keys: UnsafeMutablePointer<Float>
    private let values: UnsafeMutablePointer<Float>
    private let attended: UnsafeMutablePointer<Float>
    private let projected: UnsafeMutablePointer<Float>
    private let gate: UnsafeMutablePointer<Float>
    private let up: UnsafeMutablePointer<Float>
    private let cosines: UnsafeMutablePointer<Float>
    private let sines: UnsafeMutablePointer<Float>
    private let probabilities: UnsafeMutablePointer<Float>
    private let widthActivations: QuantizedActivations
    private let hiddenActivations: QuantizedActivations
    private var chunk: [BatchEntry] = []

    public init(config: LlamaConfig, weights: LlamaWeights, pool: WorkerPool, maxBatch: Int = 64) {
        self.config = config
        self.weights = weights
        self.pool = pool
        self.maxBatch = maxBatch
        let width = config.embeddingLength, kvWidth = config.keyValueDimension, hidden = config.feedForwardLength
        thetaScale = Float(EngineMath.pow(config.ropeBase, -2 / Double(config.headDimension)))
        attentionScale = 1 / Float(config.headDimension).squareRoot()
        residual = .allocate(capacity: maxBatch * width)
        normed = .allocate(capacity: maxBatch * width)
        queries = .allocate(capacity: maxBatch * width)
        keys = .allocate(capacity: maxBatch * kvWidth)
        values = .allocate(capacity: maxBatch * kvWidth)
        attended = .allocate(capacity: maxBatch * width)
        projected = .allocate(capacity: maxBatch * width)
        gate = .allocate(capacity: maxBatch * hidden)
        up = .allocate(capacity: maxBatch * hidden)
        cosines = .allocate(capacity: maxBatch * config.headDimension / 2)
        sines = .allocate(capacity: maxBatch * config.headDimension / 2)
        probabilities = .allocate(capacity: pool.threadCount * config.contextLength)
        widthActivations = QuantizedActivations(columns: width, capacity: maxBatch)
        hiddenActivations = QuantizedActivations(columns: hidden, capacity: maxBatch)
    }

    deinit {
        for buffer in [residual, normed, queries, keys, values, attended, projected, gate, up, cosines, sines, probabilities] {
            buffer.deallocate()
        }
    }

    /// Evaluates the entries in order and returns the logits of those that want them, in order.
    /// Entries of one sequence must come in position order, continuing its cache.
    public func evaluate(_ entries: [BatchEntry]) -> [[Float]] {
        var logits: [[Float]] = []
        var start = 0
        while start < entries.count {
            let end = min(start + maxBatch, entries.count)
            logits += evaluateChunk(Array(entries[start..<end]))
            start = end
        }
        return logits
    }

    private func evaluateChunk(_ entries: [BatchEntry]) -> [[Float]] {
        chunk = entries
        defer { chunk = [] }
        let count = entries.count
        let width = config.embeddingLength, kvWidth = config.keyValueDimension
        let half = config.headDimension / 2

        for (index, entry) in entries.enumerated() {
            precondition(entry.position < entry.cache.capacity, "position beyond the sequence's cache")
            weights.tokenEmbedding.dequantizeRow(Int(entry.token), into: residual + index * width)
            rotaryAngles(position: entry.position, cos: cosines + index * half, sin: sines + index * half)
        }

        for (layerIndex, layer) in weights.layers.enumerated() {
            // Attention block.
            for index in 0..<count {
                VectorMath.rmsNorm(residual + index * width, weight: layer.attentionNorm, epsilon: config.normEpsilon, into: normed + index * width)
            }
            widthActivations.quantize(normed, count: count, stride: width)
            multiply([(layer.query, queries, width), (layer.key, keys, kvWidth), (layer.value, values, kvWidth)], widthActivations)
            for (index, entry) in entries.enumerated() {
                VectorMath.rotate(queries + index * width, heads: config.headCount, headDimension: config.headDimension,
                                  cos: cosines + index * half, sin: sines + index * half)
                VectorMath.rotate(keys + index * kvWidth, heads: config.keyValueHeadCount, headDimension: config.headDimension,
                                  cos: cosines + index * half, sin: sines + index * half)
                KVCache.storeRounded(keys + index * kvWidth, into: entry.cache.key(layer: layerIndex, position: entry.position), count: kvWidth)
                KVCache.storeRounded(values + index * kvWidth, into: entry.cache.value(layer: layerIndex, position: entry.position), count: kvWidth)
                KVCache.storeRounded(queries + index * width, into: queries + index * width, count: width)
            }
            let pairs = count * config.headCount
            pool.run { part in
                for pair in self.pool.share(of: pairs, part: part) {
                    self.attend(entry: pair / self.config.headCount, head: pair % self.config.headCount, layer: layerIndex, part: part)
                }
            }
            widthActivations.quantize(attended, count: count, stride: width)
            multiply([(layer.attentionOutput, projected, width)], widthActivations)
            addResidual(count: count)

            // Feed-forward block.
            for index in 0..<count {
                VectorMath.rmsNorm(residual + index * width, weight: layer.feedForwardNorm, epsilon: config.normEpsilon, into: normed + index * width)
            }
            widthActivations.quantize(normed, count: count, stride: width)
            feedForwardGate(layer, count: count)
            hiddenActivations.quantize(gate, count: count, stride: config.feedForwardLength)
            multiply([(layer.down, projected, width)], hiddenActivations)
            addResidual(count: count)
        }
        for entry in entries { entry.cache.count = max(entry.cache.count, entry.position + 1) }
        return outputLogits(entries)
    }

    /// cos and sin of position * base^(-2i/d) for each rotated pair i, with the angle advanced
    /// by repeated multiplication in single precision as llama.cpp does.
    private func rotaryAngles(position: Int, cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>) {
        var theta = Float(position)
        for i in 0..<config.headDimension / 2 {
            let (sine, cosine) = EngineMath.sinCos(Double(theta))
            cos[i] = Float(cosine)
            sin[i] = Float(sine)
            theta *= thetaScale
        }
    }

    /// Multiplies several matrices by the same activations in one parallel step; each thread
    /// takes its share of every matrix's row groups.
    private func multiply(_ products: [(matrix: any PackedMatrix, out: UnsafeMutablePointer<Float>, stride: Int)],
                          _ activations: QuantizedActivations) {
        pool.run { part in
            for product in products {
                let groups = self.pool.share(of: product.matrix.groupCount, part: part)
                product.matrix.multiply(activations, groups: groups, into: product.out, outStride: product.stride)
            }
        }
    }

    /// gate = silu(gate) * up; each thread handles the rows it computed.
    private func feedForwardGate(_ layer: LlamaLayer, count: Int) {
        let hidden = config.feedForwardLength
        pool.run { part in
            let groups = self.pool.share(of: layer.gate.groupCount, part: part)
            layer.gate.multiply(self.widthActivations, groups: groups, into: self.gate, outStride: hidden)
            layer.up.multiply(self.widthActivations, groups: groups, into: self.up, outStride: hidden)
            let rows = groups.lowerBound * 8..<groups.upperBound * 8
            for token in 0..<count {
                let offset = token * hidden + rows.lowerBound
                VectorMath.swiglu(self.gate + offset, self.up + offset, count: rows.count)
            }
        }
    }

    private func addResidual(count: Int) {
        for i in 0..<count * config.embeddingLength { residual[i] += projected[i] }
    }

    /// Scaled dot-product attention of one token's query head over its sequence's cache.
    private func attend(entry index: Int, head: Int, layer: Int, part: Int) {
        let entry = chunk[index]
        let dimension = config.headDimension
        let kvHead = head / (config.headCount / config.keyValueHeadCount)
        let query = queries + index * config.embeddingLength + head * dimension
        let scores = probabilities + part * config.contextLength
        let length = entry.position + 1

        let keys = entry.cache.key(layer: layer, position: 0) + kvHead * dimension
        let values = entry.cache.value(layer: layer, position: 0) + kvHead * dimension
        let stride = config.keyValueDimension
        VectorMath.attentionScores(query: query, keys: keys, stride: stride, count: length, dimension: dimension,
                                   scale: attentionScale, into: scores)
        VectorMath.softmax(scores, count: length)
        let out = attended + index * config.embeddingLength + head * dimension
        out.update(repeating: 0, count: dimension)
        VectorMath.attentionMix(weights: scores, values: values, stride: stride, count: length, dimension: dimension, into: out)
    }

    private func outputLogits(_ entries: [BatchEntry]) -> [[Float]] {
        let width = config.embeddingLength, vocabulary = config.vocabularySize
        let wanted = entries.indices.filter { entries[$0].wantsLogits }
        guard !wanted.isEmpty else { return [] }
        for (slot, index) in wanted.enumerated() {
            VectorMath.rmsNorm(residual + index * width, weight: weights.outputNorm, epsilon: config.normEpsilon, into: normed + slot * width)
        }
        widthActivations.quantize(normed, count: wanted.count, stride: width)
        let logits = UnsafeMutablePointer<Float>.allocate(capacity: wanted.count * vocabulary)
        defer { logits.deallocate() }
        multiply([(weights.output, logits, vocabulary)], widthActivations)
        return (0..<wanted.count).map { Array(UnsafeBufferPointer(start: logits + $0 * vocabulary, count: vocabulary)) }
    }
}
