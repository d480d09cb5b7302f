import RakisCore
import RakisNode

/// A `POST /v1/completions` body (OpenAI's legacy text completions): a raw prompt, continued by
/// the model without its chat template. Parameters are checked against
/// `OpenAIParameter.completions` first.
struct TextCompletionRequest: Sendable {
    var spec: RequestSpec
    let stream: StreamOptions?
    /// `echo`: the answer's text starts with the prompt.
    let echo: Bool

    /// OpenAI's own default for this endpoint.
    static let defaultMaxTokens = 16

    init(_ body: JSONObjectReader) throws {
        try OpenAIParameter.check(body, against: OpenAIParameter.completions, endpoint: "/v1/completions")
        do {
            if let n = try body.optionalInt("n"), n != 1 {
                throw JSONShapeError(path: "n", message: "only one choice (n = 1) is supported: the network agrees on one answer")
            }
            let model = try body.string("model")
            let prompt: String
            switch body.optionalValue("prompt") {
            case let .string(text)?:
                prompt = text
            case let .array(items)? where items.count == 1:
                guard case let .string(text) = items[0] else {
                    throw JSONShapeError(path: "prompt[0]", message: "expected a string (token-id prompts are not supported), found \(items[0].typeName)")
                }
                prompt = text
            case .array?:
                throw JSONShapeError(path: "prompt", message: "give one prompt: the network agrees on one completion per request")
            case let other?:
                throw JSONShapeError(path: "prompt", message: "expected a string, found \(other.typeName)")
            case nil:
                throw JSONShapeError(path: "prompt", message: "missing required field")
            }
            var spec = RequestSpec(input: .prompt(prompt), models: [model], maxTokens: Self.defaultMaxTokens)
            try spec.readSampling(body)
            spec.maxTokens = try body.optionalInt("max_tokens") ?? spec.maxTokens
            try spec.readRakisObject(body, model: model)
            self.spec = spec
            echo = try body.optionalBool("echo") ?? false
            stream = try StreamOptions(body)
        } catch let error as JSONShapeError {
            throw APIError.shape(error)
        }
    }
}
