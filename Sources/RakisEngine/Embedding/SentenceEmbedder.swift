import Foundation

/// all-MiniLM-L6-v2 as sentence-transformers runs it: WordPiece (256 tokens at most), the BERT
/// encoder, mean pooling over the tokens, L2 normalization.
public final class SentenceEmbedder: Sendable {
    public let tokenizer: WordPieceTokenizer
    public let encoder: BertEncoder
    public let maxLength = 256

    /// Loads a sentence-transformers model directory (config.json, model.safetensors, vocab.txt).
    public init(directory: URL) throws {
        tokenizer = try WordPieceTokenizer(vocabularyFile: directory.appendingPathComponent("vocab.txt"))
        encoder = try BertEncoder(directory: directory)
    }

    public var dimension: Int { encoder.config.hiddenSize }

    /// The unit-length embedding of one text (truncated to `maxLength` tokens).
    public func embed(_ text: String) -> [Float] {
        let tokens = tokenizer.encode(text, maxLength: maxLength)
        let hidden = encoder.encode(tokens)
        var pooled = [Float](repeating: 0, count: dimension)
        for i in 0..<dimension {
            var sum: Double = 0
            for token in 0..<tokens.count { sum += Double(hidden[token * dimension + i]) }
            pooled[i] = Float(sum / Double(tokens.count))
        }
        var squares: Double = 0
        for value in pooled { squares += Double(value * value) }
        let norm = Float(squares.squareRoot())
        return pooled.map { norm > 0 ? $0 / norm : 0 }
    }
}
