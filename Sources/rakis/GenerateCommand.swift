import ArgumentParser
import Foundation
import RakisEngine

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate text with the built-in engine.",
        discussion: """
        Runs a GGUF model (Llama architecture) on this machine. The same model, prompt, \
        parameters and seed give the same bytes on every machine and any thread count.

        Examples:
          rakis generate --chat "Name three rivers in Europe." --max-tokens 48
          rakis generate --prompt "The capital of France is" --temperature 0.8 --seed 7 --json
        """
    )

    @Option(help: "A catalog model name (see `rakis models list`) or the path of a GGUF file.")
    var model = "smollm2-135m-instruct"

    @Option(help: "Raw prompt text, tokenized as is.")
    var prompt: String?

    @Option(help: "A user message, rendered with the model's chat template.")
    var chat: String?

    @Option(help: "A system message for --chat (default: the template's own).")
    var system: String?

    @Option(name: .customLong("max-tokens"), help: "Most tokens to generate.")
    var maxTokens = 128

    @Option(help: "Sampling temperature; 0 is greedy.")
    var temperature: Float = 0

    @Option(name: .customLong("top-k"), help: "Keep the k most likely tokens (0: off).")
    var topK = 40

    @Option(name: .customLong("top-p"), help: "Keep the most likely tokens covering this probability (1: off).")
    var topP: Float = 0.95

    @Option(name: .customLong("min-p"), help: "Drop tokens below this fraction of the best one's probability (0: off).")
    var minP: Float = 0.05

    @Option(help: "Seed of the sampler's random source.")
    var seed: UInt64 = 0

    @Option(help: "Stop before this string (repeatable).")
    var stop: [String] = []

    @Option(help: "Worker threads (default: all cores).")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Print one JSON object: text, tokenIds, promptTokenIds, finishReason, stats.")
    var json = false

    func validate() throws {
        guard (prompt == nil) != (chat == nil) else { throw ValidationError("give exactly one of --prompt or --chat") }
        guard system == nil || chat != nil else { throw ValidationError("--system needs --chat") }
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be at least 1") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be in 1...64") }
    }

    func run() throws {
        let languageModel = try ModelLoading.load(model, quiet: json)
        let generator = TextGenerator(model: languageModel, threads: threads)
        var messages: [ChatTurn] = []
        if let system { messages.append(ChatTurn(role: "system", content: system)) }
        if let chat { messages.append(ChatTurn(role: "user", content: chat)) }
        let request = GenerationRequest(
            prompt: chat != nil ? .chat(messages) : .text(prompt ?? ""),
            maxTokens: maxTokens,
            sampling: SamplingParameters(temperature: temperature, topK: topK, topP: topP, minP: minP, seed: seed),
            stop: stop)

        if json {
            let result = try generator.generate(request)
            try printJSON(GenerateOutput(result))
            return
        }
        // Stream the text as it comes, holding back bytes of an unfinished UTF-8 character.
        var pending: [UInt8] = []
        let result = try generator.generate([request]) { _, token in
            guard !languageModel.tokenizer.isEndOfGeneration(token) else { return }
            pending += languageModel.tokenizer.bytes(of: token)
            if String(validating: pending, as: UTF8.self) != nil || pending.count > 8 {
                FileHandle.standardOutput.write(Data(pending))
                pending.removeAll()
            }
        }[0]
        if !pending.isEmpty { FileHandle.standardOutput.write(Data(pending)) }
        print()
        let stats = result.stats
        FileHandle.standardError.write(Data(String(
            format: "[%d prompt tokens at %.1f tok/s, %d generated at %.1f tok/s, %d threads, finish: %@]\n",
            stats.promptTokens, stats.prefillTokensPerSecond, stats.generatedTokens, stats.decodeTokensPerSecond,
            threads, result.finishReason.rawValue).utf8))
    }
}

/// The `--json` shape of a generation.
struct GenerateOutput: Encodable {
    struct Stats: Encodable {
        let promptTokens: Int
        let generatedTokens: Int
        let prefillTokensPerSecond: Double
        let decodeTokensPerSecond: Double
    }

    let text: String
    let tokenIds: [Int32]
    let promptTokenIds: [Int32]
    let finishReason: String
    let stats: Stats

    init(_ result: GenerationResult) {
        text = result.text
        tokenIds = result.tokenIDs
        promptTokenIds = result.promptTokenIDs
        finishReason = result.finishReason.rawValue
        stats = Stats(promptTokens: result.stats.promptTokens, generatedTokens: result.stats.generatedTokens,
                      prefillTokensPerSecond: result.stats.prefillTokensPerSecond,
                      decodeTokensPerSecond: result.stats.decodeTokensPerSecond)
    }
}
