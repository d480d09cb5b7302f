import Crypto
import Foundation
import Testing
import RakisEngine
import RakisTestSupport

/// The architectures and pre-tokenizers beyond SmolLM2's end to end, on tiny random-weight models
/// (scripts/engine/make_tiny_architectures.py, made by the test set-up): Qwen 2 (projection
/// biases, tied output), Qwen 3 (per-head query and key norms, heads of 96 in a width of 256) and
/// Llama 3's pre-tokenizer. Their token ids are llama.cpp's, their logits close to llama.cpp's
/// (`Reference/tiny-architectures.llama-cpp.json`, made by
/// scripts/engine/tiny_architecture_reference.py), and the same bits whatever the thread count
/// and whatever shares the batch.
@Suite(.requires(.tinyModels))
struct TinyArchitectureTests {
    static let models = ["qwen2", "qwen3", "llama3"]
    static let prompts: [[Int32]] = [[1, 2, 3, 300, 301], Array(0..<40).map { Int32($0 * 11 % 509) }, [256, 257, 258]]

    struct LlamaCppReference: Decodable {
        struct Model: Decodable {
            let sha256: String
            /// llama.cpp's logits after each prompt.
            let logits: [[Float]]
            /// llama.cpp's token ids for each text (no BOS, special tokens not parsed).
            let tokens: [[Int32]]
        }
        let llamaCppPython: String
        let prompts: [[Int32]]
        let texts: [String]
        let models: [String: Model]
    }

    static let llamaCpp: LlamaCppReference? = {
        let file = ReferenceData.directory().appendingPathComponent("tiny-architectures.llama-cpp.json")
        return try? JSONDecoder().decode(LlamaCppReference.self, from: Data(contentsOf: file))
    }()

    static func path(_ name: String) -> String {
        (ProcessInfo.processInfo.environment["RAKIS_TEST_TINY_MODELS"] ?? "") + "/tiny-\(name).gguf"
    }

    /// The model file, after checking it is the one llama.cpp's reference was made from.
    static func model(_ name: String) throws -> (LanguageModel, LlamaCppReference.Model, LlamaCppReference) {
        let reference = try #require(llamaCpp, "Reference/tiny-architectures.llama-cpp.json is missing")
        let expected = try #require(reference.models[name], "no llama.cpp reference for \(name)")
        let path = path(name)
        let digest = SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
        try #require(digest == expected.sha256, "\(path) is not the file llama.cpp's reference was made from: regenerate both (scripts/engine)")
        return (try LanguageModel(path: path), expected, reference)
    }

    static func bits(_ logits: [[Float]]) -> [[UInt32]] { logits.map { $0.map(\.bitPattern) } }

    @Test func eachFileLoadsAsItsFamily() throws {
        let qwen2 = try LanguageModel(path: Self.path("qwen2"))
        #expect(qwen2.config.family == .qwen2 && qwen2.config.hasProjectionBiases && qwen2.config.rotatesHalves)
        #expect(qwen2.weights.layers.allSatisfy { $0.queryBias?.count == 256 && $0.keyBias?.count == 128 && $0.queryNorm == nil })
        let qwen3 = try LanguageModel(path: Self.path("qwen3"))
        #expect(qwen3.config.family == .qwen3 && qwen3.config.headDimension == 96 && qwen3.config.queryDimension == 384)
        #expect(qwen3.weights.layers.allSatisfy { $0.queryNorm?.count == 96 && $0.keyNorm?.count == 96 && $0.queryBias == nil })
        let llama3 = try LanguageModel(path: Self.path("llama3"))
        #expect(llama3.config.family == .llama && !llama3.config.rotatesHalves)
    }

    @Test(arguments: models)
    func tokenIDsAreLlamaCpps(model name: String) throws {
        let (model, expected, reference) = try Self.model(name)
        #expect(expected.tokens.count == reference.texts.count)
        for (text, ids) in zip(reference.texts, expected.tokens) {
            #expect(model.tokenizer.encode(text, parseSpecialTokens: false, startOfPrompt: false) == ids, "\(name): \(text.debugDescription)")
        }
    }

    /// The texts tell the pre-tokenizers apart: over the same vocabulary, Llama 3's ("llama-bpe")
    /// and Qwen 2's give other ids for some of them.
    @Test func theTextsTellThePreTokenizersApart() throws {
        let reference = try #require(Self.llamaCpp, "Reference/tiny-architectures.llama-cpp.json is missing")
        let llama3 = try #require(reference.models["llama3"]).tokens, qwen2 = try #require(reference.models["qwen2"]).tokens
        #expect(zip(llama3, qwen2).filter { $0 != $1 }.count >= 3)
    }

    /// Every weight is F32, so neither engine quantizes anything but the key-value cache (to
    /// F16 in both); what is left is the order of the sums (llama.cpp's matrix products add in
    /// blocks, ours row by row in eight lanes), its own exp and sin, and the F16 rounding of
    /// cache entries that already differ in their last bits. Measured: at most 0.0021 and on
    /// average 0.0004 on logits of about 1. The bounds leave room for that and still fail on
    /// any mistake in the architecture (a bias, a norm or the rotary layout left out moves the
    /// logits by tenths).
    @Test(arguments: models)
    func logitsAreCloseToLlamaCpps(model name: String) throws {
        let (model, expected, reference) = try Self.model(name)
        #expect(reference.prompts == Self.prompts)
        let ours = try TextGenerator(model: model, threads: 1).logits(afterPrompts: Self.prompts)
        let between = TensorFormatModelTests.distance(ours, expected.logits)
        let spread = TensorFormatModelTests.distance(ours, ours.map { $0.map { _ in 0 } })
        print("FIGURES tiny \(name): ours from llama.cpp \(reference.llamaCppPython) max \(between.max) mean \(between.mean) (mean |logit| \(spread.mean))")
        #expect(between.max <= 0.005, "largest difference \(between.max)")
        #expect(between.mean <= 0.001, "mean difference \(between.mean)")
    }

    @Test(arguments: models)
    func logitsAreTheSameBitsAcrossThreadsAndBatches(model name: String) throws {
        let model = try LanguageModel(path: Self.path(name))
        let single = TextGenerator(model: model, threads: 1)
        let baseline = Self.bits(try single.logits(afterPrompts: Self.prompts))
        #expect(baseline.allSatisfy { $0.count == 512 && !$0.contains(Float.nan.bitPattern) })
        for threads in [2, 4] {
            #expect(Self.bits(try TextGenerator(model: model, threads: threads).logits(afterPrompts: Self.prompts)) == baseline, "\(threads) threads")
        }
        for (index, prompt) in Self.prompts.enumerated() {
            #expect(Self.bits(try single.logits(afterPrompts: [prompt]))[0] == baseline[index], "prompt \(index) alone")
        }
        #expect(Set(baseline[0]).count > 100)
    }

    /// A file of an architecture the engine does not run fails with the list of those it does.
    @Test func anUnsupportedArchitectureIsNamedWithTheSupportedOnes() throws {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: Self.path("qwen2")))
        // The value follows its key, its type (string, 4 bytes) and its length (8 bytes).
        let key = Data("general.architecture".utf8)
        let keyRange = try #require(bytes.range(of: key))
        let valueStart = keyRange.upperBound + 12
        #expect(bytes[valueStart..<valueStart + 5] == Data("qwen2".utf8))
        bytes.replaceSubrange(valueStart..<valueStart + 5, with: Data("mamba".utf8))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-mamba-\(UUID().uuidString).gguf")
        try bytes.write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        do {
            _ = try LanguageModel(path: path.path)
            Issue.record("a 'mamba' file loaded")
        } catch {
            #expect("\(error)".contains("metadata 'general.architecture' is 'mamba', expected 'llama', 'qwen2', 'qwen3' or 'gemma3'"), "\(error)")
        }
    }
}
