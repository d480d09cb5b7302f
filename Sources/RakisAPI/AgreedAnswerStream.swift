import Hummingbird
import RakisCore
import RakisNode
import RakisRuntime

/// A streamed answer (`stream: true`) as OpenAI's server-sent events.
///
/// The answer exists only once the network agrees on it, so nothing of it can be sent earlier:
/// while the request runs the stream carries SSE comments (each phase the request enters, and a
/// keep-alive every `keepAlive`, so that proxies and clients do not time the connection out);
/// once it concludes, every chunk of the agreed answer goes at once, then `data: [DONE]`. A
/// request that fails sends one `data: {"error": ...}` event, which OpenAI's clients raise as an
/// error, and no `[DONE]`.
struct AgreedAnswerStream: Sendable {
    let node: any NodeService
    let requestId: Hash256
    let keepAlive: Duration
    /// The answer's chunks; throws `APIError` for a request that failed.
    let chunks: @Sendable (RequestConclusion) throws -> [JSONValue]

    private enum Progress: Sendable {
        case tick
        case phase(RequestPhase)
        case concluded(RequestConclusion?)
    }

    func response() -> Response {
        let body = ResponseBody { [self] writer in
            try await writer.write(ByteBuffer(string: ": rakis request \(requestId.hex)\n\n"))
            let (progress, sink) = AsyncStream<Progress>.makeStream(bufferingPolicy: .bufferingNewest(16))
            // The comments' sources stop before the conclusion goes in, so nothing queued after
            // it can push it out of the bounded buffer.
            let comments: [Task<Void, Never>] = [
                Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: keepAlive)
                        if !Task.isCancelled { sink.yield(.tick) }
                    }
                },
                Task {
                    for await event in node.events() {
                        if case let .phase(id, phase, _) = event, id == requestId { sink.yield(.phase(phase)) }
                    }
                },
            ]
            let waiter = Task {
                let conclusion = await node.conclusion(of: requestId)
                comments.forEach { $0.cancel() }
                sink.yield(.concluded(conclusion))
                sink.finish()
            }
            let tasks = comments + [waiter]
            defer { tasks.forEach { $0.cancel() } }
            for await step in progress {
                switch step {
                case .tick:
                    try await writer.write(ByteBuffer(string: ": waiting for the network to agree\n\n"))
                case let .phase(phase):
                    try await writer.write(ByteBuffer(string: ": phase \(phase)\n\n"))
                case let .concluded(conclusion):
                    try await writer.write(ByteBuffer(string: Self.events(for: conclusion, chunks: chunks, requestId: requestId)))
                    try await writer.finish(nil)
                    return
                }
            }
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    /// The `data:` events that end the stream.
    private static func events(for conclusion: RequestConclusion?, chunks: (RequestConclusion) throws -> [JSONValue], requestId: Hash256) -> String {
        do {
            guard let conclusion else { throw APIError.notConcluded(requestId) }
            return try chunks(conclusion).map { "data: \($0.canonicalString)\n\n" }.joined() + "data: [DONE]\n\n"
        } catch let error as APIError {
            return "data: \(error.body.canonicalString)\n\n"
        } catch {
            return "data: \(APIError(status: .internalServerError, message: "\(error)", type: "server_error", param: nil).body.canonicalString)\n\n"
        }
    }
}
