/// One chat message, as in the OpenAI chat format.
public struct ChatMessage: Sendable, Hashable {
    public static let roles: Set<String> = ["system", "user", "assistant"]
    public let role: String
    public let content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// What the model is asked: a raw prompt, or chat messages rendered with the model's template.
public enum RequestInput: Sendable, Hashable {
    case prompt(String)
    case messages([ChatMessage])

    var byteCount: Int {
        switch self {
        case let .prompt(text): text.utf8.count
        case let .messages(messages): messages.reduce(0) { $0 + $1.role.utf8.count + $1.content.utf8.count }
        }
    }
}

/// The security frame: how many nodes must run the request, how close their outputs must be,
/// what share of them must agree, and when each phase ends.
public struct SecurityFrame: Sendable, Hashable {
    public let quorum: Int
    /// Largest normalized Hamming distance (0...1) at which two outputs count as agreeing.
    public let secDistance: Double
    /// Share (0...1) of the quorum that must fall in the winning cluster.
    public let secPercentage: Double
    public let commitDeadline: Millis
    public let revealDeadline: Millis
    /// For a structured request (one with a `format`): the largest difference at which two
    /// numbers of the output agree. 0, the default, asks for equal numbers.
    public let numberTolerance: Double
    /// For a structured request: whether consensus may settle the fields it agrees on when the
    /// whole output does not reach agreement (`StructuredConsensus.decideFields`).
    public let partial: Bool

    /// The secDistance a client gets unless it asks for another. Measured with
    /// `rakis bench sec-distance` (SmolLM2-135M at temperature 0.7, 20 prompts x 8 seeds,
    /// 384 bits; docs/PROTOCOL.md): outputs of different prompts were never closer than 0.260,
    /// while outputs of one prompt under other seeds had a median of 0.219. 0.25 is the largest
    /// step of 0.025 that no pair of different prompts reached, and takes in 65% of the
    /// same-prompt pairs (and every identical output, the case of honest nodes sharing a seed).
    public static let defaultSecDistance = 0.25
    /// Two thirds of the quorum, rounded down to 0.66.
    public static let defaultSecPercentage = 0.66

    public init(quorum: Int, secDistance: Double, secPercentage: Double, commitDeadline: Millis, revealDeadline: Millis,
                numberTolerance: Double = 0, partial: Bool = false) {
        self.quorum = quorum
        self.secDistance = secDistance
        self.secPercentage = secPercentage
        self.commitDeadline = commitDeadline
        self.revealDeadline = revealDeadline
        self.numberTolerance = numberTolerance
        self.partial = partial
    }
}

/// Which embedding model compares outputs, and how many leading bits of its binary embedding count.
public struct EmbeddingSpec: Sendable, Hashable {
    public let model: String
    public let bits: Int

    public init(model: String, bits: Int) {
        self.model = model
        self.bits = bits
    }
}

/// Where a smart-contract request lives on its chain.
public struct ChainCoordinates: Sendable, Hashable {
    public let chainId: Int
    /// The oracle contract, "0x" and 40 lowercase hex digits.
    public let contract: String
    /// The contract's request number, in decimal (it may exceed 2^53).
    public let chainRequestId: String

    public init(chainId: Int, contract: String, chainRequestId: String) {
        self.chainId = chainId
        self.contract = contract
        self.chainRequestId = chainRequestId
    }
}

/// Who brought the request into the network. `node` is always the node that signed the request
/// packet, and the only node that may fix its quorum before the fallback window.
public struct RequestOrigin: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case peer, api, chain
    }

    public let kind: Kind
    public let node: NodeID
    public let chain: ChainCoordinates?

    public init(kind: Kind, node: NodeID, chain: ChainCoordinates? = nil) {
        self.kind = kind
        self.node = node
        self.chain = chain
    }
}

/// An inference request. Its id is SHA-256 of its canonical JSON: the same request has the
/// same id everywhere, and nobody can swap its content under an id.
public struct InferenceRequest: Sendable, Hashable {
    public let input: RequestInput
    /// Accepted models, in the requester's order of preference.
    public let models: [String]
    public let temperature: Double
    public let maxTokens: Int
    public let seed: Int?
    public let embedding: EmbeddingSpec
    public let frame: SecurityFrame
    public let origin: RequestOrigin
    public let createdAt: Millis
    /// Distinguishes two otherwise identical requests.
    public let nonce: String
    /// The schema a structured request's output must match; nil for free text.
    public let format: OutputSchema?
    /// Nucleus sampling: only the most likely tokens whose probabilities sum to this share are
    /// drawn from. nil leaves the engine's default (0.95); irrelevant at temperature 0.
    public let topP: Double?
    /// Generation ends at the first of these strings, which the output leaves out (OpenAI's
    /// `stop`). Free text only: a cut would break a structured answer.
    public let stop: [String]
    public let id: Hash256

    public init(
        input: RequestInput, models: [String], temperature: Double, maxTokens: Int, seed: Int?,
        embedding: EmbeddingSpec, frame: SecurityFrame, origin: RequestOrigin, createdAt: Millis, nonce: String,
        format: OutputSchema? = nil, topP: Double? = nil, stop: [String] = []
    ) {
        self.input = input
        self.models = models
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.seed = seed
        self.embedding = embedding
        self.frame = frame
        self.origin = origin
        self.createdAt = createdAt
        self.nonce = nonce
        self.format = format
        self.topP = topP
        self.stop = stop
        id = Hash256.of(Self.json(input: input, models: models, temperature: temperature, maxTokens: maxTokens,
                                   seed: seed, embedding: embedding, frame: frame, origin: origin,
                                   createdAt: createdAt, nonce: nonce, format: format, topP: topP, stop: stop).canonicalBytes())
    }

    /// The seed every node samples with: the request's own, or the top 53 bits of its id's first
    /// 8 bytes (big-endian), so that nodes agree above temperature 0 without one, and the derived
    /// seed lies in the range of explicit ones (a JSON number exactly, for an OpenAI-compatible server).
    public var samplingSeed: Int {
        seed ?? Int(id.words.0 >> 11)
    }
}
