import RakisCore
import RakisNode
import RakisStore

/// A request as this node saw it: the request, every commit, the quorum, every reveal, and how
/// it ended. Built from the store, so it outlives the state machine's memory of the request.
public struct RequestStory: Sendable {
    public struct Step: Sendable {
        public let type: String
        public let sender: NodeID
        public let storedAt: Millis
        /// Empty for this node's own packets.
        public let transports: [String]
    }

    public struct Commit: Sendable {
        public let node: NodeID
        public let model: String
        public let commitment: Hash256
        public let at: Millis
    }

    public struct Quorum: Sendable {
        public let fixer: NodeID
        /// In commitment order.
        public let members: [NodeID]
        public let at: Millis
    }

    public struct Reveal: Sendable {
        public let node: NodeID
        public let model: String
        public let output: String
        public let commitment: Hash256
        /// Whether the reveal re-derives the commitment its sender made.
        public let matchesCommit: Bool
        public let embedding: BinaryEmbedding
        public let at: Millis
    }

    public let request: InferenceRequest
    public let origin: NodeID
    public let phase: RequestPhase?
    public let steps: [Step]
    public let commits: [Commit]
    public let quorum: Quorum?
    public let reveals: [Reveal]
    public let result: StoredResult?

    init?(packets: [StoredPacket], phase: RequestPhase?, result: StoredResult?) {
        guard let first = packets.first, let request = first.envelope.request else { return nil }
        self.request = request
        origin = first.envelope.sender
        self.phase = phase
        self.result = result
        steps = packets.map {
            Step(type: $0.envelope.packet.body.typeName, sender: $0.envelope.sender, storedAt: $0.storedAt, transports: $0.transports)
        }
        var commits: [Commit] = []
        var quorum: Quorum?
        for stored in packets {
            if let commit = stored.envelope.commit {
                commits.append(Commit(node: stored.envelope.sender, model: commit.model, commitment: commit.commitment, at: stored.storedAt))
            }
            if quorum == nil, let decision = stored.envelope.quorum {
                quorum = Quorum(fixer: stored.envelope.sender, members: decision.commits.map(\.sender), at: stored.storedAt)
            }
        }
        let committed = Dictionary(commits.map { ($0.node, $0.commitment) }, uniquingKeysWith: { first, _ in first })
        reveals = packets.compactMap { stored in
            guard let reveal = stored.envelope.reveal, let derived = stored.envelope.revealedCommitment else { return nil }
            return Reveal(node: stored.envelope.sender, model: reveal.model, output: reveal.output, commitment: derived,
                          matchesCommit: committed[stored.envelope.sender] == derived, embedding: reveal.embedding, at: stored.storedAt)
        }
        self.commits = commits
        self.quorum = quorum
    }
}
