import Foundation

/// A BERT encoder's weights, read from safetensors (F32) and packed for the kernels.
struct BertWeights: Sendable {
    struct Layer: Sendable {
        /// Query, key and value stacked into one matrix (rows 0..<w, w..<2w, 2w..<3w), so one
        /// pass over the input computes all three.
        let queryKeyValue: FloatMatrix
        let attentionOutput: FloatMatrix
        let attentionNorm: LayerNorm
        let intermediate: FloatMatrix
        let output: FloatMatrix
        let outputNorm: LayerNorm
    }

    struct LayerNorm: Sendable {
        let weight: [Float], bias: [Float]

        init(_ file: SafetensorsFile, _ prefix: String, size: Int) throws {
            weight = try file.floats(prefix + ".weight", shape: [size])
            bias = try file.floats(prefix + ".bias", shape: [size])
        }
    }

    let wordEmbeddings: [Float], positionEmbeddings: [Float], tokenTypeEmbeddings: [Float]
    let embeddingNorm: LayerNorm
    let layers: [Layer]

    init(file: SafetensorsFile, config: BertConfig) throws {
        let width = config.hiddenSize, inner = config.intermediateSize
        wordEmbeddings = try file.floats("embeddings.word_embeddings.weight", shape: [config.vocabularySize, width])
        positionEmbeddings = try file.floats("embeddings.position_embeddings.weight", shape: [config.maxPositions, width])
        tokenTypeEmbeddings = try file.floats("embeddings.token_type_embeddings.weight", shape: [2, width])
        embeddingNorm = try LayerNorm(file, "embeddings.LayerNorm", size: width)

        func linear(_ prefixes: [String], rows: Int, columns: Int) throws -> FloatMatrix {
            var weights: [Float] = [], bias: [Float] = []
            for prefix in prefixes {
                weights += try file.floats(prefix + ".weight", shape: [rows, columns])
                bias += try file.floats(prefix + ".bias", shape: [rows])
            }
            return FloatMatrix(rows: rows * prefixes.count, columns: columns, weights: weights, bias: bias)
        }
        layers = try (0..<config.layerCount).map { index in
            let prefix = "encoder.layer.\(index)."
            let attention = prefix + "attention.self."
            return Layer(
                queryKeyValue: try linear([attention + "query", attention + "key", attention + "value"], rows: width, columns: width),
                attentionOutput: try linear([prefix + "attention.output.dense"], rows: width, columns: width),
                attentionNorm: try LayerNorm(file, prefix + "attention.output.LayerNorm", size: width),
                intermediate: try linear([prefix + "intermediate.dense"], rows: inner, columns: width),
                output: try linear([prefix + "output.dense"], rows: width, columns: inner),
                outputNorm: try LayerNorm(file, prefix + "output.LayerNorm", size: width))
        }
    }
}
