import Foundation

/// The hyperparameters of a BERT encoder, from its config.json.
public struct BertConfig: Sendable, Equatable {
    public let hiddenSize: Int
    public let layerCount: Int
    public let headCount: Int
    public let intermediateSize: Int
    public let maxPositions: Int
    public let vocabularySize: Int
    public let layerNormEpsilon: Float

    public var headDimension: Int { hiddenSize / headCount }

    public init(configFile: URL) throws {
        guard let data = try? Data(contentsOf: configFile),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw SafetensorsError.cannotOpen(path: configFile.path, reason: "missing or not a JSON object")
        }
        func integer(_ key: String) throws -> Int {
            guard let value = object[key] as? Int, value > 0 else {
                throw SafetensorsError.corrupt(path: configFile.path, reason: "'\(key)' is missing or not a positive integer")
            }
            return value
        }
        hiddenSize = try integer("hidden_size")
        layerCount = try integer("num_hidden_layers")
        headCount = try integer("num_attention_heads")
        intermediateSize = try integer("intermediate_size")
        maxPositions = try integer("max_position_embeddings")
        vocabularySize = try integer("vocab_size")
        layerNormEpsilon = Float((object["layer_norm_eps"] as? Double) ?? 1e-12)
        guard hiddenSize % headCount == 0, (hiddenSize / headCount) % 8 == 0, hiddenSize % 8 == 0, intermediateSize % 8 == 0 else {
            throw SafetensorsError.corrupt(path: configFile.path, reason: "hidden size \(hiddenSize) does not split into \(headCount) heads of a multiple of 8")
        }
    }
}
