/// The JSON form of each packet: `{"type": ..., "createdAt": ..., <body fields>}`.
extension Packet {
    public var json: JSONValue {
        var object: [String: JSONValue]
        switch body {
        case let .request(request):
            object = ["request": request.json]
        case let .commit(commit):
            object = [
                "requestId": .string(commit.requestId.hex),
                "inferenceId": .string(commit.inferenceId.hex),
                "model": .string(commit.model),
                "commitment": .string(commit.commitment.hex),
            ]
            if let ticket = commit.ticket { object["ticket"] = .string(ticket.hex) }
        case let .quorum(quorum):
            object = ["request": quorum.request.json, "commits": .array(quorum.commits.map(\.json))]
        case let .reveal(reveal):
            object = [
                "requestId": .string(reveal.requestId.hex),
                "inferenceId": .string(reveal.inferenceId.hex),
                "model": .string(reveal.model),
                "output": .string(reveal.output),
                "salt": .string(Hex.encode(reveal.salt)),
                "embedding": .string(reveal.embedding.hex),
            ]
            if !reveal.fieldEmbeddings.isEmpty { object["fieldEmbeddings"] = .array(reveal.fieldEmbeddings.map { .string($0.hex) }) }
        case let .result(result):
            object = ["quorum": result.quorum.json, "reveals": .array(result.reveals.map(\.json)), "outcome": result.outcome.json]
        case let .peerStatus(status):
            object = [
                "models": .array(status.models.map(JSONValue.string)),
                "embeddingModels": .array(status.embeddingModels.map(JSONValue.string)),
                "activeJobs": .number(Double(status.activeJobs)),
                "queuedJobs": .number(Double(status.queuedJobs)),
            ]
            if let ticket = status.ticket { object["ticket"] = .string(ticket.hex) }
        case let .attestation(attestation):
            object = [
                "requestId": .string(attestation.requestId.hex),
                "address": .string(attestation.address),
                "outputHash": .string(Hex.encode(attestation.outputHash)),
                "commitmentSetHash": .string(Hex.encode(attestation.commitmentSetHash)),
                "signature": .string(Hex.encode(attestation.signature)),
                "link": .string(Hex.encode(attestation.link)),
            ]
        case let .chat(chat):
            object = ["text": .string(chat.text)]
        }
        object["type"] = .string(body.typeName)
        object["createdAt"] = .number(Double(createdAt))
        return .object(object)
    }

    public init(json: JSONValue, path: String) throws {
        let reader = try JSONObjectReader(json, path: path)
        let type = try reader.string("type")
        let createdAt = Millis(try reader.int("createdAt"))
        let common: Set<String> = ["type", "createdAt"]
        let body: PacketBody
        switch type {
        case "request":
            try reader.rejectUnknownKeys(allowed: common.union(["request"]))
            body = .request(try InferenceRequest(json: try reader.value("request"), path: reader.childPath("request")))
        case "commit":
            try reader.rejectUnknownKeys(allowed: common.union(["requestId", "inferenceId", "model", "commitment", "ticket"]))
            body = .commit(Commit(
                requestId: try Hash256(json: reader, key: "requestId"),
                inferenceId: try Hash256(json: reader, key: "inferenceId"),
                model: try reader.string("model"),
                commitment: try Hash256(json: reader, key: "commitment"),
                ticket: try AdmissionTicket(json: reader)
            ))
        case "quorum":
            try reader.rejectUnknownKeys(allowed: common.union(["request", "commits"]))
            let request = try Envelope(json: try reader.value("request"), path: reader.childPath("request"), expecting: "request")
            let commits = try reader.array("commits").enumerated().map { index, value in
                try Envelope(json: value, path: "\(reader.childPath("commits"))[\(index)]", expecting: "commit")
            }
            body = .quorum(QuorumDecision(request: request, commits: commits))
        case "reveal":
            try reader.rejectUnknownKeys(allowed: common.union(["requestId", "inferenceId", "model", "output", "salt", "embedding",
                                                                "fieldEmbeddings"]))
            guard let salt = Hex.decode(try reader.string("salt")), salt.count == 32 else {
                throw JSONShapeError(path: reader.childPath("salt"), message: "expected 64 lowercase hex digits (32 bytes)")
            }
            guard let embedding = BinaryEmbedding(hex: try reader.string("embedding")), embedding.bitCount > 0 else {
                throw JSONShapeError(path: reader.childPath("embedding"), message: "expected lowercase hex bytes")
            }
            let fieldEmbeddings = try (reader.optionalArray("fieldEmbeddings") ?? []).enumerated().map { index, value in
                guard case let .string(text) = value, let field = BinaryEmbedding(hex: text), field.bitCount > 0 else {
                    throw JSONShapeError(path: "\(reader.childPath("fieldEmbeddings"))[\(index)]", message: "expected lowercase hex bytes")
                }
                return field
            }
            body = .reveal(Reveal(
                requestId: try Hash256(json: reader, key: "requestId"),
                inferenceId: try Hash256(json: reader, key: "inferenceId"),
                model: try reader.string("model"),
                output: try reader.string("output"),
                salt: salt,
                embedding: embedding,
                fieldEmbeddings: fieldEmbeddings
            ))
        case "result":
            try reader.rejectUnknownKeys(allowed: common.union(["quorum", "reveals", "outcome"]))
            let quorum = try Envelope(json: try reader.value("quorum"), path: reader.childPath("quorum"), expecting: "quorum")
            let reveals = try reader.array("reveals").enumerated().map { index, value in
                try Envelope(json: value, path: "\(reader.childPath("reveals"))[\(index)]", expecting: "reveal")
            }
            let outcome = try ResultOutcome(json: try reader.value("outcome"), path: reader.childPath("outcome"))
            body = .result(ResultCertificate(quorum: quorum, reveals: reveals, outcome: outcome))
        case "peerStatus":
            try reader.rejectUnknownKeys(allowed: common.union(["models", "embeddingModels", "activeJobs", "queuedJobs", "ticket"]))
            body = .peerStatus(PeerStatus(
                models: try reader.stringArray("models"),
                embeddingModels: try reader.stringArray("embeddingModels"),
                activeJobs: try reader.int("activeJobs"),
                queuedJobs: try reader.int("queuedJobs"),
                ticket: try AdmissionTicket(json: reader)
            ))
        case "attestation":
            try reader.rejectUnknownKeys(allowed: common.union(["requestId", "address", "outputHash", "commitmentSetHash", "signature", "link"]))
            func bytes(_ key: String) throws -> [UInt8] {
                guard let bytes = Hex.decode(try reader.string(key)) else {
                    throw JSONShapeError(path: reader.childPath(key), message: "expected lowercase hex bytes")
                }
                return bytes
            }
            body = .attestation(ChainAttestation(
                requestId: try Hash256(json: reader, key: "requestId"),
                address: try reader.string("address"),
                outputHash: try bytes("outputHash"),
                commitmentSetHash: try bytes("commitmentSetHash"),
                signature: try bytes("signature"),
                link: try bytes("link")
            ))
        case "chat":
            try reader.rejectUnknownKeys(allowed: common.union(["text"]))
            body = .chat(ChatPost(text: try reader.string("text")))
        default:
            throw JSONShapeError(path: reader.childPath("type"), message: "unknown packet type \"\(type)\"")
        }
        self.init(body, createdAt: createdAt)
    }
}

extension AdmissionTicket {
    /// The optional "ticket" field of a commit or status packet.
    init?(json reader: JSONObjectReader) throws {
        guard let text = try reader.optionalString("ticket") else { return nil }
        guard let ticket = AdmissionTicket(hex: text) else {
            throw JSONShapeError(path: reader.childPath("ticket"), message: "expected 16 lowercase hex digits (8 bytes)")
        }
        self = ticket
    }
}

extension ResultOutcome {
    public var json: JSONValue {
        switch self {
        case let .agreed(chosen, cluster):
            ["status": "agreed", "chosen": .string(chosen.hex), "members": .array(cluster.map { .string($0.hex) })]
        case let .failed(reason):
            ["status": "failed", "reason": .string(reason)]
        }
    }

    public init(json: JSONValue, path: String) throws {
        let reader = try JSONObjectReader(json, path: path)
        switch try reader.string("status") {
        case "agreed":
            try reader.rejectUnknownKeys(allowed: ["status", "chosen", "members"])
            let members = try reader.stringArray("members").enumerated().map { index, text in
                guard let hash = Hash256(hex: text) else {
                    throw JSONShapeError(path: "\(reader.childPath("members"))[\(index)]", message: "expected a SHA-256 digest in hex")
                }
                return hash
            }
            self = .agreed(chosen: try Hash256(json: reader, key: "chosen"), cluster: members)
        case "failed":
            try reader.rejectUnknownKeys(allowed: ["status", "reason"])
            self = .failed(reason: try reader.string("reason"))
        case let other:
            throw JSONShapeError(path: reader.childPath("status"), message: "unknown outcome status \"\(other)\"")
        }
    }
}

extension ResultCertificate {
    /// The certificate as a result packet carries it, without the packet's type and time.
    public var json: JSONValue {
        ["quorum": quorum.json, "reveals": .array(reveals.map(\.json)), "outcome": outcome.json]
    }
}
