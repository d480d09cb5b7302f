import Testing
import RakisEngine
import RakisTestSupport

/// Gemma 3 270M (Q4_K_M: Q5_0, Q4_K, Q6_K and Q8_0 tensors) against llama.cpp's greedy
/// completions on the same file (`Reference/gemma3-270m-q4_k_m.llama-cpp.json`, llama-server
/// b0c1e570). As for SmolLM2 (`GoldenCompletionTests`), two engines agree token for token only
/// until a near-tie falls on the greedy path; the floor sits just under our measured figure.
@Suite(.requires(.gemma3))
struct Gemma3GoldenTests {
    @Test func greedyPrefixesMatchLlamaCpp() throws {
        let reference = try ReferenceData.llamaCpp(SentencePieceTokenizerTests.gemma)
        let model = try LanguageModel(path: try TestModel.path(of: "gemma3-270m"))
        #expect(model.config.family == .gemma3)
        let generator = TextGenerator(model: model, threads: 2)
        let cases = reference.completions
        let results = try generator.generate(cases.map { GenerationRequest(prompt: .text($0.prompt), maxTokens: reference.nPredict) })
        var prefixLengths: [Int] = []
        for (completion, result) in zip(cases, results) {
            #expect(result.promptTokenIDs == completion.promptIDs)
            prefixLengths.append(zip(result.tokenIDs, completion.completionIDs).prefix { $0 == $1 }.count)
        }
        let matching16 = zip(prefixLengths, cases).filter { $0 >= min(16, $1.completionIDs.count) }.count
        let full = zip(prefixLengths, cases).filter { $0 == $1.completionIDs.count }.count
        print("FIGURES golden gemma3: first 16 tokens identical on \(matching16)/\(cases.count); whole completion identical on \(full)/\(cases.count); common prefix lengths \(prefixLengths)")
        #expect(matching16 >= 11)
    }

    /// The same bits whatever the thread count and whatever shares the batch, as for SmolLM2.
    @Test func logitsIdenticalAcrossThreadsAndBatches() throws {
        let model = try LanguageModel(path: try TestModel.path(of: "gemma3-270m"))
        let prompts: [[Int32]] = [[2, 818, 5279, 529, 7001, 563], Array(1...30).map { Int32($0 * 977) }]
        let bits = { (logits: [[Float]]) in logits.map { $0.map(\.bitPattern) } }
        let baseline = bits(try TextGenerator(model: model, threads: 1).logits(afterPrompts: prompts))
        for threads in [2, 4] {
            #expect(bits(try TextGenerator(model: model, threads: threads).logits(afterPrompts: prompts)) == baseline, "\(threads) threads")
        }
        #expect(bits(try TextGenerator(model: model, threads: 2).logits(afterPrompts: [prompts[1]]))[0] == baseline[1], "alone")
    }
}
