import RakisCore
import RakisNode

/// A `POST /v1/chat/completions` body read into the request the network runs, and how the
/// client wants the answer: whole or streamed, with a usage chunk or without, as a message or a
/// tool call. Parameters are checked against `OpenAIParameter.chat` first.
struct ChatCompletionRequest: Sendable {
    var spec: RequestSpec
    let stream: StreamOptions?
    /// The tools the answer may call; nil for a plain or JSON-mode answer.
    let tools: ToolCalling?

    /// OpenAI's default is the model's whole context; a network's request has to fit its commit
    /// window, so a client that gives no limit gets this many tokens.
    static let defaultMaxTokens = 256

    init(_ body: JSONObjectReader) throws {
        try OpenAIParameter.check(body, against: OpenAIParameter.chat, endpoint: "/v1/chat/completions")
        do {
            if let n = try body.optionalInt("n"), n != 1 {
                throw JSONShapeError(path: "n", message: "only one choice (n = 1) is supported: the network agrees on one answer")
            }
            let model = try body.string("model")
            let tools = try ToolCalling(body)
            var messages = try OpenAIMessages.read(body.array("messages"), path: "messages")
            if let tools { messages = tools.instructing(messages) }
            var spec = RequestSpec(input: .messages(messages), models: [model], maxTokens: Self.defaultMaxTokens)
            try spec.readSampling(body)
            spec.maxTokens = try body.optionalInt("max_completion_tokens") ?? body.optionalInt("max_tokens") ?? spec.maxTokens
            if let responseFormat = try body.optionalObject("response_format") {
                spec.format = try RequestSpec.outputFormat(openAI: responseFormat)
            }
            if let tools {
                guard spec.format == nil else {
                    throw JSONShapeError(path: "response_format", message: "cannot be combined with tools: a tool call has its own schema")
                }
                spec.format = try OutputSchema(json: tools.schema, path: "tools")
            }
            try spec.readRakisObject(body, model: model)
            self.spec = spec
            self.tools = tools
            stream = try StreamOptions(body)
        } catch let error as JSONShapeError {
            throw APIError.shape(error)
        }
    }
}

/// `stream` and `stream_options`, the same for both completion endpoints.
struct StreamOptions: Sendable {
    /// `stream_options.include_usage`: a last chunk with the usage and no choices.
    let includeUsage: Bool

    /// nil unless the body asks for a stream.
    init?(_ body: JSONObjectReader) throws {
        guard try body.optionalBool("stream") == true else { return nil }
        let options = try body.optionalObject("stream_options")
        try options?.rejectUnknownKeys(allowed: ["include_usage", "include_obfuscation"])
        _ = try options?.optionalBool("include_obfuscation")
        includeUsage = try options?.optionalBool("include_usage") ?? false
    }
}

extension RequestSpec {
    /// `temperature`, `top_p`, `seed` and `stop` (a string or up to four), as both completion
    /// endpoints write them; the protocol checks the ranges when the node signs the request.
    mutating func readSampling(_ body: JSONObjectReader) throws {
        temperature = try body.optionalDouble("temperature") ?? temperature
        topP = try body.optionalDouble("top_p")
        seed = try body.optionalInt("seed")
        switch body.optionalValue("stop") {
        case nil: stop = []
        case let .string(text)?: stop = [text]
        case .array?: stop = try body.stringArray("stop")
        case let other?: throw JSONShapeError(path: "stop", message: "expected a string or a list of strings, found \(other.typeName)")
        }
    }

    /// The `rakis` extension object: the security frame and more accepted models after `model`.
    mutating func readRakisObject(_ body: JSONObjectReader, model: String) throws {
        guard let rakis = try body.optionalObject("rakis") else { return }
        try rakis.rejectUnknownKeys(allowed: RequestSpec.frameKeys.union(["models"]))
        try readFrame(rakis)
        if try rakis.optionalArray("models") != nil {
            models = [model] + (try rakis.stringArray("models")).filter { $0 != model }
        }
    }
}
