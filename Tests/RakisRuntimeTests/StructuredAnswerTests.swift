import Foundation
import Testing
import RakisCore
import RakisEngine
@testable import RakisNode
@testable import RakisRuntime
import RakisTestSupport

/// The built-in engine answers every schema of Tests/Fixtures/structured/schemas.json (50: nested
/// objects, enums with shared prefixes, bounded numbers, arrays that may be empty, json_object
/// mode...) with an output the protocol counts: canonical JSON that validates
/// (`StructuredOutput`), at temperatures 0 and 1, with SmolLM2 and Gemma 3, through the path a
/// node takes (the schema instruction, `EngineBackend`'s request, the schema's engine shape).
@Suite(.requires(.modelHome, .gemma3), .serialized)
struct StructuredAnswerTests {
    struct Case {
        let name: String
        let prompt: String
        let format: OutputSchema
    }

    static func cases() throws -> [Case] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "Fixtures/structured/schemas.json")
        guard case let .array(items) = try JSONParser.parse(Array(try Data(contentsOf: file))) else { throw CocoaError(.fileReadCorruptFile) }
        return try items.map { item in
            let reader = try JSONObjectReader(item, path: "schemas.json")
            return Case(name: try reader.string("name"), prompt: try reader.string("prompt"),
                        format: try OutputSchema(json: reader.value("schema"), path: "schema"))
        }
    }

    @Test(arguments: ["smollm2-135m-instruct", "gemma3-270m"], [0.0, 1.0])
    func everyFixtureSchemaIsAnsweredWithACountedOutput(model: String, temperature: Double) throws {
        let cases = try Self.cases()
        #expect(cases.count == 50)
        let path = try ModelStore(home: ModelStore.defaultHome()).resolve(model).path
        let generator = TextGenerator(model: try LanguageModel(path: path), threads: 2)
        let jobs = cases.enumerated().map { index, item in
            InferenceJob(requestId: Hash256.of(Array(item.name.utf8)), model: model,
                         input: RequestInput.messages([ChatMessage(role: "user", content: item.prompt)]).instructed(by: item.format),
                         temperature: temperature, maxTokens: 96, seed: index, format: item.format)
        }
        let results = try generator.generate(jobs.map(EngineBackend.generationRequest(for:)))
        var counted = 0
        for (item, result) in zip(cases, results) {
            do throws(StructuredOutputDefect) {
                _ = try StructuredOutput(output: result.text, format: item.format)
                counted += 1
            } catch {
                Issue.record("\(model) at \(temperature), \(item.name): \(error): \(result.text)")
            }
        }
        print("FIGURES structured answers \(model) temperature \(temperature): \(counted) of \(cases.count) canonical and valid;",
              "e.g. \(cases[0].name) \(results[0].text), \(cases[20].name) \(results[20].text)")
    }
}
