import RakisCore
import RakisNode

/// A network partition: from `start` to `end` (virtual ms after the start), the first `fraction`
/// of the nodes cannot reach the rest.
public struct Partition: Sendable, Equatable {
    public var start: Millis
    public var end: Millis
    public var fraction: Double

    public init(start: Millis, end: Millis, fraction: Double) {
        self.start = start
        self.end = end
        self.fraction = fraction
    }
}

/// Everything a simulation run depends on. The same config gives the same report, byte for byte.
public struct SimulationConfig: Sendable {
    public var nodes = 50
    public var requests = 200
    public var seed: UInt64 = 1
    /// Share of nodes that run no model (followers).
    public var followers = 0.2
    /// Share of nodes whose outputs are forgeries that do not cluster.
    public var adversarial = 0.0
    /// Adversaries of other kinds, each with its share (`AdversarySpec`), one spec per kind.
    public var adversaries: [AdversarySpec] = []
    /// Per-delivery probabilities.
    public var loss = 0.0
    public var duplication = 0.0
    /// One-way latency: a fixed base plus an exponential tail (which also reorders packets).
    public var latencyBase: Millis = 20
    public var latencyTailMean = 60.0
    public var partitions: [Partition] = []
    /// Mean gap between two requests (exponential).
    public var requestIntervalMean = 250.0
    public var quorum = 3
    public var secDistance = SecurityFrame.defaultSecDistance
    public var secPercentage = SecurityFrame.defaultSecPercentage
    public var embeddingBits = 384
    public var commitWindow: Millis = 10_000
    public var revealWindow: Millis = 10_000
    public var inferenceTime: ClosedRange<Millis> = 200...1_200
    /// Embedding a short output takes milliseconds against the LLM's hundreds; zero is modelled
    /// as instant, which also keeps large runs fast.
    public var embeddingTime: ClosedRange<Millis> = 0...0
    /// Honest paraphrases per request and the share of bits each flips from the request's answer.
    public var paraphrases = 4
    /// Share of requests that are structured (docs/PROTOCOL.md, "Structured outputs"): they ask
    /// for `StandInModels.format`, whose exact `answer` the forgers and colluders get wrong, and
    /// are decided field by field.
    public var structuredShare = 0.0
    public var flipRate = 0.04
    public var workerRedundancy = 2.0
    /// How often nodes announce what they serve. Five virtual minutes, not a real node's one:
    /// with 1000 nodes every round is a million deliveries, and the status only sizes each node's
    /// share of the work, which changes little during a run.
    public var peerStatusInterval: Millis = 300_000
    /// Whether every node checks its invariants after every event (as debug builds do); the tests
    /// turn it on, and it costs a walk over each node's records per event.
    public var checksInvariants = Node.checksInvariantsByDefault

    public init() {}

    public static let network = "rakis-sim"
    public static let model = "stand-in-llm"
    public static let embeddingModel = "stand-in-embedder"
}
