import Crypto
import Foundation
import Testing
import RakisEngine
import RakisTestSupport

/// Every tensor format end to end, on tiny random-weight Llama models whose every matrix is in
/// that format (scripts/engine/make_tiny_models.py, made by the test set-up): they load, their
/// logits are the same bits whatever the thread count and whatever shares the batch, and they
/// are close to llama.cpp's on the same files (`Reference/tiny-llama.llama-cpp.json`, made by
/// scripts/engine/tiny_model_logits.py).
@Suite(.requires(.tinyModels))
struct TensorFormatModelTests {
    static let formats = ["f32", "f16", "bf16", "q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q2_k", "q3_k", "q4_k", "q5_k", "q6_k"]
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

    struct LlamaCppLogits: Decodable {
        struct Model: Decodable {
            let sha256: String
            /// llama.cpp's logits on the file.
            let logits: [[Float]]
            /// llama.cpp's logits on the file's weights dequantized to F32: what the quantized
            /// weights stand for, computed without quantizing anything.
            let exactLogits: [[Float]]
        }
        let llamaCppPython: String
        let prompts: [[Int32]]
        let models: [String: Model]
    }

    static let llamaCpp: LlamaCppLogits? = {
        let file = ReferenceData.directory().appendingPathComponent("tiny-llama.llama-cpp.json")
        return try? JSONDecoder().decode(LlamaCppLogits.self, from: Data(contentsOf: file))
    }()

    /// The largest and the mean absolute difference of two sets of logits.
    static func distance(_ a: [[Float]], _ b: [[Float]]) -> (max: Float, mean: Float) {
        let differences = zip(a, b).flatMap { zip($0, $1).map { abs($0 - $1) } }
        return (differences.max() ?? 0, differences.reduce(0, +) / Float(max(differences.count, 1)))
    }

    /// Both engines quantize the activations to 8 bits (llama.cpp in other blocks for some
    /// formats: Q8_0 for Q4_0, Q5_0 and Q8_0, Q8_K for the K-quants, F16 activations for F16
    /// weights) and round their sums in other orders, so neither gives the exact logits. Ours
    /// must be as close to them as llama.cpp's, within a quarter (mean) and a half (max) more,
    /// and within 0.002 of llama.cpp's own logits where both are exact (F32).
    @Test(arguments: formats)
    func logitsAreAsCloseToTheExactOnesAsLlamaCpps(format: String) throws {
        let reference = try #require(Self.llamaCpp, "Reference/tiny-llama.llama-cpp.json is missing")
        let expected = try #require(reference.models[format], "no llama.cpp logits for \(format)")
        let path = Self.path(format)
        let digest = SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
        try #require(digest == expected.sha256, "\(path) is not the file llama.cpp's logits were made from: regenerate both (scripts/engine)")
        #expect(reference.prompts == Self.prompts)
        let ours = try TextGenerator(model: try LanguageModel(path: path), threads: 1).logits(afterPrompts: Self.prompts)
        let ourError = Self.distance(ours, expected.exactLogits)
        let theirError = Self.distance(expected.logits, expected.exactLogits)
        let between = Self.distance(ours, expected.logits)
        print("FIGURES tiny \(format): from the exact logits, ours max \(ourError.max) mean \(ourError.mean), llama.cpp \(reference.llamaCppPython) max \(theirError.max) mean \(theirError.mean); ours from llama.cpp's max \(between.max) mean \(between.mean)")
        #expect(ourError.mean <= 1.25 * theirError.mean + 0.002, "mean error \(ourError.mean) against llama.cpp's \(theirError.mean)")
        #expect(ourError.max <= 1.5 * theirError.max + 0.002, "largest error \(ourError.max) against llama.cpp's \(theirError.max)")
    }
}
