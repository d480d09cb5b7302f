import Foundation
import Testing
import RakisEngine
import RakisTestSupport

/// Every tensor format end to end, on tiny random-weight Llama models whose every matrix is in
/// that format (scripts/engine/make_tiny_models.py, made by the test set-up): they load, and
/// their logits are the same bits whatever the thread count and whatever shares the batch.
@Suite(.requires(.tinyModels))
struct TensorFormatModelTests {
    static let formats = ["f32", "f16", "bf16", "q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q3_k", "q4_k", "q5_k", "q6_k"]
    static let prompts: [[Int32]] = [[1, 2, 3, 300, 301], Array(0..<40).map { Int32($0 * 11 % 511) }, [256, 257, 258]]

    static func path(_ format: String) -> String {
        (ProcessInfo.processInfo.environment["RAKIS_TEST_TINY_MODELS"] ?? "") + "/tiny-llama-\(format).gguf"
    }

    static func bits(_ logits: [[Float]]) -> [[UInt32]] { logits.map { $0.map(\.bitPattern) } }

    @Test(arguments: formats)
    func logitsAreTheSameBitsAcrossThreadsAndBatches(format: String) throws {
        let model = try LanguageModel(path: Self.path(format))
        let single = TextGenerator(model: model, threads: 1)
        let baseline = Self.bits(try single.logits(afterPrompts: Self.prompts))
        #expect(baseline.allSatisfy { $0.count == 512 && !$0.contains(Float.nan.bitPattern) })
        for threads in [2, 4] {
            #expect(Self.bits(try TextGenerator(model: model, threads: threads).logits(afterPrompts: Self.prompts)) == baseline, "\(threads) threads")
        }
        for (index, prompt) in Self.prompts.enumerated() {
            #expect(Self.bits(try single.logits(afterPrompts: [prompt]))[0] == baseline[index], "prompt \(index) alone")
        }
        // The weights are random: the format must still give distinct logits, not a constant.
        #expect(Set(baseline[0]).count > 100)
    }
}
