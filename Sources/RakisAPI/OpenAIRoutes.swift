import Foundation
import Hummingbird
import RakisCore
import RakisNode
import RakisRuntime

/// The OpenAI-compatible endpoints: `GET /v1/models` and `POST /v1/chat/completions`.
///
/// The standard fields map onto the request (`model` is the accepted model, `max_tokens` or
/// `max_completion_tokens` the token limit); a `rakis` object carries the security frame and
/// optionally more accepted models. The answer is the consensus output in OpenAI's format plus a
/// `rakis` object with the request id, the cluster and the certificate.
struct OpenAIRoutes {
    let node: any NodeService

    static let bodyKeys: Set<String> = ["model", "messages", "temperature", "max_tokens", "max_completion_tokens", "seed", "stream", "n", "user", "response_format", "rakis"]

    func add(to router: Router<BasicRequestContext>) {
        router.get("v1/models") { _, _ in await models().response() }
        router.post("v1/chat/completions") { request, _ in try await chatCompletion(request) }
    }

    private func models() async -> JSONValue {
        let models = await node.networkModels().sorted()
        return ["object": "list", "data": .array(models.map { model in
            ["id": .string(model), "object": "model", "created": 0, "owned_by": "rakis"]
        })]
    }

    private func chatCompletion(_ request: Request) async throws -> Response {
        let body = try await JSONBody.json(request)
        let spec: RequestSpec
        do {
            spec = try Self.spec(body)
        } catch let error as JSONShapeError {
            throw APIError.shape(error)
        }
        try spec.checkModels(known: await node.networkModels(), param: "model")
        let submission = Submission(node: node)
        let requestId = try await submission.submit(spec)
        let conclusion = try await submission.conclusion(of: requestId)
        let chosen: ChosenOutput
        switch conclusion.outcome {
        case let .final(output):
            chosen = output
        case let .failed(failure):
            throw APIError(status: .badGateway, message: "the network reached no consensus: \(failure) (request \(requestId.hex))",
                           type: "rakis_consensus_failed", param: nil)
        }
        var rakis: [String: JSONValue] = ["requestId": .string(requestId.hex), "node": .string(chosen.node.hex),
                                          "commitment": .string(chosen.commitment.hex),
                                          "cluster": .array(chosen.cluster.map { .string($0.hex) }),
                                          "certificateUrl": .string("/api/requests/\(requestId.hex)/certificate")]
        rakis["certificate"] = conclusion.certificate?.json ?? .null
        let message: JSONValue = ["role": "assistant", "content": .string(chosen.output)]
        let completion: JSONValue = [
            "id": .string("chatcmpl-\(requestId.hex)"), "object": "chat.completion",
            "created": .number(Double(conclusion.concludedAt / 1000)), "model": .string(chosen.model),
            "choices": [["index": 0, "message": message, "finish_reason": "stop", "logprobs": .null]],
            "usage": ["prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0],
            "rakis": .object(rakis),
        ]
        return completion.response()
    }

    static func spec(_ body: JSONObjectReader) throws -> RequestSpec {
        try body.rejectUnknownKeys(allowed: bodyKeys)
        if try body.optionalBool("stream") == true {
            throw JSONShapeError(path: "stream", message: "streaming is not supported: the answer exists only once the network agrees on it")
        }
        if let n = try body.optionalInt("n"), n != 1 {
            throw JSONShapeError(path: "n", message: "only one choice (n = 1) is supported")
        }
        let model = try body.string("model")
        var spec = RequestSpec(input: .messages(try RequestSpec.messages(body.array("messages"), path: "messages")), models: [model])
        spec.temperature = try body.optionalDouble("temperature") ?? spec.temperature
        spec.maxTokens = try body.optionalInt("max_completion_tokens") ?? body.optionalInt("max_tokens") ?? spec.maxTokens
        spec.seed = try body.optionalInt("seed")
        if let responseFormat = try body.optionalObject("response_format") {
            spec.format = try RequestSpec.outputFormat(openAI: responseFormat)
        }
        if let rakis = try body.optionalObject("rakis") {
            try rakis.rejectUnknownKeys(allowed: RequestSpec.frameKeys.union(["models"]))
            try spec.readFrame(rakis)
            if try rakis.optionalArray("models") != nil {
                spec.models = [model] + (try rakis.stringArray("models")).filter { $0 != model }
            }
        }
        return spec
    }
}
