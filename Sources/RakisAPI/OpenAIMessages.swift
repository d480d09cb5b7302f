import RakisCore

/// OpenAI's chat messages, as clients send them, in the protocol's three roles.
///
/// The protocol's messages are `{role, content}` with role system, user or assistant, which every
/// model's chat template renders. OpenAI's have more: `developer` (a system message), content as
/// a list of text parts, an assistant turn that called a tool (`tool_calls`, content null) and
/// the tool's result (role `tool`). Those are written in the three roles, the same way on every
/// node: a call as the JSON the model answers with (`ToolCalling.callText`), a result as a user
/// turn that names the function ("Result of get_weather: ..."); consecutive user turns merge.
enum OpenAIMessages {
    static func read(_ values: [JSONValue], path: String) throws -> [ChatMessage] {
        guard !values.isEmpty else { throw JSONShapeError(path: path, message: "needs at least one message") }
        var messages: [ChatMessage] = []
        var callNames: [String: String] = [:]
        func append(_ role: String, _ content: String) {
            if role == "user", let last = messages.last, last.role == "user" {
                messages[messages.count - 1] = ChatMessage(role: "user", content: last.content + "\n\n" + content)
            } else {
                messages.append(ChatMessage(role: role, content: content))
            }
        }
        for (index, value) in values.enumerated() {
            let message = try JSONObjectReader(value, path: "\(path)[\(index)]")
            let role = try message.string("role")
            switch role {
            case "system", "developer":
                try message.rejectUnknownKeys(allowed: ["role", "content", "name"])
                append("system", try text(message))
            case "user":
                try message.rejectUnknownKeys(allowed: ["role", "content", "name"])
                append("user", try text(message))
            case "assistant":
                try message.rejectUnknownKeys(allowed: ["role", "content", "name", "tool_calls", "refusal", "audio", "function_call", "annotations"])
                var parts: [String] = []
                if message.optionalValue("content") != nil { parts.append(try text(message)) }
                for (callIndex, call) in (try message.optionalArray("tool_calls") ?? []).enumerated() {
                    let reader = try JSONObjectReader(call, path: "\(message.childPath("tool_calls"))[\(callIndex)]")
                    try reader.rejectUnknownKeys(allowed: ["id", "type", "function"])
                    let function = try reader.object("function")
                    try function.rejectUnknownKeys(allowed: ["name", "arguments"])
                    let name = try function.string("name")
                    let argumentsText = try function.string("arguments")
                    let arguments: JSONValue
                    do {
                        arguments = try JSONParser.parse(Array(argumentsText.utf8))
                    } catch {
                        throw JSONShapeError(path: function.childPath("arguments"), message: "is not JSON: \(error)")
                    }
                    callNames[try reader.string("id")] = name
                    parts.append(ToolCalling.callText(name: name, arguments: arguments))
                }
                append("assistant", parts.joined(separator: "\n"))
            case "tool":
                try message.rejectUnknownKeys(allowed: ["role", "content", "tool_call_id"])
                let callId = try message.string("tool_call_id")
                guard let name = callNames[callId] else {
                    throw JSONShapeError(path: message.childPath("tool_call_id"), message: "\(callId.debugDescription) answers no tool call of an earlier assistant message")
                }
                append("user", "Result of \(name): \(try text(message))")
            default:
                throw JSONShapeError(path: message.childPath("role"), message: "\(role.debugDescription) is not one of system, developer, user, assistant, tool")
            }
        }
        return messages
    }

    /// `content` as a string, or a list of text parts joined; null reads as empty.
    private static func text(_ message: JSONObjectReader) throws -> String {
        guard let content = message.optionalValue("content") else { return "" }
        if case let .string(text) = content { return text }
        guard case let .array(parts) = content else {
            throw JSONShapeError(path: message.childPath("content"), message: "expected a string or a list of text parts, found \(content.typeName)")
        }
        return try parts.enumerated().map { index, part in
            let reader = try JSONObjectReader(part, path: "\(message.childPath("content"))[\(index)]")
            let type = try reader.string("type")
            guard type == "text" else {
                throw JSONShapeError(path: reader.childPath("type"), message: "\(type.debugDescription) parts are not supported: only text")
            }
            try reader.rejectUnknownKeys(allowed: ["type", "text"])
            return try reader.string("text")
        }.joined()
    }
}
