import RakisCore

/// OpenAI's `tools` and `tool_choice`, run as a structured request, so that the network agrees
/// on a call as it agrees on any JSON answer: the function's name exactly, its arguments field
/// by field (`StructuredConsensus`).
///
/// The answer's schema is the tagged union of what the model may do, written as canonical JSON
/// with one key that says which:
/// - `{"call": {"NAME": ARGUMENTS}}`: call function NAME, ARGUMENTS matching its `parameters`
///   (an object with exactly one of the allowed functions' names, JSON Schema's
///   `minProperties`/`maxProperties` 1);
/// - `{"reply": "TEXT"}`: answer in words, only when `tool_choice` is `auto` (the default).
/// With `required` the answer must call one of the tools, with `{"type": "function",
/// "function": {"name"}}` that one; `none` makes the request plain text again (no `ToolCalling`).
/// One call per answer: `parallel_tool_calls` is accepted and has no effect.
struct ToolCalling: Sendable {
    struct Tool: Sendable {
        let name: String
        let description: String?
        /// The function's `parameters`, an object schema (`{"type": "object", "properties": {}}`
        /// when the tool gives none).
        let parameters: JSONValue
    }

    enum Choice: Sendable, Equatable {
        case auto, required
        case function(String)
    }

    /// What an agreed answer says.
    enum Answer: Sendable, Equatable {
        case reply(String)
        case call(name: String, arguments: JSONValue)
    }

    let tools: [Tool]
    let choice: Choice

    static let maxTools = 32

    /// nil when the body has no tools or `tool_choice` is `none`.
    init?(_ body: JSONObjectReader) throws {
        guard let values = try body.optionalArray("tools"), !values.isEmpty else {
            if body.optionalValue("tool_choice") != nil, try body.optionalString("tool_choice") != "none" {
                throw JSONShapeError(path: "tool_choice", message: "needs tools to choose from")
            }
            return nil
        }
        guard values.count <= Self.maxTools else { throw JSONShapeError(path: "tools", message: "\(values.count) tools, limit \(Self.maxTools)") }
        var tools: [Tool] = []
        for (index, value) in values.enumerated() {
            let tool = try JSONObjectReader(value, path: "tools[\(index)]")
            try tool.rejectUnknownKeys(allowed: ["type", "function"])
            let type = try tool.string("type")
            guard type == "function" else { throw JSONShapeError(path: tool.childPath("type"), message: "\(type.debugDescription) tools are not supported: only function") }
            let function = try tool.object("function")
            try function.rejectUnknownKeys(allowed: ["name", "description", "parameters", "strict"])
            let name = try function.string("name")
            guard Self.isValidName(name) else {
                throw JSONShapeError(path: function.childPath("name"), message: "\(name.debugDescription) is not a function name (1 to 64 of a-z, A-Z, 0-9, _ and -)")
            }
            guard !tools.contains(where: { $0.name == name }) else { throw JSONShapeError(path: function.childPath("name"), message: "\(name.debugDescription) is defined twice") }
            _ = try function.optionalBool("strict")
            let parameters = function.optionalValue("parameters") ?? ["type": "object", "properties": .object([:])]
            // Read alone first, so that a schema the network cannot decode under is refused at its own path.
            let parsed = try OutputSchema(json: parameters, path: function.childPath("parameters"))
            switch parsed.root {
            case .object, .anyObject: break
            default: throw JSONShapeError(path: function.childPath("parameters"), message: "must be an object schema (a function takes named arguments)")
            }
            tools.append(Tool(name: name, description: try function.optionalString("description"), parameters: parameters))
        }
        let choice: Choice
        switch body.optionalValue("tool_choice") {
        case nil, .string("auto")?: choice = .auto
        case .string("none")?: return nil
        case .string("required")?: choice = .required
        case let .object(members)?:
            let reader = try JSONObjectReader(.object(members), path: "tool_choice")
            try reader.rejectUnknownKeys(allowed: ["type", "function"])
            guard try reader.string("type") == "function" else {
                throw JSONShapeError(path: "tool_choice.type", message: "only \"function\" is supported")
            }
            let name = try reader.object("function").string("name")
            guard tools.contains(where: { $0.name == name }) else {
                throw JSONShapeError(path: "tool_choice.function.name", message: "\(name.debugDescription) is none of the tools")
            }
            choice = .function(name)
        case let other?:
            throw JSONShapeError(path: "tool_choice", message: "expected none, auto, required or {\"type\": \"function\", \"function\": {\"name\"}}, found \(other.canonicalString)")
        }
        self.tools = tools
        self.choice = choice
    }

    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5a).contains($0) || (0x61...0x7a).contains($0) || $0 == 0x5f || $0 == 0x2d }
    }

    /// The functions the answer may call.
    var callable: [Tool] {
        if case let .function(name) = choice { return tools.filter { $0.name == name } }
        return tools
    }

    /// The answer's schema, as the client would write it in JSON Schema.
    var schema: JSONValue {
        let functions = callable
        let calls: JSONValue
        if functions.count == 1 {
            calls = ["type": "object", "properties": .object([functions[0].name: functions[0].parameters]),
                     "required": [.string(functions[0].name)], "additionalProperties": false]
        } else {
            calls = Self.oneOf(functions.map { ($0.name, $0.parameters) })
        }
        guard choice == .auto else {
            return ["type": "object", "properties": ["call": calls], "required": ["call"], "additionalProperties": false]
        }
        return Self.oneOf([("call", calls), ("reply", ["type": "string"])])
    }

    /// An object with exactly one of `properties`.
    private static func oneOf(_ properties: [(String, JSONValue)]) -> JSONValue {
        ["type": "object", "properties": .object(Dictionary(uniqueKeysWithValues: properties)),
         "minProperties": 1, "maxProperties": 1, "additionalProperties": false]
    }

    /// The system message that tells the model what it may call and how to answer; the node's
    /// own schema instruction follows at the end of the conversation.
    var instruction: String {
        var lines = ["You can call these functions:"]
        for tool in callable {
            lines.append("- \(tool.name)" + (tool.description.map { ": \($0)" } ?? "") + " Arguments: \(tool.parameters.canonicalString)")
        }
        switch choice {
        case .auto:
            lines.append(#"To call a function, answer {"call": {"NAME": {ARGUMENTS}}}. To answer the user directly, answer {"reply": "TEXT"}."#)
        case .required, .function:
            lines.append(#"Answer by calling a function: {"call": {"NAME": {ARGUMENTS}}}."#)
        }
        return lines.joined(separator: "\n")
    }

    /// `messages` with the tools' instruction added to the first system message, or as one.
    func instructing(_ messages: [ChatMessage]) -> [ChatMessage] {
        guard let first = messages.first, first.role == "system" else {
            return [ChatMessage(role: "system", content: instruction)] + messages
        }
        return [ChatMessage(role: "system", content: first.content + "\n\n" + instruction)] + messages.dropFirst()
    }

    /// What an agreed output (canonical JSON valid under `schema`) says.
    func answer(from output: String) throws -> Answer {
        let value = try JSONParser.parse(Array(output.utf8))
        let reader = try JSONObjectReader(value, path: "output")
        if let reply = try reader.optionalString("reply") { return .reply(reply) }
        let call = try reader.object("call")
        guard let name = call.keys.first, call.keys.count == 1 else {
            throw JSONShapeError(path: "output.call", message: "holds \(call.keys.count) calls, not one")
        }
        return .call(name: name, arguments: try call.value(name))
    }

    /// A call as the model writes it, for an assistant turn in the history.
    static func callText(name: String, arguments: JSONValue) -> String {
        JSONValue.object(["call": .object([name: arguments])]).canonicalString
    }
}
