import RakisCore

/// What the OpenAI-compatible endpoints do with each standard parameter of OpenAI's API.
///
/// A client written for OpenAI sends many parameters that mean nothing to a network of local
/// models (`store`, `user`, `service_tier`...). Those are accepted and ignored, as other
/// OpenAI-compatible servers do. A parameter that would change the answer if it were honoured
/// (`logit_bias`, `n > 1`, a penalty) is refused with a 400 that names it, unless it is given
/// the value that changes nothing: ignoring it would change the meaning silently. A key that is
/// not a parameter of the API at all is refused as OpenAI refuses it. `null` counts as absent.
enum OpenAIParameter: Sendable {
    /// Read by the endpoint's parser.
    case honoured
    /// Accepted with any value: it has no effect on a Rakis answer.
    case ignored
    /// Accepted when `isNeutral(value)`, the value that asks for nothing (0, false, empty);
    /// otherwise refused with `refusal`.
    case neutral(_ isNeutral: @Sendable (JSONValue) -> Bool, refusal: String)
    /// Refused with any non-null value.
    case refused(String)

    /// The policy of each parameter of `POST /v1/chat/completions`.
    static let chat: [String: OpenAIParameter] = [
        "model": .honoured, "messages": .honoured, "temperature": .honoured, "top_p": .honoured, "seed": .honoured,
        "max_tokens": .honoured, "max_completion_tokens": .honoured, "stop": .honoured, "response_format": .honoured,
        "stream": .honoured, "stream_options": .honoured, "tools": .honoured, "tool_choice": .honoured, "n": .honoured,
        "rakis": .honoured,
        "user": .ignored, "metadata": .ignored, "store": .ignored, "service_tier": .ignored, "prompt_cache_key": .ignored,
        "safety_identifier": .ignored, "parallel_tool_calls": .ignored, "reasoning_effort": .ignored, "verbosity": .ignored,
        "prediction": .ignored,
        "frequency_penalty": .neutral(isZero, refusal: penaltyRefusal),
        "presence_penalty": .neutral(isZero, refusal: penaltyRefusal),
        "logit_bias": .neutral(isEmptyObject, refusal: "token biases would make this node's answer differ from the other nodes'; the network samples every node alike"),
        "logprobs": .neutral({ $0 == .bool(false) }, refusal: "log probabilities are not part of the agreed answer (each node's differ)"),
        "top_logprobs": .neutral(isZero, refusal: "log probabilities are not part of the agreed answer (each node's differ)"),
        "modalities": .neutral({ $0 == .array(["text"]) }, refusal: "only text is supported"),
        "audio": .refused("audio output is not supported"),
        "functions": .refused("the deprecated functions parameter is not supported: use tools"),
        "function_call": .refused("the deprecated function_call parameter is not supported: use tool_choice"),
        "web_search_options": .refused("web search is not supported: the network answers from its models alone"),
    ]

    /// The policy of each parameter of `POST /v1/completions`.
    static let completions: [String: OpenAIParameter] = [
        "model": .honoured, "prompt": .honoured, "temperature": .honoured, "top_p": .honoured, "seed": .honoured,
        "max_tokens": .honoured, "stop": .honoured, "stream": .honoured, "stream_options": .honoured, "n": .honoured,
        "echo": .honoured, "rakis": .honoured,
        "user": .ignored,
        "best_of": .neutral({ $0 == .number(1) }, refusal: "only best_of = 1 is supported: the network agrees on one completion"),
        "suffix": .neutral({ $0 == .string("") }, refusal: "insertion (a suffix) is not supported"),
        "frequency_penalty": .neutral(isZero, refusal: penaltyRefusal),
        "presence_penalty": .neutral(isZero, refusal: penaltyRefusal),
        "logit_bias": .neutral(isEmptyObject, refusal: "token biases would make this node's answer differ from the other nodes'; the network samples every node alike"),
        "logprobs": .neutral(isZero, refusal: "log probabilities are not part of the agreed answer (each node's differ)"),
    ]

    /// The policy of each parameter of `POST /v1/embeddings`.
    static let embeddings: [String: OpenAIParameter] = [
        "model": .honoured, "input": .honoured, "encoding_format": .honoured, "dimensions": .honoured, "user": .ignored,
    ]

    private static let penaltyRefusal = "repetition penalties are not implemented by the network's engine; only 0 is accepted"
    private static let isZero: @Sendable (JSONValue) -> Bool = { $0 == .number(0) }
    private static let isEmptyObject: @Sendable (JSONValue) -> Bool = { $0 == .object([:]) }

    /// Refuses what `table` refuses, and keys that are none of its parameters.
    static func check(_ body: JSONObjectReader, against table: [String: OpenAIParameter], endpoint: String) throws {
        for key in body.keys {
            guard let policy = table[key] else {
                throw APIError.badRequest("unrecognized request argument supplied: \(key) (\(endpoint) takes \(table.keys.sorted().joined(separator: ", ")))",
                                          param: key)
            }
            guard let value = body.optionalValue(key) else { continue }
            switch policy {
            case .honoured, .ignored:
                continue
            case let .neutral(isNeutral, refusal):
                if !isNeutral(value) { throw APIError.badRequest("\(key) = \(value.canonicalString) is not supported: \(refusal)", param: key) }
            case let .refused(reason):
                throw APIError.badRequest("\(key) is not supported: \(reason)", param: key)
            }
        }
    }
}
