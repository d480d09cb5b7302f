import Hummingbird
import RakisCore
import RakisNode
import RakisRuntime

/// `GET /api/events[?request=ID]`: the node's live events as server-sent events, one JSON
/// object per `data:` line (`packet`, `phase`, `concluded`, `chat`), until the client goes away.
/// Chat messages belong to no request, so a stream of one request's events has none.
struct EventStream {
    /// The node's events, subscribed to when the client asked.
    let events: AsyncStream<RuntimeEvent>
    /// Only this request's events, if set.
    let request: Hash256?

    func response() -> Response {
        let events = events
        let request = request
        let body = ResponseBody { writer in
            // A comment line first, so clients see the stream open before the first event.
            try await writer.write(ByteBuffer(string: ": rakis events\n\n"))
            for await event in events {
                guard request == nil || Self.requestId(of: event) == request else { continue }
                let (name, data) = Self.render(event)
                try await writer.write(ByteBuffer(string: "event: \(name)\ndata: \(data.canonicalString)\n\n"))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    private static func requestId(of event: RuntimeEvent) -> Hash256? {
        switch event {
        case let .packet(_, requestId, _, _, _): requestId
        case let .phase(requestId, _, _): requestId
        case let .concluded(conclusion): conclusion.requestId
        case .chat: nil
        }
    }

    static func render(_ event: RuntimeEvent) -> (name: String, data: JSONValue) {
        switch event {
        case let .packet(type, requestId, sender, transport, at):
            var object: [String: JSONValue] = ["type": .string(type), "sender": .string(sender.hex), "at": .number(Double(at))]
            object["requestId"] = requestId.map { .string($0.hex) } ?? .null
            object["transport"] = transport.map(JSONValue.string) ?? .null
            return ("packet", .object(object))
        case let .phase(requestId, phase, at):
            return ("phase", ["requestId": .string(requestId.hex), "phase": .string("\(phase)"), "at": .number(Double(at))])
        case let .concluded(conclusion):
            return ("concluded", conclusion.json)
        case let .chat(entry):
            return ("chat", entry.json)
        }
    }
}
