/// The request's JSON form. Field names are the wire names documented in docs/PROTOCOL.md.
extension InferenceRequest {
    public var json: JSONValue {
        Self.json(input: input, models: models, temperature: temperature, maxTokens: maxTokens, seed: seed,
                  embedding: embedding, frame: frame, origin: origin, createdAt: createdAt, nonce: nonce, format: format, topP: topP, stop: stop)
    }

    /// Fields added after version 1's first requests (`format`, `topP`, `stop`,
    /// `frame.numberTolerance`, `frame.partial`) are written only when they differ from their default, so the JSON, and
    /// the id, of a request without them is what it always was.
    static func json(
        input: RequestInput, models: [String], temperature: Double, maxTokens: Int, seed: Int?,
        embedding: EmbeddingSpec, frame: SecurityFrame, origin: RequestOrigin, createdAt: Millis, nonce: String,
        format: OutputSchema?, topP: Double?, stop: [String]
    ) -> JSONValue {
        var frameObject: [String: JSONValue] = [
            "quorum": .number(Double(frame.quorum)),
            "secDistance": .number(frame.secDistance),
            "secPercentage": .number(frame.secPercentage),
            "commitDeadline": .number(Double(frame.commitDeadline)),
            "revealDeadline": .number(Double(frame.revealDeadline)),
        ]
        if frame.numberTolerance != 0 { frameObject["numberTolerance"] = .number(frame.numberTolerance) }
        if frame.partial { frameObject["partial"] = .bool(true) }
        var object: [String: JSONValue] = [
            "models": .array(models.map(JSONValue.string)),
            "temperature": .number(temperature),
            "maxTokens": .number(Double(maxTokens)),
            "embedding": ["model": .string(embedding.model), "bits": .number(Double(embedding.bits))],
            "frame": .object(frameObject),
            "origin": origin.json,
            "createdAt": .number(Double(createdAt)),
            "nonce": .string(nonce),
        ]
        switch input {
        case let .prompt(text):
            object["prompt"] = .string(text)
        case let .messages(messages):
            object["messages"] = .array(messages.map { ["role": .string($0.role), "content": .string($0.content)] })
        }
        if let seed { object["seed"] = .number(Double(seed)) }
        if let format { object["format"] = format.json }
        if let topP { object["topP"] = .number(topP) }
        if !stop.isEmpty { object["stop"] = .array(stop.map(JSONValue.string)) }
        return .object(object)
    }

    public init(json: JSONValue, path: String) throws {
        let reader = try JSONObjectReader(json, path: path)
        try reader.rejectUnknownKeys(allowed: [
            "prompt", "messages", "models", "temperature", "maxTokens", "seed", "embedding", "frame", "origin",
            "createdAt", "nonce", "format", "topP", "stop",
        ])
        let input: RequestInput
        switch (try reader.optionalString("prompt"), try reader.optionalArray("messages")) {
        case let (prompt?, nil):
            input = .prompt(prompt)
        case let (nil, messages?):
            input = .messages(try messages.enumerated().map { index, message in
                let item = try JSONObjectReader(message, path: "\(reader.childPath("messages"))[\(index)]")
                try item.rejectUnknownKeys(allowed: ["role", "content"])
                return ChatMessage(role: try item.string("role"), content: try item.string("content"))
            })
        default:
            throw JSONShapeError(path: path, message: "exactly one of \"prompt\" and \"messages\" is required")
        }
        let embedding = try reader.object("embedding")
        try embedding.rejectUnknownKeys(allowed: ["model", "bits"])
        let frame = try reader.object("frame")
        try frame.rejectUnknownKeys(allowed: ["quorum", "secDistance", "secPercentage", "commitDeadline", "revealDeadline",
                                              "numberTolerance", "partial"])
        self.init(
            input: input,
            models: try reader.stringArray("models"),
            temperature: try reader.double("temperature"),
            maxTokens: try reader.int("maxTokens"),
            seed: try reader.optionalInt("seed"),
            embedding: EmbeddingSpec(model: try embedding.string("model"), bits: try embedding.int("bits")),
            frame: SecurityFrame(
                quorum: try frame.int("quorum"),
                secDistance: try frame.double("secDistance"),
                secPercentage: try frame.double("secPercentage"),
                commitDeadline: Millis(try frame.int("commitDeadline")),
                revealDeadline: Millis(try frame.int("revealDeadline")),
                numberTolerance: try frame.optionalDouble("numberTolerance") ?? 0,
                partial: try frame.optionalBool("partial") ?? false
            ),
            origin: try RequestOrigin(json: try reader.value("origin"), path: reader.childPath("origin")),
            createdAt: Millis(try reader.int("createdAt")),
            nonce: try reader.string("nonce"),
            format: try reader.optionalValue("format").map { try OutputSchema(json: $0, path: reader.childPath("format")) },
            topP: try reader.optionalDouble("topP"),
            stop: try Self.stopStrings(reader)
        )
    }
}

extension InferenceRequest {
    /// `stop`, which is written only when it holds a string: an empty list would give the
    /// request two encodings.
    private static func stopStrings(_ reader: JSONObjectReader) throws -> [String] {
        guard reader.optionalValue("stop") != nil else { return [] }
        let stop = try reader.stringArray("stop")
        guard !stop.isEmpty else { throw JSONShapeError(path: reader.childPath("stop"), message: "is written only when it holds a string") }
        return stop
    }
}

extension RequestOrigin {
    public var json: JSONValue {
        var object: [String: JSONValue] = ["kind": .string(kind.rawValue), "node": .string(node.hex)]
        if let chain {
            object["chain"] = [
                "chainId": .number(Double(chain.chainId)),
                "contract": .string(chain.contract),
                "requestId": .string(chain.chainRequestId),
            ]
        }
        return .object(object)
    }

    public init(json: JSONValue, path: String) throws {
        let reader = try JSONObjectReader(json, path: path)
        try reader.rejectUnknownKeys(allowed: ["kind", "node", "chain"])
        let kindName = try reader.string("kind")
        guard let kind = Kind(rawValue: kindName) else {
            throw JSONShapeError(path: reader.childPath("kind"), message: "unknown origin kind \"\(kindName)\"")
        }
        let node = try NodeID(json: reader, key: "node")
        var chain: ChainCoordinates?
        if let coordinates = try reader.optionalObject("chain") {
            try coordinates.rejectUnknownKeys(allowed: ["chainId", "contract", "requestId"])
            chain = ChainCoordinates(
                chainId: try coordinates.int("chainId"),
                contract: try coordinates.string("contract"),
                chainRequestId: try coordinates.string("requestId")
            )
        }
        self.init(kind: kind, node: node, chain: chain)
    }
}

extension NodeID {
    /// Reads a node id field, naming the field when it is not 64 lowercase hex digits.
    init(json reader: JSONObjectReader, key: String) throws {
        let text = try reader.string(key)
        guard let id = NodeID(hex: text) else {
            throw JSONShapeError(path: reader.childPath(key), message: "expected 64 lowercase hex digits (an Ed25519 public key)")
        }
        self = id
    }
}

extension Hash256 {
    /// Reads a SHA-256 field, naming the field when it is not 64 lowercase hex digits.
    init(json reader: JSONObjectReader, key: String) throws {
        let text = try reader.string(key)
        guard let hash = Hash256(hex: text) else {
            throw JSONShapeError(path: reader.childPath(key), message: "expected 64 lowercase hex digits (a SHA-256 digest)")
        }
        self = hash
    }
}
