import RakisCore
import RakisNode

/// Reading what a client asks of a request, in either API's words, into a `RequestSpec`; what
/// it leaves out keeps the spec's defaults. The protocol's own limits are checked when the node
/// signs the request.
extension RequestSpec {
    /// The security-frame fields, the same in the native body and in OpenAI's `rakis` object.
    static let frameKeys: Set<String> = ["quorum", "secDistance", "secPercentage", "commitWindowMs", "revealWindowMs", "embeddingBits",
                                         "numberTolerance", "partial"]

    mutating func readFrame(_ object: JSONObjectReader) throws {
        quorum = try object.optionalInt("quorum") ?? quorum
        secDistance = try object.optionalDouble("secDistance") ?? secDistance
        secPercentage = try object.optionalDouble("secPercentage") ?? secPercentage
        commitWindow = try object.optionalInt("commitWindowMs").map(Millis.init) ?? commitWindow
        revealWindow = try object.optionalInt("revealWindowMs").map(Millis.init) ?? revealWindow
        embeddingBits = try object.optionalInt("embeddingBits") ?? embeddingBits
        numberTolerance = try object.optionalDouble("numberTolerance") ?? numberTolerance
        partial = try object.optionalBool("partial") ?? partial
    }

    /// OpenAI's `response_format`: `{"type": "text"}` (free text), `{"type": "json_object"}` (any
    /// object) or `{"type": "json_schema", "json_schema": {"name", "schema", "strict", "description"}}`.
    /// `strict` may be true or false: the answer matches the schema either way.
    static func outputFormat(openAI responseFormat: JSONObjectReader) throws -> OutputSchema? {
        let type = try responseFormat.string("type")
        switch type {
        case "text":
            try responseFormat.rejectUnknownKeys(allowed: ["type"])
            return nil
        case "json_object":
            try responseFormat.rejectUnknownKeys(allowed: ["type"])
            return .anyObject
        case "json_schema":
            try responseFormat.rejectUnknownKeys(allowed: ["type", "json_schema"])
            let jsonSchema = try responseFormat.object("json_schema")
            try jsonSchema.rejectUnknownKeys(allowed: ["name", "schema", "strict", "description"])
            _ = try jsonSchema.string("name")
            _ = try jsonSchema.optionalBool("strict")
            return try OutputSchema(json: jsonSchema.value("schema"), path: jsonSchema.childPath("schema"))
        default:
            throw JSONShapeError(path: responseFormat.childPath("type"),
                                 message: "\(type.debugDescription) is not one of text, json_object, json_schema")
        }
    }

    /// `[{"role", "content"}]`, as both APIs write chat messages.
    static func messages(_ values: [JSONValue], path: String) throws -> [ChatMessage] {
        guard !values.isEmpty else { throw JSONShapeError(path: path, message: "needs at least one message") }
        return try values.enumerated().map { index, value in
            let message = try JSONObjectReader(value, path: "\(path)[\(index)]")
            try message.rejectUnknownKeys(allowed: ["role", "content", "name"])
            let role = try message.string("role")
            guard ChatMessage.roles.contains(role) else {
                throw JSONShapeError(path: message.childPath("role"), message: "\(role.debugDescription) is not one of system, user, assistant")
            }
            return ChatMessage(role: role, content: try message.string("content"))
        }
    }

    /// Refuses models nobody is known to serve: the request could only fail for want of commits.
    func checkModels(known: Set<String>, param: String) throws {
        for model in models where !known.contains(model) {
            let list = known.isEmpty ? "none yet" : known.sorted().joined(separator: ", ")
            throw APIError.badRequest("model \(model.debugDescription) is not served by this node or any peer it has heard from (known: \(list))",
                                      param: param)
        }
    }
}
