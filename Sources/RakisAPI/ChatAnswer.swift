import RakisCore

/// An agreed chat answer in OpenAI's two shapes: one `chat.completion`, or the
/// `chat.completion.chunk`s of a stream.
struct ChatAnswer: Sendable {
    let agreed: AgreedOutput
    /// What the message says: text, or (a request with tools) a reply or a call.
    let answer: ToolCalling.Answer

    init(_ agreed: AgreedOutput, tools: ToolCalling?) throws {
        self.agreed = agreed
        guard let tools else {
            answer = .reply(agreed.chosen.output)
            return
        }
        do {
            answer = try tools.answer(from: agreed.chosen.output)
        } catch {
            throw APIError(status: .badGateway, message: "the agreed output is not a tool answer: \(error) (request \(agreed.requestId.hex))",
                           type: "server_error", param: nil)
        }
    }

    private var id: JSONValue { .string("chatcmpl-\(agreed.requestId.hex)") }

    /// The same on every node that serves the answer: derived from the request id.
    private var callId: String { "call_" + agreed.requestId.hex.prefix(24) }

    private var finishReason: String {
        if case .call = answer { return "tool_calls" }
        return agreed.finishReason
    }

    private var toolCall: JSONValue? {
        guard case let .call(name, arguments) = answer else { return nil }
        return ["id": .string(callId), "type": "function", "function": ["name": .string(name), "arguments": .string(arguments.canonicalString)]]
    }

    var completion: JSONValue {
        var message: [String: JSONValue] = ["role": "assistant", "refusal": .null]
        switch answer {
        case let .reply(text): message["content"] = .string(text)
        case .call: message["content"] = .null
        }
        if let toolCall { message["tool_calls"] = [toolCall] }
        return [
            "id": id, "object": "chat.completion", "created": agreed.created, "model": .string(agreed.chosen.model),
            "choices": [["index": 0, "message": .object(message), "finish_reason": .string(finishReason), "logprobs": .null]],
            "usage": agreed.usageJSON, "rakis": agreed.rakis,
        ]
    }

    /// The role first, the content (or the call's name, then its arguments) in pieces, the
    /// finish reason, then with `includeUsage` a chunk with the usage and no choices (every other
    /// chunk then has `"usage": null`). The last chunk carries the `rakis` object.
    func chunks(includeUsage: Bool) -> [JSONValue] {
        var deltas: [JSONValue] = [["role": "assistant", "content": ""]]
        switch answer {
        case let .reply(text):
            deltas += AgreedOutput.pieces(of: text).map { ["content": .string($0)] }
        case let .call(name, arguments):
            deltas.append(["tool_calls": [["index": 0, "id": .string(callId), "type": "function",
                                           "function": ["name": .string(name), "arguments": ""]]]])
            deltas.append(["tool_calls": [["index": 0, "function": ["arguments": .string(arguments.canonicalString)]]]])
        }
        var chunks = deltas.map { chunk(choices: [["index": 0, "delta": $0, "logprobs": .null, "finish_reason": .null]], includeUsage: includeUsage) }
        chunks.append(chunk(choices: [["index": 0, "delta": .object([:]), "logprobs": .null, "finish_reason": .string(finishReason)]],
                            includeUsage: includeUsage))
        if includeUsage { chunks.append(chunk(choices: [], includeUsage: false, usage: agreed.usageJSON)) }
        return agreed.carryingRakis(chunks)
    }

    private func chunk(choices: [JSONValue], includeUsage: Bool, usage: JSONValue? = nil) -> JSONValue {
        agreed.chunk(id: id, object: "chat.completion.chunk", choices: choices, includeUsage: includeUsage, usage: usage)
    }
}
