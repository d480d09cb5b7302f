import RakisCore

/// The nodes this node has heard from: over which transports, when last, and what they serve
/// (from their status packets). For the API and the dashboard; the state machine keeps its own.
struct HeardPeers {
    private var peers: [NodeID: PeerInfo] = [:]

    mutating func heard(from node: NodeID, over transport: TransportName, at now: Millis) {
        var info = peers[node] ?? PeerInfo(node: node)
        info.transports.insert(transport.name)
        info.lastSeen = now
        peers[node] = info
    }

    /// Records a peer's status; true if it is the first this node has had from that peer.
    mutating func status(of node: NodeID, _ status: PeerStatus) -> Bool {
        let isFirst = peers[node]?.status == nil
        peers[node, default: PeerInfo(node: node)].status = status
        return isFirst
    }

    /// Sorted by node id, for stable output.
    var all: [PeerInfo] { peers.values.sorted { $0.node < $1.node } }

    /// LLMs some peer says it serves.
    var servedModels: Set<String> { Set(peers.values.flatMap { $0.status?.models ?? [] }) }
}

/// What this node knows about one peer.
public struct PeerInfo: Sendable {
    public let node: NodeID
    public var transports: Set<String> = []
    public var lastSeen: Millis?
    public var status: PeerStatus?
}
