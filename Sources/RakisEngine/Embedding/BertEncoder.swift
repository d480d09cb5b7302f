import Foundation

/// A BERT encoder's weights (F32), as PyTorch stores linear layers: weight[out][in].
struct BertLayerWeights: Sendable {
    let query: Linear, key: Linear, value: Linear, attentionOutput: Linear
    let attentionNorm: LayerNormWeights
    let intermediate: Linear, output: Linear
    let outputNorm: LayerNormWeights
}

struct Linear: Sendable {
    let weight: [Float]  // rows x columns
    let bias: [Float]
    let rows: Int, columns: Int

    init(_ file: SafetensorsFile, _ prefix: String, rows: Int, columns: Int) throws {
        weight = try file.floats(prefix + ".weight", shape: [rows, columns])
        bias = try file.floats(prefix + ".bias", shape: [rows])
        self.rows = rows
        self.columns = columns
    }
}

struct LayerNormWeights: Sendable {
    let weight: [Float], bias: [Float]

    init(_ file: SafetensorsFile, _ prefix: String, size: Int) throws {
        weight = try file.floats(prefix + ".weight", shape: [size])
        bias = try file.floats(prefix + ".bias", shape: [size])
    }
}

/// The BERT encoder in plain Swift, one sequence at a time: the arithmetic every faster version
/// must reproduce. Each value is computed in a fixed order (dot products by `VectorMath.dot`,
/// normalization sums in double precision), so a text's vectors never depend on anything but
/// the text.
public final class BertEncoder: Sendable {
    public let config: BertConfig
    let wordEmbeddings: [Float], positionEmbeddings: [Float], tokenTypeEmbeddings: [Float]
    let embeddingNorm: LayerNormWeights
    let layers: [BertLayerWeights]

    public init(directory: URL) throws {
        let config = try BertConfig(configFile: directory.appendingPathComponent("config.json"))
        let file = try SafetensorsFile(path: directory.appendingPathComponent("model.safetensors").path)
        let width = config.hiddenSize, inner = config.intermediateSize
        self.config = config
        wordEmbeddings = try file.floats("embeddings.word_embeddings.weight", shape: [config.vocabularySize, width])
        positionEmbeddings = try file.floats("embeddings.position_embeddings.weight", shape: [config.maxPositions, width])
        tokenTypeEmbeddings = try file.floats("embeddings.token_type_embeddings.weight", shape: [2, width])
        embeddingNorm = try LayerNormWeights(file, "embeddings.LayerNorm", size: width)
        layers = try (0..<config.layerCount).map { index in
            let prefix = "encoder.layer.\(index)."
            return BertLayerWeights(
                query: try Linear(file, prefix + "attention.self.query", rows: width, columns: width),
                key: try Linear(file, prefix + "attention.self.key", rows: width, columns: width),
                value: try Linear(file, prefix + "attention.self.value", rows: width, columns: width),
                attentionOutput: try Linear(file, prefix + "attention.output.dense", rows: width, columns: width),
                attentionNorm: try LayerNormWeights(file, prefix + "attention.output.LayerNorm", size: width),
                intermediate: try Linear(file, prefix + "intermediate.dense", rows: inner, columns: width),
                output: try Linear(file, prefix + "output.dense", rows: width, columns: inner),
                outputNorm: try LayerNormWeights(file, prefix + "output.LayerNorm", size: width))
        }
    }

    /// The last hidden state, tokens x hiddenSize, of one sequence of token ids.
    public func encode(_ tokens: [Int32]) -> [Float] {
        precondition(!tokens.isEmpty && tokens.count <= config.maxPositions)
        let width = config.hiddenSize, count = tokens.count
        var hidden = [Float](repeating: 0, count: count * width)
        for (position, token) in tokens.enumerated() {
            for i in 0..<width {
                hidden[position * width + i] = (wordEmbeddings[Int(token) * width + i] + tokenTypeEmbeddings[i])
                    + positionEmbeddings[position * width + i]
            }
        }
        layerNorm(&hidden, count: count, embeddingNorm)
        for layer in layers {
            let attended = attention(hidden, count: count, layer)
            var projected = linear(attended, count: count, layer.attentionOutput)
            for i in projected.indices { projected[i] += hidden[i] }
            layerNorm(&projected, count: count, layer.attentionNorm)
            hidden = projected
            var inner = linear(hidden, count: count, layer.intermediate)
            for i in inner.indices { inner[i] = EngineMath.gelu(inner[i]) }
            var output = linear(inner, count: count, layer.output)
            for i in output.indices { output[i] += hidden[i] }
            layerNorm(&output, count: count, layer.outputNorm)
            hidden = output
        }
        return hidden
    }

    /// y = W x + b for each of `count` rows of x.
    private func linear(_ x: [Float], count: Int, _ layer: Linear) -> [Float] {
        var out = [Float](repeating: 0, count: count * layer.rows)
        x.withUnsafeBufferPointer { x in
            layer.weight.withUnsafeBufferPointer { weight in
                for token in 0..<count {
                    for row in 0..<layer.rows {
                        out[token * layer.rows + row] = VectorMath.dot(
                            weight.baseAddress! + row * layer.columns, x.baseAddress! + token * layer.columns, count: layer.columns)
                            + layer.bias[row]
                    }
                }
            }
        }
        return out
    }

    /// Multi-head self-attention over the whole sequence (every token sees every token), with
    /// the attention loops the LLM engine uses.
    private func attention(_ hidden: [Float], count: Int, _ layer: BertLayerWeights) -> [Float] {
        let width = config.hiddenSize, dimension = config.headDimension
        let queries = linear(hidden, count: count, layer.query)
        let keys = linear(hidden, count: count, layer.key)
        let values = linear(hidden, count: count, layer.value)
        let scale = 1 / Float(dimension).squareRoot()
        var out = [Float](repeating: 0, count: count * width)
        var scores = [Float](repeating: 0, count: count)
        queries.withUnsafeBufferPointer { q in
            keys.withUnsafeBufferPointer { k in
                values.withUnsafeBufferPointer { v in
                    out.withUnsafeMutableBufferPointer { out in
                        scores.withUnsafeMutableBufferPointer { scores in
                            for head in 0..<config.headCount {
                                for token in 0..<count {
                                    let offset = token * width + head * dimension
                                    VectorMath.attentionScores(query: q.baseAddress! + offset, keys: k.baseAddress! + head * dimension,
                                                               stride: width, count: count, dimension: dimension, scale: scale,
                                                               into: scores.baseAddress!)
                                    VectorMath.softmax(scores.baseAddress!, count: count)
                                    VectorMath.attentionMix(weights: scores.baseAddress!, values: v.baseAddress! + head * dimension,
                                                            stride: width, count: count, dimension: dimension, into: out.baseAddress! + offset)
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// LayerNorm of each row: mean and variance in double precision, in order.
    private func layerNorm(_ x: inout [Float], count: Int, _ norm: LayerNormWeights) {
        let width = config.hiddenSize
        for token in 0..<count {
            let base = token * width
            var sum: Double = 0
            for i in 0..<width { sum += Double(x[base + i]) }
            let mean = Float(sum / Double(width))
            var squares: Double = 0
            for i in 0..<width {
                let centered = x[base + i] - mean
                squares += Double(centered * centered)
            }
            let inverse = 1 / (Float(squares / Double(width)) + config.layerNormEpsilon).squareRoot()
            for i in 0..<width {
                x[base + i] = ((x[base + i] - mean) * inverse) * norm.weight[i] + norm.bias[i]
            }
        }
    }
}
