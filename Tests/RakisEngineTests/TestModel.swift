import Foundation
import RakisEngine
import Synchronization

/// The real SmolLM2 model, installed by the test command's set-up step (`rakis models fetch`),
/// loaded once and shared by every engine test.
enum TestModel {
    static let catalogName = "smollm2-135m-instruct"

    /// `$RAKIS_TEST_GGUF`, else the catalog model in the model store.
    static func path() throws -> String {
        if let path = ProcessInfo.processInfo.environment["RAKIS_TEST_GGUF"] { return path }
        return try path(of: catalogName)
    }

    /// The GGUF file of catalog model `name` in the model store.
    static func path(of name: String) throws -> String {
        try ModelStore(home: ModelStore.defaultHome()).resolve(name).path
    }

    private static let loaded: Result<LanguageModel, any Error> = Result { try LanguageModel(path: path()) }

    static func model() throws -> LanguageModel { try loaded.get() }
    static func tokenizer() throws -> any Tokenizer { try model().tokenizer }

    static func chatTemplate() throws -> ChatTemplate {
        guard let template = try model().chatTemplate else { throw MissingChatTemplate() }
        return template
    }

    /// Generators by thread count, created once (each owns a worker pool).
    private static let generators = Mutex<[Int: TextGenerator]>([:])

    static func generator(threads: Int) throws -> TextGenerator {
        let model = try model()
        return generators.withLock { cache in
            if let generator = cache[threads] { return generator }
            let generator = TextGenerator(model: model, threads: threads)
            cache[threads] = generator
            return generator
        }
    }

    struct MissingChatTemplate: Error {}
}
