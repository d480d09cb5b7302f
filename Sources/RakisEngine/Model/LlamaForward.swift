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
/// The other families (`LlamaConfig.Family`) add, where marked: Qwen 2 the projection biases and
/// rotary halves; Qwen 3 query and key norms and rotary halves; Gemma 3 the embedding scale,
/// query and key norms, norms of each block's output, a GeGLU gate, rotary halves, and
/// sliding-window layers.
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
    /// Gemma 3's sliding-window layers rotate with another base.
    private let slidingThetaScale: Float
    private let attentionScale: Float
    private let embeddingScale: Float?
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
    private let slidingCosines: UnsafeMutablePointer<Float>
    private let slidingSines: UnsafeMutablePointer<Float>
    private let probabilities: UnsafeMutablePointer<Float>
    private let widthActivations: QuantizedActivations
    private let queryActivations: QuantizedActivations
    private let hiddenActivations: QuantizedActivations
    private var chunk: [BatchEntry] = []

    public init(config: LlamaConfig, weights: LlamaWeights, pool: WorkerPool, maxBatch: Int = 64) {
        self.config = config
        self.weights = weights
        self.pool = pool
        self.maxBatch = maxBatch
        let width = config.embeddingLength, kvWidth = config.keyValueDimension, hidden = config.feedForwardLength
        let queryWidth = config.queryDimension
        thetaScale = Float(EngineMath.pow(config.ropeBase, -2 / Double(config.headDimension)))
        slidingThetaScale = Float(EngineMath.pow(config.slidingRopeBase, -2 / Double(config.headDimension)))
        attentionScale = 1 / Float(config.headDimension).squareRoot()
        embeddingScale = config.family == .gemma3 ? Float(width).squareRoot() : nil
        residual = .allocate(capacity: maxBatch * width)
        normed = .allocate(capacity: maxBatch * width)
        queries = .allocate(capacity: maxBatch * queryWidth)
        keys = .allocate(capacity: maxBatch * kvWidth)
        values = .allocate(capacity: maxBatch * kvWidth)
        attended = .allocate(capacity: maxBatch * queryWidth)
        projected = .allocate(capacity: maxBatch * width)
        gate = .allocate(capacity: maxBatch * hidden)
        up = .allocate(capacity: maxBatch * hidden)
        cosines = .allocate(capacity: maxBatch * config.headDimension / 2)
        sines = .allocate(capacity: maxBatch * config.headDimension / 2)
        slidingCosines = .allocate(capacity: maxBatch * config.headDimension / 2)
        slidingSines = .allocate(capacity: maxBatch * config.headDimension / 2)
        probabilities = .allocate(capacity: pool.threadCount * config.contextLength)
        widthActivations = QuantizedActivations(columns: width, capacity: maxBatch)
        queryActivations = QuantizedActivations(columns: queryWidth, capacity: maxBatch)
        hiddenActivations = QuantizedActivations(columns: hidden, capacity: maxBatch)
    }

    deinit {
        for buffer in [residual, normed, queries, keys, values, attended, projected, gate, up, cosines, sines, slidingCosines,
                       slidingSines, probabilities] {
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
        let width = config.embeddingLength, kvWidth = config.keyValueDimension, queryWidth = config.queryDimension
        let half = config.headDimension / 2
        let gemma = config.family == .gemma3

        for (index, entry) in entries.enumerated() {
            precondition(entry.position < entry.cache.capacity, "position beyond the sequence's cache")
            weights.tokenEmbedding.dequantizeRow(Int(entry.token), into: residual + index * width)
            if let embeddingScale {  // Gemma 3
                for i in 0..<width { residual[index * width + i] *= embeddingScale }
            }
            rotaryAngles(position: entry.position, scale: thetaScale, cos: cosines + index * half, sin: sines + index * half)
            if gemma {
                rotaryAngles(position: entry.position, scale: slidingThetaScale, cos: slidingCosines + index * half, sin: slidingSines + index * half)
            }
        }

        for (layerIndex, layer) in weights.layers.enumerated() {
            let sliding = config.isSliding(layer: layerIndex)
            let (cos, sin) = sliding ? (slidingCosines, slidingSines) : (cosines, sines)
            // Attention block.
            for index in 0..<count {
                VectorMath.rmsNorm(residual + index * width, weight: layer.attentionNorm, epsilon: config.normEpsilon, into: normed + index * width)
            }
            widthActivations.quantize(normed, count: count, stride: width)
            multiply([(layer.query, queries, queryWidth), (layer.key, keys, kvWidth), (layer.value, values, kvWidth)], widthActivations)
            addProjectionBiases(layer, count: count)
            for (index, entry) in entries.enumerated() {
                let query = queries + index * queryWidth, key = keys + index * kvWidth
                if let queryNorm = layer.queryNorm, let keyNorm = layer.keyNorm {  // Qwen 3, Gemma 3
                    normalizeHeads(query, heads: config.headCount, weight: queryNorm)
                    normalizeHeads(key, heads: config.keyValueHeadCount, weight: keyNorm)
                }
                let rotate = config.rotatesHalves ? VectorMath.rotateHalves : VectorMath.rotate
                rotate(query, config.headCount, config.headDimension, cos + index * half, sin + index * half)
                rotate(key, config.keyValueHeadCount, config.headDimension, cos + index * half, sin + index * half)
                KVCache.storeRounded(key, into: entry.cache.key(layer: layerIndex, position: entry.position), count: kvWidth)
                KVCache.storeRounded(values + index * kvWidth, into: entry.cache.value(layer: layerIndex, position: entry.position), count: kvWidth)
                KVCache.storeRounded(query, into: query, count: queryWidth)
            }
            let pairs = count * config.headCount
            pool.run { part in
                for pair in self.pool.share(of: pairs, part: part) {
                    self.attend(entry: pair / self.config.headCount, head: pair % self.config.headCount, layer: layerIndex,
                                sliding: sliding, part: part)
                }
            }
            queryActivations.quantize(attended, count: count, stride: queryWidth)
            multiply([(layer.attentionOutput, projected, width)], queryActivations)
            addResidual(count: count, norm: layer.postAttentionNorm)

            // Feed-forward block.
            for index in 0..<count {
                VectorMath.rmsNorm(residual + index * width, weight: layer.feedForwardNorm, epsilon: config.normEpsilon, into: normed + index * width)
            }
            widthActivations.quantize(normed, count: count, stride: width)
            feedForwardGate(layer, count: count)
            hiddenActivations.quantize(gate, count: count, stride: config.feedForwardLength)
            multiply([(layer.down, projected, width)], hiddenActivations)
            addResidual(count: count, norm: layer.postFeedForwardNorm)
        }
        for entry in entries { entry.cache.count = max(entry.cache.count, entry.position + 1) }
        return outputLogits(entries)
    }

    /// cos and sin of position * base^(-2i/d) for each rotated pair i, with the angle advanced
    /// by repeated multiplication in single precision as llama.cpp does.
    private func rotaryAngles(position: Int, scale: Float, cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>) {
        var theta = Float(position)
        for i in 0..<config.headDimension / 2 {
            let (sine, cosine) = EngineMath.sinCos(Double(theta))
            cos[i] = Float(cosine)
            sin[i] = Float(sine)
            theta *= scale
        }
    }

    /// queries, keys and values += their projection's bias, if the layer has them (Qwen 2).
    private func addProjectionBiases(_ layer: LlamaLayer, count: Int) {
        guard let queryBias = layer.queryBias, let keyBias = layer.keyBias, let valueBias = layer.valueBias else { return }
        for (out, bias) in [(queries, queryBias), (keys, keyBias), (values, valueBias)] {
            for index in 0..<count {
                let row = out + index * bias.count
                for i in 0..<bias.count { row[i] += bias[i] }
            }
        }
    }

    /// RMSNorm of each of `heads` heads of `x` on its own, in place, with the same weight.
    private func normalizeHeads(_ x: UnsafeMutablePointer<Float>, heads: Int, weight: [Float]) {
        let dimension = config.headDimension
        for head in 0..<heads {
            VectorMath.rmsNorm(x + head * dimension, weight: weight, epsilon: config.normEpsilon, into: x + head * dimension)
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

    /// gate = silu(gate) * up (Gemma 3: geluTanh(gate) * up); each thread handles the rows it computed.
    private func feedForwardGate(_ layer: LlamaLayer, count: Int) {
        let hidden = config.feedForwardLength
        pool.run { part in
            let groups = self.pool.share(of: layer.gate.groupCount, part: part)
            layer.gate.multiply(self.widthActivations, groups: groups, into: self.gate, outStride: hidden)
            layer.up.multiply(self.widthActivations, groups: groups, into: self.up, outStride: hidden)
            let rows = groups.lowerBound * 8..<groups.upperBound * 8
            for token in 0..<count {
                let offset = token * hidden + rows.lowerBound
                if self.config.family == .gemma3 {
                    VectorMath.geglu(self.gate + offset, self.up + offset, count: rows.count)
                } else {
                    VectorMath.swiglu(self.gate + offset, self.up + offset, count: rows.count)
                }
            }
        }
    }

    /// residual += projected, normed first if the block has an output norm (Gemma 3).
    private func addResidual(count: Int, norm: [Float]?) {
        let width = config.embeddingLength
        if let norm {
            for index in 0..<count {
                VectorMath.rmsNorm(projected + index * width, weight: norm, epsilon: config.normEpsilon, into: projected + index * width)
            }
        }
        for i in 0..<count * width { residual[i] += projected[i] }
    }

    /// Scaled dot-product attention of one token's query head over its sequence's cache (in a
    /// sliding-window layer, over the window's last positions only).
    private func attend(entry index: Int, head: Int, layer: Int, sliding: Bool, part: Int) {
        let entry = chunk[index]
        let dimension = config.headDimension
        let kvHead = head / (config.headCount / config.keyValueHeadCount)
        let query = queries + index * config.queryDimension + head * dimension
        let scores = probabilities + part * config.contextLength
        let first = sliding ? max(0, entry.position + 1 - config.slidingWindow!) : 0
        let length = entry.position + 1 - first

        let keys = entry.cache.key(layer: layer, position: first) + kvHead * dimension
        let values = entry.cache.value(layer: layer, position: first) + kvHead * dimension
        let stride = config.keyValueDimension
        VectorMath.attentionScores(query: query, keys: keys, stride: stride, count: length, dimension: dimension,
                                   scale: attentionScale, into: scores)
        VectorMath.softmax(scores, count: length)
        let out = attended + index * config.queryDimension + head * dimension
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
