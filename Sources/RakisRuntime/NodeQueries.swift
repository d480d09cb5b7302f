import RakisCore
import RakisStore

/// The node's read side: what clients ask about requests, answered from the store, which
/// outlives the state machine's memory of them. It only reads, so it needs no actor: the store
/// serves concurrent readers.
public struct NodeQueries: Sendable {
    let store: NodeStore
    /// The network this node's certificate files are for.
    let network: String

    public init(store: NodeStore, network: String) {
        self.store = store
        self.network = network
    }

    /// The most recent requests in the store, newest first.
    public func recentRequests(limit: Int) throws -> [RequestSummary] {
        try store.requests(limit: limit)
    }

    /// How a request ended here, from the store; nil while it has not.
    public func storedResult(of requestId: Hash256) throws -> StoredResult? {
        try store.result(of: requestId)
    }

    /// The certificate file of a request that concluded here: the signed result packets this
    /// node holds that carry the certificate it concluded with. Nil without a quorum, or before
    /// any such packet has reached the store.
    public func certificate(for result: StoredResult) throws -> CertificateBundle? {
        guard let concluded = result.certificate else { return nil }
        var signers: Set<NodeID> = []
        // One packet per signer: a node may publish its result again for a node still waiting.
        let results = try store.packets(of: result.requestId).map(\.envelope).filter {
            $0.result?.json.canonicalBytes() == concluded && signers.insert($0.sender).inserted
        }
        guard !results.isEmpty else { return nil }
        return try? CertificateBundle(network: network, results: results)
    }

    /// A request's story from the store, or nil if the store has never seen it.
    public func story(of requestId: Hash256) throws -> RequestStory? {
        let packets = try store.packets(of: requestId)
        let phase = try store.request(requestId)?.phase
        return RequestStory(packets: packets, phase: phase, result: try store.result(of: requestId))
    }
}
