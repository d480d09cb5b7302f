import ArgumentParser
import Foundation
import RakisEngine

/// `rakis bench llm`: prefill and decode speed of the built-in engine, measured like
/// llama-bench's pp/tg tests so `benchmarks/llm.sh` can put llama.cpp's figures beside them.
struct LLMBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm",
        abstract: "Prefill and decode tokens per second of the LLM engine (build with -c release).",
        discussion: """
        Prefill evaluates a fixed prompt of --prompt-tokens tokens in one batch on a fresh \
        sequence; decode then evaluates --decode-tokens single tokens (greedy, end-of-sequence \
        ignored). Each figure is the median of --repetitions runs after one warm-up. \
        benchmarks/llm.sh runs llama.cpp on the same file in the same run and prints ratios.
        """
    )

    @Option(help: "A catalog model name or the path of a GGUF file.")
    var model = "smollm2-135m-instruct"

    @Option(help: "Thread counts to measure, comma-separated.")
    var threads = "1,2"

    @Option(name: .customLong("prompt-tokens"), help: "Prompt length for the prefill test.")
    var promptTokens = 128

    @Option(name: .customLong("decode-tokens"), help: "Tokens for the decode test.")
    var decodeTokens = 64

    @Option(help: "Timed repetitions per test.")
    var repetitions = 5

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    struct Result: Encodable {
        let threads: Int
        let prefillTokensPerSecond: Double
        let decodeTokensPerSecond: Double
        let peakResidentBytes: Int
    }

    struct Report: Encodable {
        let model: String
        let modelFileBytes: Int
        let promptTokens: Int
        let decodeTokens: Int
        let simdKernels: Bool
        let results: [Result]
    }

    func run() throws {
        let threadCounts = try Measurements.threadCounts(threads)
        guard promptTokens >= 1, decodeTokens >= 1, repetitions >= 1 else {
            throw ValidationError("--prompt-tokens, --decode-tokens and --repetitions must be positive")
        }
        let languageModel = try ModelLoading.load(model, quiet: json)
        guard promptTokens + decodeTokens <= languageModel.config.contextLength else {
            throw ValidationError("prompt plus decode tokens exceed the context (\(languageModel.config.contextLength))")
        }
        // A fixed, ordinary-looking token sequence: the same work on every run and engine.
        let vocabulary = languageModel.config.vocabularySize
        let prompt = (0..<promptTokens).map { Int32((1000 + $0 * 7919) % vocabulary) }

        var results: [Result] = []
        for count in threadCounts {
            let forward = LlamaForward(config: languageModel.config, weights: languageModel.weights, pool: WorkerPool(threads: count))
            var prefill: [Double] = [], decode: [Double] = []
            for repetition in 0...repetitions {
                let (prefillSeconds, decodeSeconds) = measure(forward, prompt: prompt)
                if repetition > 0 {  // the first run warms caches and threads
                    prefill.append(Double(promptTokens) / prefillSeconds)
                    decode.append(Double(decodeTokens) / decodeSeconds)
                }
            }
            results.append(Result(threads: count, prefillTokensPerSecond: Measurements.median(prefill),
                                  decodeTokensPerSecond: Measurements.median(decode), peakResidentBytes: Measurements.peakResidentBytes()))
        }

        let report = Report(model: languageModel.path, modelFileBytes: languageModel.fileSize, promptTokens: promptTokens,
                            decodeTokens: decodeTokens, simdKernels: simdKernelsAvailable, results: results)
        if json {
            try printJSON(report)
            return
        }
        print("model \(languageModel.path) (\(ByteCount.text(Int64(languageModel.fileSize)))), SIMD kernels: \(simdKernelsAvailable ? "yes" : "no")")
        print("threads  prefill pp\(promptTokens) tok/s  decode tg\(decodeTokens) tok/s  peak RSS")
        for result in results {
            print(String(format: "%7d  %18.1f  %17.1f  %@", result.threads, result.prefillTokensPerSecond,
                         result.decodeTokensPerSecond, ByteCount.text(Int64(result.peakResidentBytes))))
        }
    }

    /// One prefill of `prompt` on a fresh sequence, then greedy single-token steps.
    private func measure(_ forward: LlamaForward, prompt: [Int32]) -> (prefill: Double, decode: Double) {
        let clock = ContinuousClock()
        let cache = KVCache(config: forward.config, capacity: prompt.count + decodeTokens)
        let entries = prompt.enumerated().map {
            BatchEntry(cache: cache, token: $1, position: $0, wantsLogits: $0 == prompt.count - 1)
        }
        let prefillStart = clock.now
        var logits = forward.evaluate(entries)[0]
        let prefillTime = clock.now - prefillStart

        let decodeStart = clock.now
        for step in 0..<decodeTokens {
            let token = Sampler.argmax(logits)
            logits = forward.evaluate([BatchEntry(cache: cache, token: token, position: prompt.count + step, wantsLogits: true)])[0]
        }
        let decodeTime = clock.now - decodeStart
        return (prefillTime / .seconds(1), decodeTime / .seconds(1))
    }
}
