import Crypto

/// Derivations that bind an inference to its node and output.
public enum Commitment {
    /// SHA-256 over the canonical JSON of {requestId, inferenceId, nodeId, model,
    /// outputHash = SHA-256(output), embedding, salt}, and for a structured output
    /// fieldEmbeddings (its free strings' embeddings, written only when there are some, so that
    /// every other commitment stays what it was). A reveal must re-derive it exactly, so the
    /// commit binds the text, the model, the request and the node, not just the embeddings.
    public static func derive(
        requestId: Hash256, inferenceId: Hash256, nodeId: NodeID, model: String,
        output: String, embedding: BinaryEmbedding, salt: [UInt8], fieldEmbeddings: [BinaryEmbedding] = []
    ) -> Hash256 {
        // Every verifier derives one commitment per reveal, so this writes the canonical JSON
        // directly instead of building a JSONValue. Keys are written in canonical (UTF-16) order;
        // a test checks the bytes against `derivationObject(...)`'s canonical encoding.
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(512 + fieldEmbeddings.count * (embedding.bitCount / 4 + 3))
        func append(key: String) {
            if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
            JSONValue.appendCanonical(string: key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
        }
        func append(key: String, string: String) {
            append(key: key)
            JSONValue.appendCanonical(string: string, to: &bytes)
        }
        append(key: "embedding", string: embedding.hex)
        if !fieldEmbeddings.isEmpty {
            append(key: "fieldEmbeddings")
            bytes.append(UInt8(ascii: "["))
            for (index, field) in fieldEmbeddings.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONValue.appendCanonical(string: field.hex, to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        }
        append(key: "inferenceId", string: inferenceId.hex)
        append(key: "model", string: model)
        append(key: "nodeId", string: nodeId.hex)
        append(key: "outputHash", string: Hash256.of(Array(output.utf8)).hex)
        append(key: "requestId", string: requestId.hex)
        append(key: "salt", string: Hex.encode(salt))
        bytes.append(UInt8(ascii: "}"))
        return Hash256.of(bytes)
    }

    /// The object a commitment hashes, as a JSON value (the specification's form of `derive`).
    static func derivationObject(
        requestId: Hash256, inferenceId: Hash256, nodeId: NodeID, model: String,
        output: String, embedding: BinaryEmbedding, salt: [UInt8], fieldEmbeddings: [BinaryEmbedding] = []
    ) -> JSONValue {
        var object: [String: JSONValue] = [
            "requestId": .string(requestId.hex),
            "inferenceId": .string(inferenceId.hex),
            "nodeId": .string(nodeId.hex),
            "model": .string(model),
            "outputHash": .string(Hash256.of(Array(output.utf8)).hex),
            "embedding": .string(embedding.hex),
            "salt": .string(Hex.encode(salt)),
        ]
        if !fieldEmbeddings.isEmpty { object["fieldEmbeddings"] = .array(fieldEmbeddings.map { .string($0.hex) }) }
        return .object(object)
    }

    /// The commitment a reveal re-derives for its sender.
    public static func derive(reveal: Reveal, nodeId: NodeID) -> Hash256 {
        derive(requestId: reveal.requestId, inferenceId: reveal.inferenceId, nodeId: nodeId, model: reveal.model,
               output: reveal.output, embedding: reveal.embedding, salt: reveal.salt, fieldEmbeddings: reveal.fieldEmbeddings)
    }

    /// A node's inference id for a request: SHA-256("rakis/inference\n" + requestId + "\n" + nodeId).
    /// Derived, not chosen, so one node has exactly one inference per request.
    public static func inferenceId(requestId: Hash256, nodeId: NodeID) -> Hash256 {
        Hash256.of(Array("rakis/inference\n\(requestId.hex)\n\(nodeId.hex)".utf8))
    }

    /// The salt a node uses for a request: HMAC-SHA-256 keyed by its secret seed. Unpredictable to
    /// others (so a commit reveals nothing), yet the same after a restart.
    public static func salt(requestId: Hash256, identity: NodeIdentity) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array("rakis/salt\n\(requestId.hex)".utf8), using: SymmetricKey(data: identity.seed)))
    }
}
