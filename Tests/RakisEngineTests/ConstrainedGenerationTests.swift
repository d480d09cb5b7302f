import Foundation
import Testing
import RakisTestSupport
@testable import RakisEngine

/// Generation with a JSON shape on the real models: every answer parses, has the shape, and is
/// its own canonical form; the same bits at any thread count and in any batch.
@Suite(.requires(.modelHome), .serialized)
struct ConstrainedGenerationTests {
    static let person = JSONShape.object(properties: [
        JSONProperty("name", .string(minLength: 1, maxLength: 40)), JSONProperty("age", .integer(min: 0, max: 120)),
        JSONProperty("email", .string(maxLength: 60), required: false),
    ])

    /// (what to ask for, the shape of the answer)
    static let cases: [(String, JSONShape)] = [
        ("Describe a fictional person.", person),
        ("Is the sky blue? Answer yes or no.", .object(properties: [JSONProperty("answer", .string(enum: ["yes", "no", "not sure"]))])),
        ("Pick a color.", .string(enum: ["red", "redwood", "reddish", "green", "greenish", "blue"])),
        ("Rate this movie from 1 to 5: 'A long, boring film.'", .object(properties: [JSONProperty("rating", .integer(min: 1, max: 5))])),
        ("What is the temperature in Paris in Celsius?", .object(properties: [JSONProperty("celsius", .number(min: -50, max: 50))])),
        ("Give a probability that it rains tomorrow.", .number(min: 0, max: 1)),
        ("Is water wet?", .boolean),
        ("List three fruits.", .array(items: .string(maxLength: 20), minItems: 3, maxItems: 3)),
        ("List the bugs in this program (there may be none): print('hi')", .array(items: .string(maxLength: 40), maxItems: 4)),
        ("Describe two cities with their population.", .array(items: .object(properties: [
            JSONProperty("city", .string(maxLength: 30)), JSONProperty("population", .integer(min: 0, max: 40_000_000)),
        ]), minItems: 1, maxItems: 2)),
        ("Describe a book.", .object(properties: [
            JSONProperty("title", .string(maxLength: 50)), JSONProperty("author", .object(properties: [
                JSONProperty("first", .string(maxLength: 20)), JSONProperty("last", .string(maxLength: 20)),
            ])), JSONProperty("year", .integer(min: 1400, max: 2025)), JSONProperty("inPrint", .boolean),
        ])),
        ("Classify the sentiment of 'I love it'.", .object(properties: [
            JSONProperty("label", .string(enum: ["positive", "negative", "neutral"])), JSONProperty("confidence", .number(min: 0, max: 1)),
        ])),
        ("Give a JSON object describing the weather.", .anyObject(depth: 2)),
        ("Write any JSON value.", .any(depth: 2)),
        ("Give coordinates of a point.", .object(properties: [JSONProperty("x", .number(min: -10, max: 10)), JSONProperty("y", .number(min: -10, max: 10))])),
        ("Write a short greeting.", .string(minLength: 3, maxLength: 30)),
        ("Give a list of small numbers.", .array(items: .integer(min: -9, max: 9), maxItems: 6)),
        ("Describe a product with optional fields.", .object(properties: [
            JSONProperty("sku", .string(enum: ["A1", "A10", "A100", "B2"])), JSONProperty("price", .number(min: 0.01, max: 999.99)),
            JSONProperty("discount", .number(min: 0, max: 0.5), required: false), JSONProperty("tags", .array(items: .string(maxLength: 10), maxItems: 3), required: false),
            JSONProperty("available", .boolean, required: false),
        ])),
        ("Give a matrix of booleans.", .array(items: .array(items: .boolean, minItems: 1, maxItems: 2), minItems: 1, maxItems: 2)),
        ("Say something with quotes and a newline in it.", .object(properties: [JSONProperty("text", .string(maxLength: 60))])),
        ("Give an empty list of errors.", .object(properties: [JSONProperty("errors", .array(items: .string(maxLength: 10), maxItems: 0))])),
        ("Give a negative integer.", .integer(min: -1000, max: -1)),
        ("Answer in Japanese: what is your name?", .object(properties: [JSONProperty("答え", .string(maxLength: 20)), JSONProperty("lang", .string(enum: ["ja", "en"]))])),
        ("Give an array of any values.", .array(items: .any(depth: 1), maxItems: 3)),
    ]

    static let maxTokens = 96

    static func requests(temperature: Float) -> [GenerationRequest] {
        cases.enumerated().map { index, entry in
            GenerationRequest(prompt: .chat([ChatTurn(role: "user", content: "\(entry.0) Answer in JSON.")]), maxTokens: maxTokens,
                              sampling: SamplingParameters(temperature: temperature, topK: 0, topP: 1, minP: 0, seed: UInt64(index)),
                              format: entry.1)
        }
    }

    static func checkAnswers(_ results: [GenerationResult], model: String, temperature: Float) throws {
        var valid = 0
        for (result, entry) in zip(results, cases) {
            let text = result.text
            #expect(result.finishReason == .endOfSequence, "\(model) t=\(temperature): \(text)")
            #expect(result.tokenIDs.count <= maxTokens)
            guard let value = try? ParsedJSON.parse(Array(text.utf8)) else {
                Issue.record("\(model) t=\(temperature) does not parse: \(text)")
                continue
            }
            let conforms = value.conforms(to: entry.1), canonical = value.canonical == text
            #expect(conforms, "\(model) t=\(temperature) conforms: \(text)")
            #expect(canonical, "\(model) t=\(temperature) canonical: \(text)")
            if conforms && canonical { valid += 1 }
        }
        let tokens = results.map(\.tokenIDs.count)
        print("FIGURES constrained \(model) t=\(temperature): \(valid)/\(results.count) answers parse, conform and are canonical; tokens min \(tokens.min()!) max \(tokens.max()!) total \(tokens.reduce(0, +))")
        for (result, entry) in zip(results, cases).prefix(8) { print("  \(entry.0) -> \(result.text)") }
    }

    @Test(arguments: ["smollm2-135m-instruct", "gemma3-270m"])
    func everyAnswerIsCanonicalJSONOfItsShape(_ name: String) throws {
        let generator = TextGenerator(model: try LanguageModel(path: TestModel.path(of: name)), threads: 2)
        for temperature: Float in [0, 1] {
            try Self.checkAnswers(generator.generate(Self.requests(temperature: temperature)), model: name, temperature: temperature)
        }
    }

    @Test func sameBitsAtAnyThreadCountAloneOrBatched() throws {
        let requests = Array(Self.requests(temperature: 1).prefix(4))
        let free = GenerationRequest(prompt: .text("Once upon a time"), maxTokens: 40, sampling: SamplingParameters(temperature: 1, seed: 3))
        let baseline = try TestModel.generator(threads: 1).generate(requests)
        for threads in [2, 4] {
            #expect(try TestModel.generator(threads: threads).generate(requests).map(\.tokenIDs) == baseline.map(\.tokenIDs), "\(threads) threads")
        }
        let generator = try TestModel.generator(threads: 2)
        for (index, request) in requests.enumerated() {
            #expect(try generator.generate(request).tokenIDs == baseline[index].tokenIDs, "request \(index) alone")
        }
        let mixed = try generator.generate([free, requests[2], free, requests[0]])
        #expect(mixed[1].tokenIDs == baseline[2].tokenIDs && mixed[3].tokenIDs == baseline[0].tokenIDs, "batched with free sequences")
        #expect(mixed[0].tokenIDs == (try generator.generate(free)).tokenIDs, "the free sequence is unchanged by its constrained neighbours")
        #expect(mixed[0].finishReason == .length)
    }

    @Test func tightBudgetsStillCompleteTheAnswer() throws {
        let generator = try TestModel.generator(threads: 2)
        let shape = JSONShape.object(properties: [JSONProperty("story", .string(maxLength: 200)), JSONProperty("n", .integer())])
        let minimal = JSONGrammar(shape).minimalCompletion(JSONGrammar(shape).start)
        for budget in [minimal, minimal + 2, minimal + 10] {
            let result = try generator.generate(GenerationRequest(prompt: .text("Tell a long story:"), maxTokens: budget,
                                                                  sampling: SamplingParameters(temperature: 1, seed: 1), format: shape))
            #expect(result.finishReason == .endOfSequence && result.tokenIDs.count <= budget, "budget \(budget): \(result.text)")
            #expect(try ParsedJSON.parse(Array(result.text.utf8)).conforms(to: shape))
        }
        #expect(throws: EngineError.formatNeedsMoreTokens(maxTokens: minimal - 1, minimalAnswerTokens: minimal)) {
            try generator.generate(GenerationRequest(prompt: .text("x"), maxTokens: minimal - 1, format: shape))
        }
        #expect(throws: EngineError.self) {
            try generator.generate(GenerationRequest(prompt: .text("x"), format: .integer(min: 2, max: 1)))
        }
    }

    /// Gemma 3 decoding with and without a shape, and what the masks cost. Greedy shows the
    /// masks' own cost; at a temperature the sampler also works on fewer candidates (the masked
    /// ones drop out of its 30-nat window), which makes constrained steps cheaper there.
    @Test(.requires(.gemma3)) func decodeSpeedWithAndWithoutAShape() throws {
        let generator = TextGenerator(model: try LanguageModel(path: TestModel.path(of: "gemma3-270m")), threads: 2)
        let shape = JSONShape.object(properties: [
            JSONProperty("mood", .string(enum: ["happy", "sad", "angry", "calm"])), JSONProperty("count", .integer(min: 0, max: 1000)),
            JSONProperty("ok", .boolean), JSONProperty("story", .string(minLength: 100, maxLength: 200)),
        ])
        let prompts = ["Tell me how you feel and a short story, as JSON.", "Describe your day as JSON.", "Write a fable about a fox, as JSON."]
            .map { Prompt.chat([ChatTurn(role: "user", content: $0)]) }
        let masks = try generator.tokenMasks(for: shape)
        for temperature: Float in [0, 0.7] {
            let before = masks.statistics
            var constrained: [GenerationResult] = [], free: [GenerationResult] = []
            for (index, prompt) in prompts.enumerated() {
                let sampling = SamplingParameters(temperature: temperature, seed: UInt64(index))
                let answer = try generator.generate(GenerationRequest(prompt: prompt, maxTokens: 200, sampling: sampling, format: shape))
                #expect(try ParsedJSON.parse(Array(answer.text.utf8)).conforms(to: shape))
                // As many tokens free as the constrained answer had: attention grows with the length.
                free.append(try generator.generate(GenerationRequest(prompt: prompt, maxTokens: answer.tokenIDs.count, sampling: sampling)))
                constrained.append(answer)
            }
            let after = masks.statistics
            func rate(_ results: [GenerationResult]) -> Double {
                Double(results.map { $0.stats.generatedTokens - 1 }.reduce(0, +)) / results.map(\.stats.decodeSeconds).reduce(0, +)
            }
            let tokens = constrained.map(\.tokenIDs.count).reduce(0, +)
            let (hits, misses) = (after.hits - before.hits, after.misses - before.misses)
            let ratio = rate(constrained) / rate(free)
            print("FIGURES json decode gemma3-270m t=\(temperature): free \(String(format: "%.1f", rate(free))) tok/s, constrained \(String(format: "%.1f", rate(constrained))) tok/s (\(String(format: "%.1f", 100 * ratio))%) over \(tokens) tokens in \(prompts.count) answers")
            print("FIGURES json masks t=\(temperature): \(hits) hits, \(misses) misses, \(after.budgetMasks - before.budgetMasks) masks cut to the budget; \(String(format: "%.3f", (after.seconds - before.seconds) * 1000 / Double(tokens))) ms a token in masks, \(String(format: "%.2f", (after.walkSeconds - before.walkSeconds) * 1000 / Double(max(misses, 1)))) ms a miss; cache \(after.entries) entries, \(after.bytes / 1024) KiB")
            print("  \(constrained[0].text)")
            // Timing against the free run is left to the figure (other tests share the cores);
            // the masks' share of the constrained decoding is measured within the same runs.
            let maskShare = (after.seconds - before.seconds) / constrained.map(\.stats.decodeSeconds).reduce(0, +)
            print("FIGURES json masks t=\(temperature): \(String(format: "%.1f", 100 * maskShare))% of the constrained decode time")
            #expect(maskShare < 0.1, "masks take under a tenth of constrained decoding")
        }
    }
}
