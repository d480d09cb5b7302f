import Foundation
import Hummingbird
import RakisCore
import RakisNode
import RakisRuntime
import RakisStore

/// The native API: submit requests with their security frame, follow them, inspect the node.
struct NativeRoutes {
    let node: any NodeService

    func add(to router: Router<BasicRequestContext>) {
        let api = router.group("api")
        api.get("status") { _, _ in await status().response() }
        api.get("peers") { _, _ in await peers().response() }
        api.get("requests") { request, _ in try requests(limit: request.uri.queryParameters.get("limit", as: Int.self) ?? 50).response() }
        api.post("requests") { request, _ in try await submit(request) }
        api.get("requests/:id") { _, context in try story(of: requestId(context)).response() }
        api.get("requests/:id/certificate") { _, context in try certificate(of: requestId(context)) }
        api.get("events") { request, _ in EventStream(events: node.events(), request: request.uri.queryParameters.get("request").flatMap(Hash256.init(hex:))).response() }
    }

    private func requestId(_ context: BasicRequestContext) throws -> Hash256 {
        let text = try context.parameters.require("id")
        guard let id = Hash256(hex: text) else { throw APIError.badRequest("\(text.debugDescription) is not a request id (64 hex digits)", param: "id") }
        return id
    }

    // MARK: - Node

    private func status() async -> JSONValue {
        let transports = TransportsJSON.entries(node, report: node.transportDeliveries())
        return [
            "node": .string(node.nodeId.hex), "network": .string(node.network),
            "models": .array(node.servedModels.map(JSONValue.string)),
            "embeddingModels": .array(node.embeddingModels.map(JSONValue.string)),
            "networkModels": .array(await node.networkModels().sorted().map(JSONValue.string)),
            "transports": .array(transports), "startedAt": .number(Double(node.startedAt)),
        ]
    }

    private func peers() async -> JSONValue {
        .array(await node.peers().map { peer in
            var object: [String: JSONValue] = ["node": .string(peer.node.hex), "transports": .array(peer.transports.sorted().map(JSONValue.string))]
            object["lastSeen"] = peer.lastSeen.map { .number(Double($0)) } ?? .null
            object["models"] = peer.status.map { .array($0.models.map(JSONValue.string)) } ?? .null
            object["activeJobs"] = peer.status.map { .number(Double($0.activeJobs)) } ?? .null
            object["queuedJobs"] = peer.status.map { .number(Double($0.queuedJobs)) } ?? .null
            return .object(object)
        })
    }

    // MARK: - Requests

    private func requests(limit: Int) throws -> JSONValue {
        .array(try node.recentRequests(limit: min(max(limit, 1), 500)).map { summary in
            ["requestId": .string(summary.requestId.hex), "phase": .string(summary.phase.map { "\($0)" } ?? "unknown"),
             "origin": .string(summary.originNode), "createdAt": .number(Double(summary.createdAt)),
             "packets": .number(Double(summary.packetCount))]
        })
    }

    /// `POST /api/requests`: 202 with the request id, or with `"wait": true` the conclusion.
    private func submit(_ request: Request) async throws -> Response {
        let body = try await JSONBody.json(request)
        let known = await node.networkModels()
        // Left out, the accepted model is the node's own, or else one the network serves.
        let defaultModels = Array((node.servedModels.first ?? known.sorted().first).map { [$0] } ?? [])
        let (spec, wait): (RequestSpec, Bool)
        do {
            try body.rejectUnknownKeys(allowed: RequestSpec.frameKeys.union(["prompt", "messages", "models", "temperature", "maxTokens", "seed", "topP", "stop", "format", "wait"]))
            let prompt = try body.optionalString("prompt")
            let messages = try body.optionalArray("messages")
            guard (prompt == nil) != (messages == nil) else { throw JSONShapeError(path: "prompt", message: "give exactly one of prompt or messages") }
            let input: RequestInput = try prompt.map(RequestInput.prompt) ?? .messages(RequestSpec.messages(messages!, path: "messages"))
            let models = try body.optionalArray("models").map { _ in try body.stringArray("models") } ?? defaultModels
            guard !models.isEmpty else { throw JSONShapeError(path: "models", message: "no node serving a model is known yet: name the accepted models") }
            var parsed = RequestSpec(input: input, models: models)
            parsed.temperature = try body.optionalDouble("temperature") ?? parsed.temperature
            parsed.maxTokens = try body.optionalInt("maxTokens") ?? parsed.maxTokens
            parsed.seed = try body.optionalInt("seed")
            parsed.topP = try body.optionalDouble("topP")
            parsed.stop = try body.optionalArray("stop").map { _ in try body.stringArray("stop") } ?? []
            if let format = body.optionalValue("format") { parsed.format = try OutputSchema(json: format, path: body.childPath("format")) }
            try parsed.readFrame(body)
            spec = parsed
            wait = try body.optionalBool("wait") ?? false
        } catch let error as JSONShapeError {
            throw APIError.shape(error)
        }
        try spec.checkModels(known: known, param: "models")
        let submission = Submission(node: node)
        let requestId = try await submission.submit(spec)
        guard wait else {
            let links: JSONValue = ["self": .string("/api/requests/\(requestId.hex)"),
                                    "certificate": .string("/api/requests/\(requestId.hex)/certificate"),
                                    "events": .string("/api/events?request=\(requestId.hex)")]
            return JSONValue.object(["requestId": .string(requestId.hex), "status": "submitted", "links": links]).response(status: .accepted)
        }
        return try await submission.conclusion(of: requestId).json.response()
    }

    private func story(of requestId: Hash256) throws -> JSONValue {
        guard let story = try node.story(of: requestId) else { throw APIError.notFound("no request \(requestId.hex) at this node") }
        return story.json
    }

    private func certificate(of requestId: Hash256) throws -> Response {
        guard let result = try node.storedResult(of: requestId) else {
            throw APIError.notFound("request \(requestId.hex) has not concluded at this node")
        }
        guard result.certificate != nil else {
            throw APIError.notFound("request \(requestId.hex) failed before a quorum was fixed: it has no certificate")
        }
        guard let bundle = try node.certificate(for: result) else {
            throw APIError.notFound("request \(requestId.hex): no signed result packet has reached this node yet")
        }
        return bundle.json.response()
    }
}
