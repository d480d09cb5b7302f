import RakisCore

/// An agreed text completion in OpenAI's two shapes: one `text_completion`, or a stream of them.
struct TextCompletionAnswer: Sendable {
    let agreed: AgreedOutput
    /// The text the answer starts with (`echo`: the prompt), before the agreed output.
    let echoed: String

    private var id: JSONValue { .string("cmpl-\(agreed.requestId.hex)") }

    var completion: JSONValue {
        [
            "id": id, "object": "text_completion", "created": agreed.created, "model": .string(agreed.chosen.model),
            "choices": [["index": 0, "text": .string(echoed + agreed.chosen.output), "finish_reason": .string(agreed.finishReason), "logprobs": .null]],
            "usage": agreed.usageJSON, "rakis": agreed.rakis,
        ]
    }

    /// The text in pieces, the finish reason on the last piece's chunk (as OpenAI sends it), then
    /// with `includeUsage` a chunk with the usage and no choices. The last chunk carries `rakis`.
    func chunks(includeUsage: Bool) -> [JSONValue] {
        var pieces = (echoed.isEmpty ? [] : [echoed]) + AgreedOutput.pieces(of: agreed.chosen.output)
        if pieces.isEmpty { pieces = [""] }
        var chunks = pieces.enumerated().map { index, piece in
            let finish: JSONValue = index == pieces.count - 1 ? .string(agreed.finishReason) : .null
            return chunk(choices: [["index": 0, "text": .string(piece), "finish_reason": finish, "logprobs": .null]], includeUsage: includeUsage)
        }
        if includeUsage { chunks.append(chunk(choices: [], includeUsage: false, usage: agreed.usageJSON)) }
        return agreed.carryingRakis(chunks)
    }

    private func chunk(choices: [JSONValue], includeUsage: Bool, usage: JSONValue? = nil) -> JSONValue {
        agreed.chunk(id: id, object: "text_completion", choices: choices, includeUsage: includeUsage, usage: usage)
    }
}
