import Foundation
import Testing
import RakisEngine
import RakisTestSupport

/// Golden completions teacher-forced: each reference prompt and completion fed whole, our top
/// token at every completion position against the reference's token, counted where llama.cpp
/// from PyPI is sure of its own top token (a margin above 0.5 nats between its top two logits;
/// `Reference/*.teacher-forced.llama-cpp.json`, benchmarks/teacher_forced_llama_cpp.py). Unlike a
/// free-running greedy prefix, one near-tie does not end the comparison: it tests every position.
@Suite struct TeacherForcedTests {
    struct Margins: Decodable {
        struct Completion: Decodable {
            let top: [Int32]
            let margin: [Float]
        }
        let llamaCppPython: String
        let completions: [Completion]
    }

    static func check(_ name: String, reference file: String, generator: TextGenerator) throws {
        let reference = try ReferenceData.llamaCpp(file + ".llama-cpp.json")
        let url = ReferenceData.directory().appendingPathComponent(file + ".teacher-forced.llama-cpp.json")
        let margins = try JSONDecoder().decode(Margins.self, from: Data(contentsOf: url))
        try #require(margins.completions.count == reference.completions.count)
        var sure = 0, oursAgree = 0, llamaCppAgrees = 0
        for (completion, theirs) in zip(reference.completions, margins.completions) {
            let sequence = completion.promptIDs + completion.completionIDs
            let greedy = generator.greedyTokens(teacherForced: sequence)
            for (position, expected) in completion.completionIDs.enumerated() where theirs.margin[position] > 0.5 {
                sure += 1
                if greedy[completion.promptIDs.count - 1 + position] == expected { oursAgree += 1 }
                if theirs.top[position] == expected { llamaCppAgrees += 1 }
            }
        }
        let share = Double(oursAgree) / Double(max(sure, 1))
        print("FIGURES teacher-forced \(name): our top token is the reference's at \(oursAgree) of \(sure) positions where llama.cpp's margin exceeds 0.5 nats (\(String(format: "%.2f", 100 * share))%); llama-cpp-python \(margins.llamaCppPython) at \(llamaCppAgrees)")
        #expect(share >= 0.99)
    }

    @Test func smolLM2() throws {
        try Self.check("smollm2", reference: "smollm2-135m-instruct-q4_1", generator: try TestModel.generator(threads: 2))
    }

    @Test(.requires(.gemma3)) func gemma3() throws {
        let model = try LanguageModel(path: try TestModel.path(of: "gemma3-270m"))
        try Self.check("gemma3", reference: "gemma3-270m-q4_k_m", generator: TextGenerator(model: model, threads: 2))
    }
}
