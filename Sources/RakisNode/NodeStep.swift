import RakisCore

/// What handling one event came to: the node's verdict on that event, and the effects the
/// runtime must carry out, in order.
public struct NodeStep: Sendable {
    public let verdict: NodeVerdict
    public let effects: [NodeEffect]
}

/// The node's decision about the event it was handed, and only that event: packets it takes up
/// again along the way (orphans it replays, stored packets it recovers) are judged on their own,
/// in `packetRejected` notifications.
public enum NodeVerdict: Sendable, Equatable {
    /// A received packet passed every check and was taken in, or held until what it depends on
    /// (its request, its sender's commit) arrives. Either way it is worth passing on.
    case accepted
    /// A received packet was refused.
    case rejected(PacketRejection)
    /// A local submission became the signed request with this id.
    case submitted(requestId: Hash256)
    /// A local chat message became the signed chat packet with this id.
    case chatPosted(packetId: Hash256)
    /// A local submission (a request or a chat message) was refused.
    case submissionRejected(PacketRejection)
    /// Any other event (timers, job results, recovery, status): nothing to accept or refuse.
    case handled
}
