import RakisCore

/// A request as a local client (API, CLI, chain connector) asks for it: what to run and its
/// security frame, with the network's defaults for what it leaves out. The node signs it as a
/// request with itself as origin, adding the time, the deadlines and the nonce its runtime drew
/// (the state machine has no randomness of its own).
public struct RequestSpec: Sendable {
    public var input: RequestInput
    public var models: [String]
    public var temperature: Double
    public var maxTokens: Int
    public var seed: Int?
    /// The embedding model outputs are compared with; nil asks for the node's own (its first).
    public var embeddingModel: String?
    public var embeddingBits: Int
    public var quorum: Int
    public var secDistance: Double
    public var secPercentage: Double
    public var commitWindow: Millis
    public var revealWindow: Millis
    public var originKind: RequestOrigin.Kind
    public var chain: ChainCoordinates?
    /// A structured request's schema (`InferenceRequest.format`), with its frame's number
    /// tolerance and whether it asks for a field-by-field outcome.
    public var format: OutputSchema?
    public var numberTolerance: Double = 0
    public var partial = false
    /// Nucleus sampling and stop strings (`InferenceRequest.topP`, `.stop`).
    public var topP: Double?
    public var stop: [String] = []

    public static let defaultCommitWindow: Millis = 30_000
    public static let defaultRevealWindow: Millis = 15_000
    public static let defaultEmbeddingBits = 384

    public init(
        input: RequestInput, models: [String], temperature: Double = 0, maxTokens: Int = 64, seed: Int? = nil,
        embeddingModel: String? = nil, embeddingBits: Int = RequestSpec.defaultEmbeddingBits, quorum: Int = 3,
        secDistance: Double = SecurityFrame.defaultSecDistance, secPercentage: Double = SecurityFrame.defaultSecPercentage,
        commitWindow: Millis = RequestSpec.defaultCommitWindow, revealWindow: Millis = RequestSpec.defaultRevealWindow,
        originKind: RequestOrigin.Kind = .api, chain: ChainCoordinates? = nil
    ) {
        self.input = input
        self.models = models
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.seed = seed
        self.embeddingModel = embeddingModel
        self.embeddingBits = embeddingBits
        self.quorum = quorum
        self.secDistance = secDistance
        self.secPercentage = secPercentage
        self.commitWindow = commitWindow
        self.revealWindow = revealWindow
        self.originKind = originKind
        self.chain = chain
    }
}

/// An inference the runtime should run.
public struct InferenceJob: Sendable, Hashable {
    public let requestId: Hash256
    public let model: String
    public let input: RequestInput
    public let temperature: Double
    public let maxTokens: Int
    /// The request's `samplingSeed`: every backend samples with this one.
    public let seed: Int
    /// A structured request's schema: the answer must be its canonical JSON (`input` already
    /// carries the schema instruction).
    public let format: OutputSchema?
    /// The request's nucleus share (nil: the backend's default) and stop strings.
    public let topP: Double?
    public let stop: [String]

    public init(requestId: Hash256, model: String, input: RequestInput, temperature: Double, maxTokens: Int, seed: Int,
                format: OutputSchema? = nil, topP: Double? = nil, stop: [String] = []) {
        self.requestId = requestId
        self.model = model
        self.input = input
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.seed = seed
        self.format = format
        self.topP = topP
        self.stop = stop
    }
}

/// An embedding the runtime should compute, and why.
public struct EmbeddingJob: Sendable, Hashable {
    public enum Purpose: Sendable, Hashable {
        /// This node's own output, before it commits.
        case own
        /// Re-embedding a member's revealed output to verify it.
        case verify(NodeID)
    }

    public let requestId: Hash256
    public let purpose: Purpose
    public let model: String
    public let text: String
    /// For a structured output, its free strings in leaf order (`StructuredOutput.embeddedTexts`),
    /// each embedded too; empty otherwise.
    public let fieldTexts: [String]
    public let bits: Int

    public init(requestId: Hash256, purpose: Purpose, model: String, text: String, fieldTexts: [String] = [], bits: Int) {
        self.requestId = requestId
        self.purpose = purpose
        self.model = model
        self.text = text
        self.fieldTexts = fieldTexts
        self.bits = bits
    }
}

/// Timers the node asks for. Firing a timer whose purpose has passed is harmless.
public struct NodeTimer: Hashable, Sendable {
    public enum Kind: String, Sendable, Hashable {
        case backupWork, resend, commitDeadline, fallbackQuorum, fallbackSettled, retransmit, revealDeadline, partialResult, settle, peerStatus
    }

    public let kind: Kind
    public let requestId: Hash256?

    public init(_ kind: Kind, _ requestId: Hash256? = nil) {
        self.kind = kind
        self.requestId = requestId
    }
}

/// Everything that can happen to a node.
public enum NodeEvent: Sendable {
    case started
    case packetReceived(Envelope, via: TransportName)
    case timerFired(NodeTimer)
    case inferenceFinished(InferenceJob, output: String)
    case inferenceFailed(InferenceJob, reason: String)
    /// The output's embedding and one per `job.fieldTexts`, in order.
    case embeddingFinished(EmbeddingJob, BinaryEmbedding, fields: [BinaryEmbedding] = [])
    case embeddingFailed(EmbeddingJob, reason: String)
    /// A local client's request, with 16 random bytes (hex) from the runtime to tell it apart from
    /// an otherwise identical one.
    case requestSubmitted(RequestSpec, nonce: String)
    /// After a restart, before anything else: what the store kept.
    case recovered(NodeRecovery)
    /// The runtime saw the network change (a new connection, a peer it had not heard from):
    /// tell everyone now what this node serves, instead of at the next periodic announcement.
    case statusRequested
    /// The chain connector signed this node's attestation for a final chain request: publish it.
    case attest(ChainAttestation)
    /// The oracle's registry changed (`stake` membership): the weights every node now reads from
    /// the chain. The mode stays the same.
    case membershipChanged(Membership)
    /// A local client's chat message, to be signed and sent (`ChatPost`).
    case chatSubmitted(text: String)
}

/// What a restarted node gets back from its store.
public struct NodeRecovery: Sendable {
    /// Requests that had not reached `final` or `failed`.
    public var unfinished: [RecoveredRequest]
    /// Requests concluded recently enough that their packets may still arrive; they are not taken up again.
    public var concluded: [Hash256]

    public init(unfinished: [RecoveredRequest], concluded: [Hash256]) {
        self.unfinished = unfinished
        self.concluded = concluded
    }
}

/// One unfinished request as the store kept it.
public struct RecoveredRequest: Sendable {
    public var request: Envelope
    /// Its other packets (commits, quorums, reveals, results) in the order they were stored.
    public var packets: [Envelope]
    public var ownOutput: OwnOutput?
    public var phase: RequestPhase

    public init(request: Envelope, packets: [Envelope], ownOutput: OwnOutput?, phase: RequestPhase) {
        self.request = request
        self.packets = packets
        self.ownOutput = ownOutput
        self.phase = phase
    }
}

/// What the node asks its runtime to do.
public enum NodeEffect: Sendable {
    case broadcast(Envelope)
    case startInference(InferenceJob)
    case startEmbedding(EmbeddingJob)
    case setTimer(NodeTimer, at: Millis)
    case persist(PersistRecord)
    case notify(NodeNotification)
}

/// What the runtime should write to durable storage. A runtime writes an effect list's records
/// before it sends its broadcasts, so a node never announces what it could lose in a crash.
public enum PersistRecord: Sendable {
    case packet(Envelope)
    case requestState(requestId: Hash256, phase: RequestPhase)
    /// This node's own output, written with its commit: a node restarted after committing must
    /// still be able to reveal.
    case ownOutput(OwnOutput)
    case finished(RequestConclusion)
}

/// This node's output for a request and its binary embedding (the salt is derived again from
/// the identity).
public struct OwnOutput: Sendable, Equatable {
    public let requestId: Hash256
    public let model: String
    public let output: String
    public let embedding: BinaryEmbedding
    /// A structured output's field embeddings (`Reveal.fieldEmbeddings`); empty otherwise.
    public let fieldEmbeddings: [BinaryEmbedding]

    public init(requestId: Hash256, model: String, output: String, embedding: BinaryEmbedding, fieldEmbeddings: [BinaryEmbedding] = []) {
        self.requestId = requestId
        self.model = model
        self.output = output
        self.embedding = embedding
        self.fieldEmbeddings = fieldEmbeddings
    }
}

/// What the node tells its API, UI and logs.
public enum NodeNotification: Sendable {
    case packetRejected(PacketRejection, sender: NodeID?, via: TransportName)
    case phaseChanged(requestId: Hash256, phase: RequestPhase)
    case concluded(RequestConclusion)
    /// A result packet claimed an outcome other than the one this node computed.
    case conflictingResult(requestId: Hash256, from: NodeID)
    /// Two quorum packets for one request; `adopted` is the one the canonical rule keeps.
    case conflictingQuorum(requestId: Hash256, adopted: Hash256)
    /// A committee member withheld its reveal, or revealed something that did not count: held
    /// against its identity by whoever keeps scores.
    case memberFaulted(requestId: Hash256, member: NodeID, fault: MemberFault)
    case peerSeen(NodeID, PeerStatus)
    /// A quorum member's chain attestation, tied to its request and quorum (its chain signatures
    /// are for the chain connector to check).
    case attestationReceived(Envelope)
    /// The connector asked to publish an attestation for a request that is not final here with
    /// this node in its quorum.
    case attestationRefused(requestId: Hash256)
    /// A chat message the node accepted: received over `via`, or this node's own (`via` nil).
    case chat(Envelope, via: TransportName?)
}

/// How a committee member failed its request.
public enum MemberFault: Sendable, Equatable, CustomStringConvertible {
    /// No reveal by the settle point.
    case withheld
    /// A reveal that did not count (wrong model, bad embedding, not re-embedding to its claim).
    case invalidReveal(String)

    public var description: String {
        switch self {
        case .withheld: "withheld its reveal"
        case let .invalidReveal(reason): "revealed something that does not count: \(reason)"
        }
    }
}
