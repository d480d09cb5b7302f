import ArgumentParser
import Foundation
import RakisCore
import RakisEngine

/// `rakis bench sec-distance`: how far apart the binary embeddings of LLM outputs are when the
/// prompt is the same and only the sampling seed differs, against when the prompts differ. The
/// protocol's default secDistance sits between the two distributions. With `--other-model`, also
/// when the prompt is the same and the model differs: what a mixed quorum's secDistance must allow.
struct SecDistanceBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sec-distance",
        abstract: "Hamming distances between embeddings of LLM outputs: same prompt, other seeds vs other prompts.",
        discussion: """
        Generates --seeds outputs for each of 20 built-in chat prompts (or the lines of \
        --prompts) at --temperature, embeds each (all-MiniLM-L6-v2, long outputs pooled over \
        windows), and prints the distribution of normalized Hamming distances over the first \
        --bits bits for pairs from the same prompt and for pairs from different prompts, with \
        the share of each within candidate secDistance values. With --other-model the same \
        requests go to a second LLM too, and pairs of one output of each model for the same prompt \
        make a third distribution: what a quorum mixing the two models must accept.
        """
    )

    static let builtInPrompts = [
        "What is the capital of France?",
        "Explain photosynthesis in two sentences.",
        "Write a haiku about the sea.",
        "Give three tips for sleeping better.",
        "What is 17 times 23?",
        "Translate 'good morning, how are you?' into Spanish.",
        "Summarize the plot of Romeo and Juliet in one paragraph.",
        "What causes the seasons on Earth?",
        "Write a short thank-you note to a teacher.",
        "List four primary colors of light and paint.",
        "How does a bicycle stay upright?",
        "Suggest a name for a coffee shop run by cats.",
        "What is the difference between weather and climate?",
        "Describe a sunset to someone who cannot see.",
        "Write a Python function that reverses a string.",
        "Why is the sky blue?",
        "Give a one-sentence definition of democracy.",
        "What should I pack for a weekend hiking trip?",
        "Tell me a fun fact about octopuses.",
        "How do vaccines train the immune system?",
    ]

    @Option(help: "The LLM: a catalog name or a GGUF path.")
    var model = "smollm2-135m-instruct"

    @Option(name: .customLong("other-model"), help: "A second LLM, for same-prompt pairs across models (a mixed quorum).")
    var otherModel: String?

    @Option(name: .customLong("embedding-model"), help: "The embedding model: a catalog name or a model directory.")
    var embeddingModel = "all-minilm-l6-v2"

    @Option(help: "A file of prompts, one per line (default: 20 built-in prompts).")
    var prompts: String?

    @Option(help: "Outputs per prompt, each with its own seed (1, 2, ...).")
    var seeds = 8

    @Option(help: "Sampling temperature.")
    var temperature: Float = 0.7

    @Option(name: .customLong("max-tokens"), help: "Tokens per output at most.")
    var maxTokens = 128

    @Option(help: "Embedding bits compared (Matryoshka prefix): 64, 128, 256 or 384.")
    var bits = 384

    @Option(help: "Threads for both engines.")
    var threads = 2

    @Flag(help: "Print one JSON object with every distance instead of a table.")
    var json = false

    func validate() throws {
        guard seeds >= 2 else { throw ValidationError("--seeds must be at least 2 (pairs of the same prompt)") }
        guard [64, 128, 256, 384].contains(bits) else { throw ValidationError("--bits must be 64, 128, 256 or 384") }
        guard maxTokens >= 1, (1...64).contains(threads), temperature > 0 else {
            throw ValidationError("--max-tokens must be positive, --threads in 1...64, --temperature above 0")
        }
    }

    struct Output: Encodable {
        let prompt: Int
        let seed: UInt64
        let text: String
        let binary: String
    }

    struct Report: Encodable {
        let model: String
        let temperature: Float
        let maxTokens: Int
        let bits: Int
        let outputs: [Output]
        let samePrompt: [Double]
        let differentPrompts: [Double]
        let otherModel: String?
        let samePromptOtherModel: [Double]?
    }

    func run() throws {
        let texts = try prompts.map { path in
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read the prompts file \(path)")
            }
            return text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        } ?? Self.builtInPrompts
        guard texts.count >= 2 else { throw ValidationError("need at least 2 prompts") }

        let languageModel = try ModelLoading.load(model, quiet: json)
        let generator = TextGenerator(model: languageModel, threads: threads)
        let requests = texts.flatMap { prompt in
            (1...UInt64(seeds)).map { seed in
                GenerationRequest(prompt: .chat([ChatTurn(role: "user", content: prompt)]), maxTokens: maxTokens,
                                  sampling: SamplingParameters(temperature: temperature, seed: seed))
            }
        }
        if !json { print("generating \(requests.count) outputs (\(texts.count) prompts x \(seeds) seeds, up to \(maxTokens) tokens)...") }
        let results = try generator.generate(requests)
        var otherResults: [GenerationResult]?
        if let otherModel {
            if !json { print("and the same \(requests.count) with \(otherModel)...") }
            otherResults = try TextGenerator(model: try ModelLoading.load(otherModel, quiet: json), threads: threads).generate(requests)
        }
        let embedder = try SentenceEmbedder(directory: Models.store().resolve(embeddingModel), threads: threads)
        let embed = { (texts: [String]) in embedder.embed(texts).map { BinaryEmbedding(signsOf: $0).truncated(to: bits) } }
        let embeddings = embed(results.map(\.text))
        let otherEmbeddings = otherResults.map { embed($0.map(\.text)) }
        let distance = { (a: BinaryEmbedding, b: BinaryEmbedding) in Double(a.hammingDistance(to: b, bits: bits)) / Double(bits) }
        // One output of each model for the same prompt, every pair.
        let acrossModels = otherEmbeddings.map { other in
            embeddings.indices.flatMap { i in
                other.indices.filter { $0 / seeds == i / seeds }.map { distance(embeddings[i], other[$0]) }
            }
        }

        var same: [Double] = [], different: [Double] = []
        for i in embeddings.indices {
            for j in embeddings.indices where j > i {
                let pair = distance(embeddings[i], embeddings[j])
                if i / seeds == j / seeds { same.append(pair) } else { different.append(pair) }
            }
        }
        if json {
            let outputs = results.enumerated().map { index, result in
                Output(prompt: index / seeds, seed: UInt64(index % seeds + 1), text: result.text, binary: embeddings[index].hex)
            }
            try printJSON(Report(model: languageModel.path, temperature: temperature, maxTokens: maxTokens, bits: bits,
                                 outputs: outputs, samePrompt: same, differentPrompts: different, otherModel: otherModel,
                                 samePromptOtherModel: acrossModels))
            return
        }
        printTable(same: same, different: different, acrossModels: acrossModels)
    }

    private func printTable(same: [Double], different: [Double], acrossModels: [Double]?) {
        func quantiles(_ values: [Double]) -> String {
            let sorted = values.sorted()
            return [0, 0.05, 0.25, 0.5, 0.75, 0.95, 1].map { q in
                String(format: "%.3f", sorted[min(sorted.count - 1, Int(q * Double(sorted.count - 1)))])
            }.joined(separator: "  ")
        }
        print("normalized Hamming distance over \(bits) bits, temperature \(temperature)")
        print("                                   min    p5     p25    median p75    p95    max")
        print(String(format: "same prompt, other seed (%5d):  ", same.count) + quantiles(same))
        if let acrossModels { print(String(format: "same prompt, other model(%5d):  ", acrossModels.count) + quantiles(acrossModels)) }
        print(String(format: "different prompts       (%5d):  ", different.count) + quantiles(different))
        print("\nsecDistance  same-prompt pairs within  " + (acrossModels == nil ? "" : "other-model pairs within  ") + "different-prompt pairs within")
        func within(_ values: [Double], _ threshold: Double) -> Double { 100 * Double(values.filter { $0 <= threshold }.count) / Double(values.count) }
        for step in 2...16 {
            let threshold = Double(step) * 0.025
            let across = acrossModels.map { String(format: "  %22.1f%%", within($0, threshold)) } ?? ""
            print(String(format: "%11.3f  %23.1f%%", threshold, within(same, threshold)) + across
                  + String(format: "  %28.1f%%", within(different, threshold)))
        }
    }
}
