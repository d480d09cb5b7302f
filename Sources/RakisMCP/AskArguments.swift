import RakisCore

/// The `ask` tool's arguments, read into the body of the node's `POST /api/requests`. Everything
/// about the request itself (the models, the security frame's bounds, the prompt's size) is the
/// node's to judge; this reads the shape and the one thing that is this side's: how long to wait.
struct AskArguments: Equatable {
    static let defaultTimeoutSeconds = 180.0
    /// An agent that wants longer should split its work: the network's own deadlines end a
    /// request well before this.
    static let maxTimeoutSeconds = 900.0

    /// The argument names and the request body's keys they become.
    static let bodyKeys: [String: String] = [
        "models": "models", "quorum": "quorum", "secDistance": "secDistance", "secPercentage": "secPercentage",
        "maxTokens": "maxTokens", "temperature": "temperature", "seed": "seed", "schema": "format",
    ]

    let body: JSONValue
    let timeoutSeconds: Double

    init(_ arguments: JSONValue) throws {
        let reader = try JSONObjectReader(arguments, path: "arguments")
        try reader.rejectUnknownKeys(allowed: Set(Self.bodyKeys.keys).union(["prompt", "system", "timeoutSeconds"]))
        var messages: [JSONValue] = []
        if let system = try reader.optionalString("system") { messages.append(["role": "system", "content": .string(system)]) }
        messages.append(["role": "user", "content": .string(try reader.string("prompt"))])
        var body: [String: JSONValue] = ["messages": .array(messages)]
        // Types are checked here, so that the agent hears which argument is wrong in its own names.
        _ = try reader.optionalArray("models").map { _ in try reader.stringArray("models") }
        _ = try reader.optionalInt("quorum")
        _ = try reader.optionalDouble("secDistance")
        _ = try reader.optionalDouble("secPercentage")
        _ = try reader.optionalInt("maxTokens")
        _ = try reader.optionalDouble("temperature")
        _ = try reader.optionalInt("seed")
        if let schema = reader.optionalValue("schema"), case .object = schema {} else if reader.optionalValue("schema") != nil {
            throw JSONShapeError(path: reader.childPath("schema"), message: "must be a JSON Schema object")
        }
        for (argument, key) in Self.bodyKeys {
            if let value = reader.optionalValue(argument) { body[key] = value }
        }
        self.body = .object(body)
        let timeout = try reader.optionalDouble("timeoutSeconds") ?? Self.defaultTimeoutSeconds
        guard timeout > 0, timeout <= Self.maxTimeoutSeconds else {
            throw JSONShapeError(path: reader.childPath("timeoutSeconds"), message: "must be more than 0 and at most \(Int(Self.maxTimeoutSeconds))")
        }
        timeoutSeconds = timeout
    }

    /// The security frame's fields, which the request writes inside `frame`.
    static let frameKeys: Set<String> = ["quorum", "secDistance", "secPercentage"]

    /// What the certified request (a verified certificate's `request`) says otherwise than was
    /// asked, or nil. A certificate proves what the network answered to *its* request; a node
    /// could hand back a genuine certificate of another question, or of this one under a weaker
    /// frame, so the request itself is held to the question and to every field the agent set.
    func mismatch(in certified: JSONValue) -> String? {
        guard case let .object(request) = certified, case let .object(asked) = body else { return "the certificate holds no request" }
        var frame: [String: JSONValue] = [:]
        if case let .object(members)? = request["frame"] { frame = members }
        for key in asked.keys.sorted() {
            let found = Self.frameKeys.contains(key) ? frame[key] : request[key]
            guard found == asked[key] else {
                let place = Self.frameKeys.contains(key) ? "frame.\(key)" : key
                return "its request's \(place) is \(found?.canonicalString ?? "absent"), not the \(asked[key]!.canonicalString) asked for"
            }
        }
        return nil
    }
}
