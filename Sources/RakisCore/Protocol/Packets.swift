/// A node's commitment to its output for a request, sent before anyone reveals.
public struct Commit: Sendable, Hashable {
    public let requestId: Hash256
    public let inferenceId: Hash256
    public let model: String
    public let commitment: Hash256
    /// The committer's admission ticket, on an `open` network; absent on the others.
    public let ticket: AdmissionTicket?

    public init(requestId: Hash256, inferenceId: Hash256, model: String, commitment: Hash256, ticket: AdmissionTicket? = nil) {
        self.requestId = requestId
        self.inferenceId = inferenceId
        self.model = model
        self.commitment = commitment
        self.ticket = ticket
    }
}

/// The reveal request that fixes a request's quorum: the signed commits of its committee's
/// members (`Committee`). Carrying the request and the commits themselves makes it verifiable
/// on its own: anyone can recompute each member's seats from its commit and its weight.
public struct QuorumDecision: Sendable {
    public let request: Envelope
    /// Signed commit packets, sorted by commitment.
    public let commits: [Envelope]

    public init(request: Envelope, commits: [Envelope]) {
        self.request = request
        self.commits = commits.sorted { $0.commit!.commitment < $1.commit!.commitment }
    }

    public var requestId: Hash256 { request.request!.id }
}

/// A quorum member's output, with everything needed to re-derive its commitment.
public struct Reveal: Sendable, Hashable {
    public let requestId: Hash256
    public let inferenceId: Hash256
    public let model: String
    public let output: String
    public let salt: [UInt8]
    public let embedding: BinaryEmbedding
    /// For a structured request: one binary embedding per free string of the output, in leaf
    /// order (`OutputSchema.leaves(of:)`); empty otherwise.
    public let fieldEmbeddings: [BinaryEmbedding]

    public init(requestId: Hash256, inferenceId: Hash256, model: String, output: String, salt: [UInt8], embedding: BinaryEmbedding,
                fieldEmbeddings: [BinaryEmbedding] = []) {
        self.requestId = requestId
        self.inferenceId = inferenceId
        self.model = model
        self.output = output
        self.salt = salt
        self.embedding = embedding
        self.fieldEmbeddings = fieldEmbeddings
    }
}

/// The certificate of a finished request: the quorum and the members' reveals. Anyone can
/// re-check it offline (signatures, commitments, re-embedding, consensus) and reach `outcome`.
public struct ResultCertificate: Sendable {
    public let quorum: Envelope
    /// Signed reveal packets of quorum members, sorted by sender.
    public let reveals: [Envelope]
    public let outcome: ResultOutcome

    public init(quorum: Envelope, reveals: [Envelope], outcome: ResultOutcome) {
        self.quorum = quorum
        self.reveals = reveals.sorted { $0.sender < $1.sender }
        self.outcome = outcome
    }

    public var requestId: Hash256 { quorum.quorum!.requestId }
}

/// The outcome a result packet claims; receivers recompute it and compare.
public enum ResultOutcome: Sendable, Hashable {
    /// The agreeing cluster's commitments travel under the JSON key "members" (the wire format
    /// predates the name), but they are a cluster, not the quorum's members.
    case agreed(chosen: Hash256, cluster: [Hash256])
    case failed(reason: String)
}

extension ResultOutcome {
    /// The outcome a result packet claims for a consensus decision; the centre is not part of it.
    public init(_ decision: ConsensusOutcome) {
        switch decision {
        case let .agreed(_, cluster, chosen): self = .agreed(chosen: chosen, cluster: cluster)
        case let .failed(failure): self = .failed(reason: failure.description)
        }
    }
}

/// What a node serves and how busy it is, broadcast periodically by weighted identities only
/// (an announcement from an identity without weight is refused, and counts against its sender).
public struct PeerStatus: Sendable, Hashable {
    public let models: [String]
    public let embeddingModels: [String]
    public let activeJobs: Int
    public let queuedJobs: Int
    /// The sender's admission ticket, on an `open` network.
    public let ticket: AdmissionTicket?

    public init(models: [String], embeddingModels: [String], activeJobs: Int, queuedJobs: Int, ticket: AdmissionTicket? = nil) {
        self.models = models
        self.embeddingModels = embeddingModels
        self.activeJobs = activeJobs
        self.queuedJobs = queuedJobs
        self.ticket = ticket
    }
}

/// Every packet the protocol knows. `createdAt` on the envelope's packet is the sender's clock.
public enum PacketBody: Sendable {
    case request(InferenceRequest)
    case commit(Commit)
    case quorum(QuorumDecision)
    case reveal(Reveal)
    case result(ResultCertificate)
    case peerStatus(PeerStatus)
    case attestation(ChainAttestation)
    case chat(ChatPost)

    public var typeName: String {
        switch self {
        case .request: "request"
        case .commit: "commit"
        case .quorum: "quorum"
        case .reveal: "reveal"
        case .result: "result"
        case .peerStatus: "peerStatus"
        case .attestation: "attestation"
        case .chat: "chat"
        }
    }
}

/// A packet: its body and the sender's clock when it was made.
public struct Packet: Sendable {
    public let body: PacketBody
    public let createdAt: Millis

    public init(_ body: PacketBody, createdAt: Millis) {
        self.body = body
        self.createdAt = createdAt
    }
}
