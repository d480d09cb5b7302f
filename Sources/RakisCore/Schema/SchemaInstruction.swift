/// What a model is shown of a structured request's schema. The grammar alone keeps the answer
/// valid, but a model that is not told what the fields mean fills them with whatever continues
/// its text; so every node appends the same instruction to the input before running the model.
/// It is part of the protocol: the same request gives the same model input on every node.
extension RequestInput {
    /// The input a model runs on for a request answering in `format`: the instruction after the
    /// raw prompt, or at the end of the last user message (a new user message if the last is not
    /// the user's), separated by a blank line.
    public func instructed(by format: OutputSchema) -> RequestInput {
        let instruction = Self.instruction(for: format)
        switch self {
        case let .prompt(text):
            return .prompt(text + "\n\n" + instruction + "\n")
        case var .messages(messages):
            if let last = messages.last, last.role == "user" {
                messages[messages.count - 1] = ChatMessage(role: "user", content: last.content + "\n\n" + instruction)
            } else {
                messages.append(ChatMessage(role: "user", content: instruction))
            }
            return .messages(messages)
        }
    }

    /// "Answer with a JSON object only." for OpenAI's json_object mode; otherwise the schema
    /// itself, in its canonical JSON.
    public static func instruction(for format: OutputSchema) -> String {
        if format.root == .anyObject { return "Answer with a JSON object only." }
        return "Answer with JSON only, matching this JSON Schema: " + format.json.canonicalString
    }
}
