import RakisCore

/// Deterministic turns among nodes, so that one node acts and the others stand by without
/// talking it over: every node computes the same order from public data.
///
/// A node's draw for a task is SHA-256(task ‖ node id); the lowest draw goes first. The draw
/// changes from task to task, so the work spreads over the nodes and no node can place itself
/// first for a task it does not yet know.
public enum ChainRanking {
    /// The order in which quorum members submit a request's fulfilment (the next one takes over
    /// when the one before has not submitted in time).
    public static func submitters(_ members: [NodeID], requestId: Hash256) -> [NodeID] {
        order(members, task: Array("submit".utf8) + requestId.bytes)
    }

    /// The order in which registered nodes bring a contract's request into the network.
    public static func introducers(_ nodes: [NodeID], chainRequest: String) -> [NodeID] {
        order(nodes, task: Array("introduce:\(chainRequest)".utf8))
    }

    /// The order in which registered nodes finalize a proposal once its challenge window is over.
    public static func finalizers(_ nodes: [NodeID], chainRequest: String) -> [NodeID] {
        order(nodes, task: Array("finalize:\(chainRequest)".utf8))
    }

    static func order(_ nodes: [NodeID], task: [UInt8]) -> [NodeID] {
        Set(nodes).map { (draw: Hash256.of(task + $0.publicKeyBytes), node: $0) }
            .sorted { ($0.draw, $0.node) < ($1.draw, $1.node) }
            .map(\.node)
    }
}
