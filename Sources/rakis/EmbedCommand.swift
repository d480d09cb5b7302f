import ArgumentParser
import Foundation
import RakisCore
import RakisEngine

extension LongTextPolicy: ExpressibleByArgument {}

struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Embed texts with the built-in embedding engine (all-MiniLM-L6-v2).",
        discussion: """
        Prints each text's unit-length float embedding and its binary embedding (bit i set iff \
        dimension i > 0, most significant bit first) as hex, keeping the first --bits bits \
        (Matryoshka truncation). Texts come from the arguments, or one per line on stdin. \
        A text longer than the model's 256-token window is embedded window by window and pooled \
        over all of them (--long-text windows, the protocol's rule), or truncated as \
        sentence-transformers does (--long-text truncate).
        """
    )

    @Option(help: "A catalog model name or a sentence-transformers model directory.")
    var model = "all-minilm-l6-v2"

    @Option(help: "Bits of the binary embedding to keep: 64, 128, 256 or 384.")
    var bits = 384

    @Option(name: .customLong("long-text"), help: "Texts over 256 tokens: windows or truncate.")
    var longText: LongTextPolicy = .windows

    @Option(help: "Threads for the encoder.")
    var threads = 1

    @Flag(help: "Print one JSON object per text: text, embedding, binary (hex), bits.")
    var json = false

    @Argument(help: "Texts to embed (default: one per line on stdin).")
    var texts: [String] = []

    func validate() throws {
        guard [64, 128, 256, 384].contains(bits) else { throw ValidationError("--bits must be 64, 128, 256 or 384") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be in 1...64") }
    }

    struct Output: Encodable {
        let text: String
        let embedding: [Float]
        let binary: String
        let bits: Int
    }

    func run() throws {
        let embedder = try SentenceEmbedder(directory: Models.store().resolve(model), threads: threads)
        let inputs = texts.isEmpty ? Array(AnyIterator { readLine(strippingNewline: true) }) : texts
        for (text, embedding) in zip(inputs, embedder.embed(inputs, longText: longText)) {
            let binary = BinaryEmbedding(signsOf: embedding).truncated(to: min(bits, embedding.count))
            if json {
                try printJSON(Output(text: text, embedding: embedding, binary: binary.hex, bits: binary.bitCount))
            } else {
                print(text)
                print("  binary (\(binary.bitCount) bits): \(binary.hex)")
                print("  embedding: [" + embedding.map { String(format: "%.6f", $0) }.joined(separator: ", ") + "]")
            }
        }
    }
}
