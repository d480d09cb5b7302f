import RakisCore
import RakisNode
import Synchronization

/// What the runtime tells live watchers (the API's event stream, the dashboard).
public enum RuntimeEvent: Sendable {
    /// A packet the state machine accepted, or one this node sent (`transport` nil).
    case packet(type: String, requestId: Hash256?, sender: NodeID, transport: String?, at: Millis)
    case phase(requestId: Hash256, phase: RequestPhase, at: Millis)
    case concluded(RequestConclusion)
    /// A chat message, when it first arrives (or this node posts it) and again each time another
    /// transport brings it: the message as it then stands.
    case chat(ChatEntry)
}

/// Hands every event to every current subscriber. A subscriber that falls behind loses its
/// oldest events rather than holding up the node.
final class EventHub: Sendable {
    private let subscribers = Mutex<[Int: AsyncStream<RuntimeEvent>.Continuation]>([:])
    private let nextId = Atomic<Int>(0)

    func subscribe() -> AsyncStream<RuntimeEvent> {
        let id = nextId.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream.makeStream(of: RuntimeEvent.self, bufferingPolicy: .bufferingNewest(256))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }

    func publish(_ event: RuntimeEvent) {
        for continuation in subscribers.withLock({ Array($0.values) }) { continuation.yield(event) }
    }

    func finish() {
        for continuation in subscribers.withLock({ Array($0.values) }) { continuation.finish() }
    }
}
