import RakisCore

/// Everything one node knows about one request.
final class RequestRecord {
    let envelope: Envelope
    let request: InferenceRequest
    var phase: RequestPhase = .seen

    /// Valid commits by sender (arrival order plays no part: the committee is drawn by rank), at
    /// most `maxCommits` of them (`Node.makeRoom`).
    var commits: [NodeID: Envelope] = [:]
    static let maxCommits = 4 * Limits.quorumRange.upperBound

    /// The adopted quorum packet, its committee, and its members' commits in commitment order.
    var quorum: Envelope?
    var committee: Committee?
    /// Whether the adopted quorum is the origin's with a complete committee (`Committee.isComplete`):
    /// no later quorum can replace it, so the node decides under it without waiting for competing
    /// quorums to settle. (A complete committee from anyone else still waits: two packets of one
    /// committee can differ in an equivocating member's commit, and only the settle point makes
    /// every node choose between them alike.)
    var quorumIsFinal = false
    var members: [NodeID: Commit] = [:]
    var memberOrder: [NodeID] = []
    /// The adopted quorum's fixer's result packet: the canonical reveal set this node decides
    /// over (all members' reveals, or, after the reveal deadline, those the fixer held).
    var fixerResult: Envelope?

    /// Quorum packets this node forwarded.
    var relayed: Set<Hash256> = []

    /// Reveals by the commitment they re-derive. Keyed this way, a member that signs several
    /// reveals cannot make two nodes judge it differently: only the one matching its commitment
    /// counts, whatever order they arrive in.
    var reveals: [Hash256: Envelope] = [:]
    var verdicts: [NodeID: RevealVerdict] = [:]
    var verificationsStarted: Set<NodeID> = []

    /// This node's work draw for the request (`WorkDraw`), computed once.
    let workScore: Double
    var work: WorkState = .none
    /// Drawn for backup work should the request lack commits a third of the way to its deadline.
    var mayBackUp = false
    /// Own output waiting for its embedding.
    var pendingOutput: (model: String, output: String)?
    var own: OwnInference?
    /// Outcomes claimed by result packets received before this node concluded.
    var claimedOutcomes: [(sender: NodeID, outcome: ResultOutcome)] = []
    var conclusion: RequestConclusion?
    var retransmissions = 0
    /// Loss recovery re-sends a request's quorum and reveals at most this many times.
    static let maxRetransmissions = 3
    /// The origin's request and a worker's own commit are re-sent while no quorum is in sight: a
    /// committee is drawn by rank, so the origin waits for particular nodes, and one lost copy
    /// (of the request to them, or of their commit to it) would hold the request to its deadline.
    var resends = 0
    static let maxResends = 3
    var answeredRetransmission = false

    init(envelope: Envelope, workScore: Double) {
        guard let request = envelope.request else { preconditionFailure("a record starts from a request packet") }
        self.envelope = envelope
        self.workScore = workScore
        self.request = request
    }

    var id: Hash256 { request.id }

    /// A member's seats on the adopted committee.
    func seats(of member: NodeID) -> Int {
        guard let seats = committee?.seatCount[member] else { preconditionFailure("seats asked of \(member.short), not a member") }
        return seats
    }

    /// A member's reveal, if it has arrived.
    func reveal(of member: NodeID) -> Envelope? {
        members[member].flatMap { reveals[$0.commitment] }
    }

    /// Once concluded, only the conclusion, the quorum, its members and the fixer's result are
    /// needed (to answer retransmissions and recognize late packets); the rest is freed, since a
    /// busy node holds many concluded requests until their deadlines pass.
    func releaseWorkingState() {
        commits = [:]
        reveals = [:]
        verdicts = [:]
        verificationsStarted = []
        claimedOutcomes = []
        pendingOutput = nil
    }
    var frame: SecurityFrame { request.frame }
}

/// A verifier's judgement of one member's reveal.
enum RevealVerdict {
    case valid(BinaryEmbedding)
    case invalid(String)
}

/// This node's part in running a request.
enum WorkState: Equatable {
    case none, queued, inferring, embedding, committed, abandoned
}

/// This node's own inference for a request, once embedded.
struct OwnInference {
    let model: String
    let output: String
    let embedding: BinaryEmbedding
    let fieldEmbeddings: [BinaryEmbedding]
    let salt: [UInt8]
    let commitment: Hash256
    var revealed = false
}
