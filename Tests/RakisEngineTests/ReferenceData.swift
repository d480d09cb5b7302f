import Foundation

/// Outputs recorded from reference implementations (llama.cpp), for tests to compare against.
enum ReferenceData {
    static let smolLM2 = "smollm2-135m-instruct-q4_1.llama-cpp.json"

    /// llama.cpp's token ids and greedy completions for one model (SmolLM2 by default).
    static func llamaCpp(_ fileName: String = smolLM2) throws -> LlamaCppReference {
        let file = directory().appendingPathComponent(fileName)
        return try JSONDecoder().decode(LlamaCppReference.self, from: Data(contentsOf: file))
    }

    /// `$RAKIS_REFERENCE_DIR`, else the copies kept beside this file in `Reference/` (from the
    /// team's shared reference folder, so a clean clone tests on its own).
    static func directory() -> URL {
        if let path = ProcessInfo.processInfo.environment["RAKIS_REFERENCE_DIR"] {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reference", isDirectory: true)
    }
}

/// One `*.llama-cpp.json` file: what llama.cpp made of a model's tokenizer and prompts.
struct LlamaCppReference: Decodable {
    /// A text and llama.cpp's token ids for it (special tokens parsed, no BOS unless the model adds one).
    struct TokenizedText: Decodable {
        let text: String
        let ids: [Int32]
    }

    /// A prompt and its greedy (temperature 0) completion.
    struct Completion: Decodable {
        /// Whether `prompt` is `userText` rendered as one user message with the chat template.
        let chat: Bool
        let userText: String
        let prompt: String
        let promptIDs: [Int32]
        let completionIDs: [Int32]
        let completionText: String
        /// Why generation stopped: "eos" or "limit" (`nPredict` tokens).
        let stop: String

        enum CodingKeys: String, CodingKey {
            case chat, prompt, stop
            case userText = "user_text"
            case promptIDs = "prompt_ids"
            case completionIDs = "completion_ids"
            case completionText = "completion_text"
        }
    }

    let modelFile: String
    let engine: String
    let nPredict: Int
    let tokenizer: [TokenizedText]
    let completions: [Completion]

    enum CodingKeys: String, CodingKey {
        case engine, tokenizer, completions
        case modelFile = "model_file"
        case nPredict = "n_predict"
    }
}
