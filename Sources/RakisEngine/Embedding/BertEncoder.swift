import Foundation

/// A BERT encoder (all-MiniLM-L6-v2's: post-norm layers, exact GELU), evaluating several
/// sequences together.
///
/// The sequences' tokens are laid end to end, so every linear layer is one matrix product over
/// all of them; only attention looks across tokens, and it stays within each sequence. No value
/// is ever summed across sequences and every sum has a fixed order (the matrix products' FMA
/// chains, LayerNorm's lane sums in double precision), so a sequence's hidden states are the same
/// bits alone or in any batch. Threads split output rows (matrix row groups, attention heads,
/// tokens), never a sum, so the thread count does not change them either.
public final class BertEncoder: @unchecked Sendable {
    public let config: BertConfig
    let weights: BertWeights
    private let pool: WorkerPool
    // The pool runs one job at a time; the lock also guards `keptBuffers`.
    private let lock = NSLock()
    /// Batches of up to this many tokens share one set of activation buffers (about 32 MB),
    /// kept between calls: fresh large allocations cost a page fault per page every time.
    private let keptBufferTokens = 2048
    private var keptBuffers: Buffers?

    /// Loads config.json and model.safetensors from a sentence-transformers model directory.
    public init(directory: URL, threads: Int = 1) throws {
        config = try BertConfig(configFile: directory.appendingPathComponent("config.json"))
        let file = try SafetensorsFile(path: directory.appendingPathComponent("model.safetensors").path)
        weights = try BertWeights(file: file, config: config)
        pool = WorkerPool(threads: threads)
    }

    deinit { keptBuffers?.deallocate() }

    /// The last hidden states of each sequence of token ids (1...maxPositions tokens), as
    /// tokens x hiddenSize floats.
    public func encode(_ sequences: [[Int32]]) -> [[Float]] {
        precondition(sequences.allSatisfy { !$0.isEmpty && $0.count <= config.maxPositions },
                     "each sequence needs 1...\(config.maxPositions) tokens")
        guard !sequences.isEmpty else { return [] }
        lock.lock()
        defer { lock.unlock() }

        let batch = Batch(sequences)
        let width = config.hiddenSize
        let keep = batch.tokenCount <= keptBufferTokens
        let buffers = keep
            ? keptBuffers ?? Buffers(tokens: keptBufferTokens, config: config, threads: pool.threadCount, longest: config.maxPositions)
            : Buffers(tokens: batch.tokenCount, config: config, threads: pool.threadCount, longest: sequences.map(\.count).max()!)
        if keep { keptBuffers = buffers }
        defer { if !keep { buffers.deallocate() } }

        embed(batch, into: buffers.hidden)
        for layer in weights.layers {
            multiply(layer.queryKeyValue, buffers.hidden, tokens: batch.tokenCount, into: buffers.queryKeyValue)
            attention(batch, buffers)
            multiply(layer.attentionOutput, buffers.context, tokens: batch.tokenCount, into: buffers.projected)
            addAndNormalize(buffers.projected, residual: buffers.hidden, layer.attentionNorm, tokens: batch.tokenCount)
            multiply(layer.intermediate, buffers.hidden, tokens: batch.tokenCount, into: buffers.inner, gelu: true)
            multiply(layer.output, buffers.inner, tokens: batch.tokenCount, into: buffers.projected)
            addAndNormalize(buffers.projected, residual: buffers.hidden, layer.outputNorm, tokens: batch.tokenCount)
        }
        return batch.ranges.map { Array(buffers.hidden[$0.lowerBound * width..<$0.upperBound * width]) }
    }

    /// hidden = LayerNorm(word + token type 0 + position embedding), token by token.
    private func embed(_ batch: Batch, into hidden: UnsafeMutableBufferPointer<Float>) {
        let width = config.hiddenSize
        for (sequence, range) in zip(batch.sequences, batch.ranges) {
            for (position, token) in sequence.enumerated() {
                let row = (range.lowerBound + position) * width
                for i in 0..<width {
                    hidden[row + i] = (weights.wordEmbeddings[Int(token) * width + i] + weights.tokenTypeEmbeddings[i])
                        + weights.positionEmbeddings[position * width + i]
                }
            }
        }
        let pool = pool
        pool.run { [self] part in
            for token in pool.share(of: batch.tokenCount, part: part) {
                normalize(hidden.baseAddress! + token * width, weights.embeddingNorm)
            }
        }
    }

    /// out = matrix * x for every token (GELU of it with `gelu`), each thread taking a share of
    /// the row groups.
    private func multiply(_ matrix: FloatMatrix, _ x: UnsafeMutableBufferPointer<Float>, tokens: Int,
                          into out: UnsafeMutableBufferPointer<Float>, gelu: Bool = false) {
        let pool = pool
        pool.run { part in
            let groups = pool.share(of: matrix.groupCount, part: part)
            guard !groups.isEmpty else { return }
            matrix.multiply(x.baseAddress!, stride: matrix.columns, tokens: tokens, groups: groups,
                            into: out.baseAddress!, outStride: matrix.rows, gelu: gelu)
        }
    }

    /// Multi-head self-attention within each sequence (every token sees every token of its own
    /// sequence). Per sequence and head it is two products with the linear layers' kernel:
    /// scores = Q K^T (the keys copied into groups of eight), scaled and softmaxed row by row,
    /// then context = scores V (the values read where they are). Threads split the (sequence,
    /// head) pairs.
    private func attention(_ batch: Batch, _ buffers: Buffers) {
        let width = config.hiddenSize, dimension = config.headDimension, heads = config.headCount
        let stride = 3 * width  // a token's query, key and value rows
        let scale = 1 / Float(dimension).squareRoot()
        let pool = pool
        pool.run { part in
            let keys = buffers.keys(part: part), scores = buffers.scores(part: part), zeros = buffers.zeros.baseAddress!
            // Round robin, so that long sequences' heads are spread over the threads.
            for job in Swift.stride(from: part, to: batch.sequences.count * heads, by: pool.threadCount) {
                let (sequence, head) = job.quotientAndRemainder(dividingBy: heads)
                let range = batch.ranges[sequence]
                let count = range.count, padded = (count + 7) / 8 * 8
                let queries = UnsafePointer(buffers.queryKeyValue.baseAddress! + range.lowerBound * stride + head * dimension)

                // Key p, dimension d goes to lane p % 8 of column d of group p / 8; keys past the
                // last are zero and their scores ignored.
                for key in 0..<padded {
                    let target = keys + (key / 8 * dimension) * 8 + key % 8
                    for d in 0..<dimension { target[d * 8] = key < count ? queries[width + key * stride + d] : 0 }
                }
                FloatWeights(base: keys, groupStride: dimension * 8, columnStride: 8, columns: dimension)
                    .multiply(queries, stride: stride, tokens: count, groups: 0..<padded / 8, bias: zeros,
                              into: scores, outStride: padded)
                for token in 0..<count {
                    let row = scores + token * padded
                    for key in 0..<count { row[key] *= scale }
                    VectorMath.softmax(row, count: count)
                }
                FloatWeights(base: queries + 2 * width, groupStride: 8, columnStride: stride, columns: count)
                    .multiply(scores, stride: padded, tokens: count, groups: 0..<dimension / 8, bias: zeros,
                              into: buffers.context.baseAddress! + range.lowerBound * width + head * dimension, outStride: width)
            }
        }
    }

    private func normalize(_ x: UnsafeMutablePointer<Float>, _ norm: BertWeights.LayerNorm) {
        VectorMath.layerNorm(x, weight: norm.weight, bias: norm.bias, epsilon: config.layerNormEpsilon)
    }

    /// hidden = LayerNorm(projected + hidden), token by token.
    private func addAndNormalize(_ projected: UnsafeMutableBufferPointer<Float>, residual hidden: UnsafeMutableBufferPointer<Float>,
                                 _ norm: BertWeights.LayerNorm, tokens: Int) {
        let width = config.hiddenSize
        let pool = pool
        pool.run { [self] part in
            for token in pool.share(of: tokens, part: part) {
                let row = token * width
                for i in row..<row + width { hidden[i] = projected[i] + hidden[i] }
                normalize(hidden.baseAddress! + row, norm)
            }
        }
    }
}

/// Sequences laid end to end: sequence i holds tokens ranges[i] of the batch.
private struct Batch {
    let sequences: [[Int32]]
    let ranges: [Range<Int>]
    let tokenCount: Int

    init(_ sequences: [[Int32]]) {
        self.sequences = sequences
        var start = 0
        ranges = sequences.map { sequence in
            defer { start += sequence.count }
            return start..<start + sequence.count
        }
        tokenCount = start
    }
}

/// The activations of a batch of up to `tokens` tokens, and each thread's attention scratch for
/// sequences of up to `longest` tokens.
private struct Buffers {
    let hidden, queryKeyValue, context, projected, inner: UnsafeMutableBufferPointer<Float>
    /// Per thread: one head's keys in groups of eight, then its score matrix.
    let attentionScratch: UnsafeMutableBufferPointer<Float>
    /// Zero biases for attention's products.
    let zeros: UnsafeMutableBufferPointer<Float>
    private let keysPerThread, scoresPerThread: Int

    init(tokens: Int, config: BertConfig, threads: Int, longest: Int) {
        let width = config.hiddenSize
        hidden = .allocate(capacity: tokens * width)
        queryKeyValue = .allocate(capacity: tokens * 3 * width)
        context = .allocate(capacity: tokens * width)
        projected = .allocate(capacity: tokens * width)
        inner = .allocate(capacity: tokens * config.intermediateSize)
        let padded = (longest + 7) / 8 * 8
        keysPerThread = padded * config.headDimension
        scoresPerThread = longest * padded
        attentionScratch = .allocate(capacity: threads * (keysPerThread + scoresPerThread))
        zeros = .allocate(capacity: max(padded, config.headDimension))
        zeros.initialize(repeating: 0)
    }

    func keys(part: Int) -> UnsafeMutablePointer<Float> {
        attentionScratch.baseAddress! + part * (keysPerThread + scoresPerThread)
    }

    func scores(part: Int) -> UnsafeMutablePointer<Float> {
        keys(part: part) + keysPerThread
    }

    func deallocate() {
        for buffer in [hidden, queryKeyValue, context, projected, inner, attentionScratch, zeros] { buffer.deallocate() }
    }
}
