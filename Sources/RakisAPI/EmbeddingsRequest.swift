import Foundation
import RakisCore

/// A `POST /v1/embeddings` body: texts for one of this node's own embedding models (the ones it
/// compares outputs with), answered by this node alone. Embeddings are deterministic, so any
/// node gives the same floats; nothing here needs the network's agreement.
struct EmbeddingsRequest: Sendable {
    enum Encoding: String, Sendable {
        case float, base64
    }

    let model: String
    let texts: [String]
    let encoding: Encoding
    /// `dimensions`: the leading components kept, scaled back to unit length (Matryoshka).
    let dimensions: Int?

    /// One request embeds at most this many texts (each within the protocol's prompt limit).
    static let maxTexts = 256

    init(_ body: JSONObjectReader, models: [String]) throws {
        try OpenAIParameter.check(body, against: OpenAIParameter.embeddings, endpoint: "/v1/embeddings")
        do {
            model = try body.string("model")
            guard models.contains(model) else {
                throw APIError.badRequest("embedding model \(model.debugDescription) is not on this node (it has \(models.joined(separator: ", ")))", param: "model")
            }
            switch body.optionalValue("input") {
            case let .string(text)?: texts = [text]
            case .array?: texts = try body.stringArray("input")
            case let other?: throw JSONShapeError(path: "input", message: "expected a string or a list of strings (token ids are not supported), found \(other.typeName)")
            case nil: throw JSONShapeError(path: "input", message: "missing required field")
            }
            guard (1...Self.maxTexts).contains(texts.count) else {
                throw JSONShapeError(path: "input", message: "\(texts.count) texts, give 1 to \(Self.maxTexts)")
            }
            for (index, text) in texts.enumerated() where text.utf8.count > Limits.maxPromptBytes {
                throw JSONShapeError(path: "input[\(index)]", message: "\(text.utf8.count) bytes, limit \(Limits.maxPromptBytes)")
            }
            let format = try body.optionalString("encoding_format") ?? "float"
            guard let encoding = Encoding(rawValue: format) else {
                throw JSONShapeError(path: "encoding_format", message: "\(format.debugDescription) is not one of float, base64")
            }
            self.encoding = encoding
            dimensions = try body.optionalInt("dimensions")
        } catch let error as JSONShapeError {
            throw APIError.shape(error)
        }
    }

    /// OpenAI's `list` of `embedding` objects.
    func answer(_ vectors: [[Float]], tokens: Int) throws -> JSONValue {
        let data: [JSONValue] = try vectors.enumerated().map { index, vector in
            ["object": "embedding", "index": .number(Double(index)), "embedding": encoded(try truncated(vector))]
        }
        return ["object": "list", "data": .array(data), "model": .string(model),
                "usage": ["prompt_tokens": .number(Double(tokens)), "total_tokens": .number(Double(tokens))]]
    }

    private func truncated(_ vector: [Float]) throws -> [Float] {
        guard let dimensions else { return vector }
        guard (1...vector.count).contains(dimensions) else {
            throw APIError.badRequest("dimensions: must be in 1...\(vector.count) for \(model)", param: "dimensions")
        }
        let kept = vector.prefix(dimensions)
        let norm = kept.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? kept.map { $0 / norm } : Array(kept)
    }

    /// A list of numbers, or base64 of the little-endian float32 bytes, as OpenAI encodes them.
    private func encoded(_ vector: [Float]) -> JSONValue {
        switch encoding {
        case .float:
            return .array(vector.map { .number(Double($0)) })
        case .base64:
            var bytes: [UInt8] = []
            bytes.reserveCapacity(vector.count * 4)
            for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
            return .string(Data(bytes).base64EncodedString())
        }
    }
}
