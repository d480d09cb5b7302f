import RakisCore
import RakisNode
import RakisRuntime

/// A request's agreed output with what both completion endpoints answer besides its text: the
/// token counts, why generation ended, and the `rakis` object (request id, the cluster, the
/// certificate).
struct AgreedOutput: Sendable {
    let requestId: Hash256
    let chosen: ChosenOutput
    let concludedAt: Millis
    /// Counted under the chosen model's tokenizer; nil when this node does not hold the model.
    let usage: TokenUsage?
    /// The request's token limit, which tells a cut-off answer ("length") from a finished one.
    let maxTokens: Int
    let rakis: JSONValue

    /// The agreed output of `conclusion`; a request that failed is a 502 that says why.
    init(_ conclusion: RequestConclusion, spec: RequestSpec, node: any NodeService) throws {
        guard case let .final(chosen) = conclusion.outcome else {
            guard case let .failed(failure) = conclusion.outcome else { preconditionFailure("an outcome is final or failed") }
            throw APIError(status: .badGateway, message: "the network reached no consensus: \(failure) (request \(conclusion.requestId.hex))",
                           type: "rakis_consensus_failed", param: nil)
        }
        requestId = conclusion.requestId
        self.chosen = chosen
        concludedAt = conclusion.concludedAt
        maxTokens = spec.maxTokens
        usage = node.tokenUsage(model: chosen.model, input: spec.format.map(spec.input.instructed(by:)) ?? spec.input, output: chosen.output)
        var rakis: [String: JSONValue] = [
            "requestId": .string(requestId.hex), "node": .string(chosen.node.hex), "commitment": .string(chosen.commitment.hex),
            "cluster": .array(chosen.cluster.map { .string($0.hex) }),
            "certificateUrl": .string("/api/requests/\(requestId.hex)/certificate"),
        ]
        rakis["certificate"] = conclusion.certificate?.json ?? .null
        self.rakis = .object(rakis)
    }

    /// "length" when the output used the whole token limit, "stop" otherwise (or when the
    /// tokens cannot be counted here).
    var finishReason: String {
        guard let usage, usage.completionTokens >= maxTokens else { return "stop" }
        return "length"
    }

    /// Seconds since the epoch, as OpenAI's `created`.
    var created: JSONValue { .number(Double(concludedAt / 1000)) }

    var usageJSON: JSONValue {
        guard let usage else { return .null }
        return ["prompt_tokens": .number(Double(usage.promptTokens)), "completion_tokens": .number(Double(usage.completionTokens)),
                "total_tokens": .number(Double(usage.totalTokens))]
    }

    /// One chunk of a stream: `usage` is null on every chunk but the usage chunk when the
    /// client asked for one, and absent otherwise.
    func chunk(id: JSONValue, object: String, choices: [JSONValue], includeUsage: Bool, usage: JSONValue?) -> JSONValue {
        var chunk: [String: JSONValue] = ["id": id, "object": .string(object), "created": created,
                                          "model": .string(chosen.model), "choices": .array(choices)]
        if includeUsage { chunk["usage"] = .null }
        if let usage { chunk["usage"] = usage }
        return .object(chunk)
    }

    /// `chunks` with the `rakis` object on the last one.
    func carryingRakis(_ chunks: [JSONValue]) -> [JSONValue] {
        guard case var .object(last)? = chunks.last else { return chunks }
        last["rakis"] = rakis
        return chunks.dropLast() + [.object(last)]
    }

    /// The text in the pieces a stream sends it in: a word with the spaces after it, so a
    /// client that prints the deltas as they come prints the text.
    static func pieces(of text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        for character in text {
            if !character.isWhitespace, let last = current.last, last.isWhitespace {
                pieces.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }
}
