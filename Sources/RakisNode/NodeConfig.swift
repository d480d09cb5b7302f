import RakisCore

/// How one node behaves. Everything here is local policy; what all nodes must agree on is in
/// the request's security frame.
public struct NodeConfig: Sendable {
    /// Private networks are separated by name on every transport and in every signature.
    public var network: String
    /// Who may sit on committees and with what weight: a network setting every node must share.
    public var membership: Membership
    /// This node's admission ticket, on an `open` network (`AdmissionTicket.mint`).
    public var ticket: AdmissionTicket?
    /// LLMs this node runs. Empty makes it a follower: it relays, fixes quorums, verifies and
    /// computes results, but runs no inference.
    public var servedModels: [String]
    /// Embedding models this node can run, to embed its own outputs and to verify others'.
    public var embeddingModels: [String]
    public var maxConcurrentJobs: Int = 1
    public var maxQueuedJobs: Int = 64
    /// Expected number of workers per request, as a multiple of its quorum. Each weighted serving
    /// node works on a request with probability redundancy x quorum x its weight / the weight of
    /// the nodes it knows of that serve any of the request's models, decided by its first seat's
    /// draw (`WorkDraw`), so a large network does not run every request on every node, and the
    /// best-ranked nodes are the ones that work.
    public var workerRedundancy: Double = 2
    /// If a request still has fewer commits than its quorum after a third of its commit window,
    /// nodes work on it with this many times the first probability.
    public var backupRedundancyFactor: Double = 4
    /// Largest Hamming distance (bits) between a revealed binary embedding and the verifier's own
    /// recomputation for the reveal to be accepted. 0 with deterministic embeddings.
    public var revealTolerance: Int = 0
    public var maxClockSkew: Millis = 30_000
    /// After the reveal deadline, how long verifications still running may take before the request fails.
    public var settleWindow: Millis = 5_000
    public var peerStatusInterval: Millis = 60_000
    /// Packets for requests not yet seen are held, up to this many, until their request arrives.
    public var maxOrphans: Int = 1_024

    public init(network: String, membership: Membership, servedModels: [String], embeddingModels: [String], ticket: AdmissionTicket? = nil) {
        self.network = network
        self.membership = membership
        self.ticket = ticket
        self.servedModels = servedModels
        self.embeddingModels = embeddingModels
    }
}
