import ArgumentParser
import Foundation
import RakisCore
import RakisEngine

/// `rakis bench embed`: sentences per second of the embedding engine on a file of texts, so
/// `benchmarks/embed.sh` can put sentence-transformers' figure for the same texts beside it.
struct EmbedBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Sentences per second of the embedding engine (build with -c release).",
        discussion: """
        Embeds every line of --file in batches of --batch-size, truncated at 256 tokens as \
        sentence-transformers does, and reports the median sentences per second of \
        --repetitions passes after one warm-up, for each thread count. benchmarks/embed.sh runs \
        sentence-transformers on the same file in the same run and prints ratios.
        """
    )

    @Option(help: "A catalog model name or a sentence-transformers model directory.")
    var model = "all-minilm-l6-v2"

    @Option(help: "The texts, one per line.")
    var file = "benchmarks/embed_sentences.txt"

    @Option(help: "Thread counts to measure, comma-separated.")
    var threads = "1,2"

    @Option(help: "Timed passes over the texts per thread count.")
    var repetitions = 5

    @Option(name: .customLong("batch-size"), help: "Texts per call to the encoder.")
    var batchSize = 32

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    struct Result: Encodable {
        let threads: Int
        let sentencesPerSecond: Double
        let peakResidentBytes: Int
    }

    struct Report: Encodable {
        let engine = "rakis"
        let model: String
        let sentences: Int
        let tokens: Int
        let sentencesSha256: String
        let batchSize: Int
        let simdKernels: Bool
        let repetitions: Int
        let results: [Result]
    }

    func run() throws {
        let threadCounts = try Measurements.threadCounts(threads)
        guard repetitions >= 1, batchSize >= 1 else { throw ValidationError("--repetitions and --batch-size must be positive") }
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("cannot read the texts file \(file) (one text per line, UTF-8)")
        }
        let texts = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard !texts.isEmpty else { throw ValidationError("\(file) holds no texts") }
        let directory = try Models.store().resolve(model)

        let tokenizer = try WordPieceTokenizer(vocabularyFile: directory.appendingPathComponent("vocab.txt"))
        let tokens = texts.reduce(0) { $0 + tokenizer.encode($1).count }  // truncated at 256, as embedded
        var results: [Result] = []
        for count in threadCounts {
            let embedder = try SentenceEmbedder(directory: directory, threads: count)
            var rates: [Double] = []
            for repetition in 0...repetitions {
                let start = ContinuousClock.now
                for batch in stride(from: 0, to: texts.count, by: batchSize) {
                    _ = embedder.embed(Array(texts[batch..<min(batch + batchSize, texts.count)]), longText: .truncate)
                }
                let seconds = (ContinuousClock.now - start) / .seconds(1)
                if repetition > 0 { rates.append(Double(texts.count) / seconds) }  // the first pass warms up
            }
            results.append(Result(threads: count, sentencesPerSecond: Measurements.median(rates),
                                  peakResidentBytes: Measurements.peakResidentBytes()))
        }

        let report = Report(model: directory.path, sentences: texts.count, tokens: tokens,
                            sentencesSha256: Hash256.of(Array(data)).hex, batchSize: batchSize,
                            simdKernels: simdKernelsAvailable, repetitions: repetitions, results: results)
        if json {
            try printJSON(report)
            return
        }
        print("\(texts.count) texts, \(tokens) tokens, batches of \(batchSize), SIMD kernels: \(simdKernelsAvailable ? "yes" : "no")")
        print("threads  sentences/s  peak RSS")
        for result in results {
            print(String(format: "%7d  %11.1f  %@", result.threads, result.sentencesPerSecond,
                         ByteCount.text(Int64(result.peakResidentBytes))))
        }
    }
}
