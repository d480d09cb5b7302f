import Hummingbird
import RakisCore
import RakisNode
import RakisRuntime

/// The OpenAI-compatible endpoints: `GET /v1/models[/ID]`, `POST /v1/chat/completions`,
/// `POST /v1/completions` and `POST /v1/embeddings`.
///
/// The completion endpoints run a request on the network and answer with its agreed output, in
/// OpenAI's shape (a completion, or with `stream: true` its chunks as server-sent events) plus a
/// `rakis` object with the request id, the cluster and the certificate. A `rakis` object in the
/// body carries the security frame and more accepted models. Which standard parameters are
/// honoured, ignored or refused is `OpenAIParameter`'s table. Embeddings are this node's own.
struct OpenAIRoutes {
    let node: any NodeService
    /// How often a stream that waits for the network sends a keep-alive comment.
    var keepAlive: Duration = .seconds(5)

    func add(to router: Router<BasicRequestContext>) {
        router.get("v1/models") { _, _ in await models().response() }
        router.get("v1/models/:id") { _, context in try await model(context.parameters.require("id")).response() }
        router.post("v1/chat/completions") { request, _ in try await chatCompletion(request) }
        router.post("v1/completions") { request, _ in try await textCompletion(request) }
        router.post("v1/embeddings") { request, _ in try await embeddings(request) }
    }

    private func models() async -> JSONValue {
        ["object": "list", "data": .array(await node.networkModels().sorted().map(Self.modelObject))]
    }

    private func model(_ id: String) async throws -> JSONValue {
        guard await node.networkModels().contains(id) else {
            throw APIError.notFound("model \(id.debugDescription) is not served by this node or any peer it has heard from")
        }
        return Self.modelObject(id)
    }

    private static func modelObject(_ id: String) -> JSONValue {
        ["id": .string(id), "object": "model", "created": 0, "owned_by": "rakis"]
    }

    private func chatCompletion(_ request: Request) async throws -> Response {
        let chat = try ChatCompletionRequest(try await JSONBody.json(request))
        let (requestId, spec) = try await submit(chat.spec)
        let answer: @Sendable (RequestConclusion) throws -> ChatAnswer = { [node] conclusion in
            try ChatAnswer(AgreedOutput(conclusion, spec: spec, node: node), tools: chat.tools)
        }
        if let stream = chat.stream {
            return AgreedAnswerStream(node: node, requestId: requestId, keepAlive: keepAlive) {
                try answer($0).chunks(includeUsage: stream.includeUsage)
            }.response()
        }
        return try answer(try await Submission(node: node).conclusion(of: requestId)).completion.response()
    }

    private func textCompletion(_ request: Request) async throws -> Response {
        let completion = try TextCompletionRequest(try await JSONBody.json(request))
        let (requestId, spec) = try await submit(completion.spec)
        let echoed: String = if completion.echo, case let .prompt(text) = spec.input { text } else { "" }
        let answer: @Sendable (RequestConclusion) throws -> TextCompletionAnswer = { [node] conclusion in
            TextCompletionAnswer(agreed: try AgreedOutput(conclusion, spec: spec, node: node), echoed: echoed)
        }
        if let stream = completion.stream {
            return AgreedAnswerStream(node: node, requestId: requestId, keepAlive: keepAlive) {
                try answer($0).chunks(includeUsage: stream.includeUsage)
            }.response()
        }
        return try answer(try await Submission(node: node).conclusion(of: requestId)).completion.response()
    }

    /// Checks the models and signs the request.
    private func submit(_ spec: RequestSpec) async throws -> (Hash256, RequestSpec) {
        try spec.checkModels(known: await node.networkModels(), param: "model")
        return (try await Submission(node: node).submit(spec), spec)
    }

    private func embeddings(_ request: Request) async throws -> Response {
        let embeddings = try EmbeddingsRequest(try await JSONBody.json(request), models: node.embeddingModels)
        let (vectors, tokens) = try await node.embeddings(of: embeddings.texts, model: embeddings.model)
        return try embeddings.answer(vectors, tokens: tokens).response()
    }
}
