import ArgumentParser
import Foundation
import RakisCore
import RakisEngine
import RakisRuntime

/// `rakis bench json`: decode speed of the built-in engine with and without a JSON schema, on the
/// same prompts and the same number of tokens; benchmarks/json.sh runs it beside llama.cpp's
/// grammar sampling on the same model and schema.
struct JSONBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json",
        abstract: "Decode rate with a JSON schema against without one, on one model.",
        discussion: """
        For each of --answers chat prompts, generates an answer constrained to the schema (the \
        built-in one unless --schema: a mood enum, an integer 0...1000, a boolean and a story of \
        100 to 200 code points), then the same prompt free for exactly as many tokens, and \
        reports both decode rates (tokens after the first, over decode time) and their ratio. One \
        warm-up answer runs first, so the token masks of the schema's common states are cached, \
        as they are on a node that has answered before.
        """
    )

    @Option(help: "A catalog name or a GGUF path.") var model = "gemma3-270m"
    @Option(help: ArgumentHelp("A JSON Schema file (docs/PROTOCOL.md's subset).", valueName: "file")) var schema: String?
    @Option(help: "Engine threads.") var threads = 2
    @Option(help: "Answers measured, after the warm-up.") var answers = 3
    @Option(help: "Sampling temperature (0: greedy).") var temperature: Float = 0
    @Option(name: .customLong("max-tokens"), help: "Tokens per constrained answer at most.") var maxTokens = 200
    @Flag(help: "Print one JSON object instead of text.") var json = false

    static let builtInSchema = """
        {"type":"object","additionalProperties":false,"required":["count","mood","ok","story"],
         "properties":{"count":{"type":"integer","minimum":0,"maximum":1000},
                       "mood":{"type":"string","enum":["happy","sad","angry","calm"]},
                       "ok":{"type":"boolean"},
                       "story":{"type":"string","minLength":100,"maxLength":200}}}
        """

    static let prompts = [
        "Tell me how you feel and a short story, as JSON.", "Describe your day as JSON.", "Write a fable about a fox, as JSON.",
        "Give me a mood, a number and a story about the sea, as JSON.",
    ]

    func run() throws {
        let schemaText = try schema.map { path in
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("cannot read \(path)") }
            return text
        } ?? Self.builtInSchema
        let format: OutputSchema
        do {
            format = try OutputSchema(json: JSONParser.parse(Array(schemaText.utf8)), path: schema ?? "schema")
        } catch {
            throw ValidationError("\(error)")
        }
        let generator = TextGenerator(model: try ModelLoading.load(model, quiet: json), threads: threads)
        let shape = format.engineShape
        func ask(_ index: Int, format: JSONShape?, maxTokens: Int) throws -> GenerationResult {
            let prompt = Prompt.chat([ChatTurn(role: "user", content: Self.prompts[index % Self.prompts.count])])
            return try generator.generate(GenerationRequest(prompt: prompt, maxTokens: maxTokens,
                                                            sampling: SamplingParameters(temperature: temperature, seed: UInt64(index)),
                                                            format: format))
        }
        _ = try ask(answers, format: shape, maxTokens: maxTokens)
        var constrained: [GenerationResult] = [], free: [GenerationResult] = []
        for index in 0..<answers {
            let answer = try ask(index, format: shape, maxTokens: maxTokens)
            constrained.append(answer)
            free.append(try ask(index, format: nil, maxTokens: answer.tokenIDs.count))
        }
        func rate(_ results: [GenerationResult]) -> Double {
            Double(results.map { max($0.stats.generatedTokens - 1, 0) }.reduce(0, +)) / max(results.map(\.stats.decodeSeconds).reduce(0, +), 1e-9)
        }
        let (freeRate, constrainedRate) = (rate(free), rate(constrained))
        let tokens = constrained.map(\.tokenIDs.count).reduce(0, +)
        if json {
            let object: JSONValue = [
                "engine": "rakis", "model": .string(model), "threads": .number(Double(threads)),
                "temperature": .number(Double(temperature)), "answers": .number(Double(answers)),
                "constrainedTokens": .number(Double(tokens)), "freeTokensPerSecond": .number(freeRate),
                "constrainedTokensPerSecond": .number(constrainedRate), "sample": .string(constrained.first?.text ?? ""),
            ]
            print(object.canonicalString)
        } else {
            print(String(format: "%@, %d threads, temperature %g, %d answers (%d constrained tokens):", model, threads, temperature, answers, tokens))
            print(String(format: "  free %.1f tok/s, with the schema %.1f tok/s (%.1f%%)", freeRate, constrainedRate, 100 * constrainedRate / freeRate))
            print("  e.g. \(constrained.first?.text ?? "")")
        }
    }
}
