import Foundation
import RakisEngine

/// Resolves a model argument (catalog name or GGUF path) and loads it, drawing load progress
/// on stderr unless `quiet`.
enum ModelLoading {
    static func load(_ argument: String, quiet: Bool = false) throws -> LanguageModel {
        let path = try Models.store().resolve(argument).path
        let bar = quiet ? nil : ProgressBar()
        let model = try LanguageModel(path: path) { done, total in
            bar?.update(step: "loading \((path as NSString).lastPathComponent)", completed: Int64(done), total: Int64(total)) {
                "\($0) parts"
            }
        }
        bar?.finish()
        return model
    }
}
