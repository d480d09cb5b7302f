import Hummingbird
import RakisCore
import RakisRuntime

/// The transport chat: `GET /api/chat` (recent messages, each with the transports that brought
/// it and their delays), `POST /api/chat` (`{"text": ...}`, signed by this node and sent over
/// every transport), and `GET /api/transports` (every transport's latency percentiles and loss
/// over the recent traffic). Live updates come as `chat` events on `/api/events`.
struct ChatRoutes {
    let node: any NodeService

    /// Messages `GET /api/chat` gives by default; `limit` takes up to what the node keeps.
    static let defaultLimit = 50

    func add(to router: Router<BasicRequestContext>) {
        let api = router.group("api")
        api.get("chat") { request, _ in
            let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? Self.defaultLimit
            return JSONValue.array(await node.chatMessages(limit: min(max(limit, 1), 1_000)).map(\.json)).response()
        }
        api.post("chat") { request, _ in try await post(request) }
        api.get("transports") { _, _ in
            let report = node.transportDeliveries()
            return JSONValue.object(["window": TransportsJSON.window(report),
                                     "transports": .array(TransportsJSON.entries(node, report: report))]).response()
        }
    }

    /// 201 with the message as this node holds it; 400 naming what is wrong with the text, 429
    /// beyond the node's rate.
    private func post(_ request: Request) async throws -> Response {
        let body = try await JSONBody.json(request)
        let text: String
        do {
            try body.rejectUnknownKeys(allowed: ["text"])
            text = try body.string("text")
        } catch let error as JSONShapeError {
            throw APIError.shape(error)
        }
        do {
            return try await node.post(text).json.response(status: .created)
        } catch {
            if case .rateLimited = error {
                throw APIError(status: .tooManyRequests, message: "the message was refused: \(error)", type: "rate_limit_error", param: nil)
            }
            throw APIError.badRequest("the message was refused: \(error)", param: "text")
        }
    }
}
