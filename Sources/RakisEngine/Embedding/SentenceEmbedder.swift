import Foundation

/// all-MiniLM-L6-v2 as sentence-transformers runs it: WordPiece, the BERT encoder, mean pooling
/// over the tokens, L2 normalization. A text's embedding is the same bits whatever the batch it
/// is embedded in and the thread count (see `BertEncoder`).
public final class SentenceEmbedder: Sendable {
    public let tokenizer: WordPieceTokenizer
    public let encoder: BertEncoder
    /// The model's window, [CLS] and [SEP] included (sentence-transformers' max_seq_length).
    public let maxLength = 256
    /// At most this many tokens go through the encoder at once (bounds the activations' memory).
    let tokensPerPass = 8192

    /// Loads a sentence-transformers model directory (config.json, model.safetensors, vocab.txt).
    public init(directory: URL, threads: Int = 1) throws {
        tokenizer = try WordPieceTokenizer(vocabularyFile: directory.appendingPathComponent("vocab.txt"))
        encoder = try BertEncoder(directory: directory, threads: threads)
    }

    public var dimension: Int { encoder.config.hiddenSize }

    /// The unit-length embedding of one text.
    public func embed(_ text: String, longText: LongTextPolicy = .windows) -> [Float] {
        embed([text], longText: longText)[0]
    }

    /// The unit-length embeddings of several texts, evaluated together.
    public func embed(_ texts: [String], longText: LongTextPolicy = .windows) -> [[Float]] {
        let windows = texts.map { self.windows(of: $0, policy: longText) }
        let sequences = windows.flatMap { $0 }
        var hidden: [[Float]] = []
        hidden.reserveCapacity(sequences.count)
        var start = 0
        while start < sequences.count {
            var end = start, tokens = 0
            while end < sequences.count && (end == start || tokens + sequences[end].count <= tokensPerPass) {
                tokens += sequences[end].count
                end += 1
            }
            hidden += encoder.encode(Array(sequences[start..<end]))
            start = end
        }
        var next = 0
        return windows.map { textWindows in
            defer { next += textWindows.count }
            return meanPooled(hidden[next..<next + textWindows.count])
        }
    }

    /// The token sequences the encoder sees for `text` under `policy`.
    public func windows(of text: String, policy: LongTextPolicy) -> [[Int32]] {
        switch policy {
        case .truncate:
            return [tokenizer.encode(text, maxLength: maxLength)]
        case .windows:
            let pieces = tokenizer.pieces(text), perWindow = maxLength - 2
            guard !pieces.isEmpty else { return [[tokenizer.clsID, tokenizer.sepID]] }
            return stride(from: 0, to: pieces.count, by: perWindow).map { start in
                [tokenizer.clsID] + pieces[start..<min(start + perWindow, pieces.count)] + [tokenizer.sepID]
            }
        }
    }

    /// The mean of every token vector of every window, summed in double precision in order,
    /// then scaled to unit length.
    private func meanPooled(_ windows: ArraySlice<[Float]>) -> [Float] {
        var sums = [Double](repeating: 0, count: dimension)
        var tokens = 0
        for window in windows {
            let count = window.count / dimension
            for token in 0..<count {
                for i in 0..<dimension { sums[i] += Double(window[token * dimension + i]) }
            }
            tokens += count
        }
        let pooled = sums.map { Float($0 / Double(tokens)) }
        var squares: Double = 0
        for value in pooled { squares += Double(value * value) }
        let norm = Float(squares.squareRoot())
        return pooled.map { norm > 0 ? $0 / norm : 0 }
    }
}

/// What to do with a text longer than the model's 256-token window.
public enum LongTextPolicy: String, Sendable, CaseIterable {
    /// Embed consecutive windows of 254 word pieces (each wrapped in [CLS] ... [SEP]) and pool
    /// over all their tokens, so every part of the text counts, each token equally. The
    /// protocol's rule for LLM outputs. A text that fits one window embeds as with `truncate`.
    case windows
    /// Keep the first 254 word pieces, as sentence-transformers does.
    case truncate
}
