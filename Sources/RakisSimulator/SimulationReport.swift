import RakisCore
import RakisNode

/// What happened to one request across the network.
struct RequestTally {
    let id: Hash256
    let origin: Int
    /// A malicious origin's request is judged by the honest nodes' conclusions, not its own.
    let honestOrigin: Bool
    let submittedAt: Millis
    var originOutcome: RequestConclusion.Outcome?
    var originConcludedAt: Millis?
    var firstHonestOutcome: RequestConclusion.Outcome?
    var firstHonestConcludedAt: Millis?
    var firstFinal: ChosenOutput?
    var honestFinals = 0
    var honestFailures: [String: Int] = [:]
}

/// Counters gathered while a simulation runs.
struct SimulationTally {
    var requests: [RequestTally] = []
    var requestIndex: [Hash256: Int] = [:]
    var broadcasts = 0
    var deliveries = 0
    var bytes = 0
    var lost = 0
    var partitionDrops = 0
    var persisted = 0
    var rejections: [String: Int] = [:]
    var agreementViolations = 0
    /// Honest conclusions on the same output as the first, certified by another cluster.
    var clusterDifferences = 0
    var validityViolations = 0
    var stuck = 0
    /// Committee seats held by adversaries, over the committees honest nodes first finalized under.
    var adversarySeats = 0
    var seatsCounted = 0
    /// Requests an adversary decided because it held the threshold of seats (allowed: it is above the bound).
    var adversaryDecided = 0
    /// Requests whose rank-rule committee over every commit made gives the honest seats the
    /// threshold, and how many of them finalized.
    var honestlyDecidable = 0
    var honestlyDecidableFinalized = 0
}

extension RequestTally {
    /// The outcome that counts for the request, and when it was reached.
    var outcome: (RequestConclusion.Outcome, Millis)? {
        if honestOrigin {
            guard let originOutcome, let originConcludedAt else { return nil }
            return (originOutcome, originConcludedAt)
        }
        guard let firstHonestOutcome, let firstHonestConcludedAt else { return nil }
        return (firstHonestOutcome, firstHonestConcludedAt)
    }
}

/// The outcome of a simulation run, rendered as a plain-text report.
public struct SimulationReport: Sendable {
    public let finalized: Int
    public let failed: Int
    public let failuresByReason: [String: Int]
    /// Request-to-result latency at the origin, in virtual milliseconds, sorted.
    public let latencies: [Millis]
    public let agreementViolations: Int
    public let validityViolations: Int
    public let stuckRequests: Int
    /// Deliveries a partition cut.
    public let partitionDrops: Int
    public let text: String

    /// Adversaries' share of the seats of the committees honest nodes finalized under.
    public let adversarySeatShare: Double
    /// Requests the adversaries decided, holding the threshold of seats themselves.
    public let adversaryDecided: Int
    /// Requests whose honest seats alone reach the threshold, and how many of them finalized.
    public let honestlyDecidable: Int
    public let honestlyDecidableFinalized: Int
    public let requests: Int
    /// Delivered bytes per request.
    public let bytesPerRequest: Int

    public var safetyViolations: Int { agreementViolations + validityViolations + stuckRequests }

    init(config: SimulationConfig, tally: SimulationTally, adversarial: Int, followers: Int,
         adversaries: [AdversaryKind], weightShares: [AdversaryKind: Double]) {
        var finalized = 0
        var failuresByReason: [String: Int] = [:]
        var latencies: [Millis] = []
        for request in tally.requests {
            switch request.outcome {
            case let (.final, concludedAt)?:
                finalized += 1
                latencies.append(concludedAt - request.submittedAt)
            case let (.failed(failure), _)?:
                failuresByReason[failure.code, default: 0] += 1
            case nil:
                failuresByReason["unconcluded", default: 0] += 1
            }
        }
        latencies.sort()
        self.finalized = finalized
        failed = tally.requests.count - finalized
        self.failuresByReason = failuresByReason
        self.latencies = latencies
        agreementViolations = tally.agreementViolations
        validityViolations = tally.validityViolations
        stuckRequests = tally.stuck
        partitionDrops = tally.partitionDrops
        adversarySeatShare = tally.seatsCounted == 0 ? 0 : Double(tally.adversarySeats) / Double(tally.seatsCounted)
        bytesPerRequest = tally.bytes / max(1, tally.requests.count)
        adversaryDecided = tally.adversaryDecided
        honestlyDecidable = tally.honestlyDecidable
        honestlyDecidableFinalized = tally.honestlyDecidableFinalized
        requests = tally.requests.count

        let requests = max(1, tally.requests.count)
        let honestFinals = tally.requests.reduce(0) { $0 + $1.honestFinals }
        var lines: [String] = []
        lines.append("Rakis simulation: seed \(config.seed), \(config.nodes) nodes (\(adversarial) adversarial, \(followers) followers), \(tally.requests.count) requests")
        lines.append("network: latency \(config.latencyBase) ms + exp(mean \(Self.format(config.latencyTailMean)) ms), loss \(Self.format(config.loss)), duplication \(Self.format(config.duplication)), partitions \(Self.describe(config.partitions))")
        if !adversaries.isEmpty {
            let counts = Dictionary(grouping: adversaries, by: { $0 }).mapValues(\.count)
            let described = counts.keys.sorted().map { kind in
                "\(kind.rawValue) \(counts[kind]!) nodes" + (weightShares[kind].map { ", weight share \(Self.format($0))" } ?? "")
            }
            lines.append("adversaries: \(described.joined(separator: "; "))")
        }
        lines.append("frame: quorum \(config.quorum), secDistance \(Self.format(config.secDistance)), secPercentage \(Self.format(config.secPercentage)), \(config.embeddingBits) bits, commit window \(config.commitWindow) ms, reveal window \(config.revealWindow) ms")
        lines.append("")
        lines.append("requests finalized at their origin: \(finalized), failed: \(failed)")
        for reason in failuresByReason.keys.sorted() {
            lines.append("  failed, \(reason): \(failuresByReason[reason]!)")
        }
        lines.append("honest node conclusions: \(honestFinals) final" + (tally.clusterDifferences > 0
            ? " (\(tally.clusterDifferences) on the same output with another cluster: they decided over all reveals, the first over the fixer's partial set)" : ""))
        lines.append("latency to result at origin (virtual ms): \(Self.percentiles(latencies))")
        if !adversaries.isEmpty || adversarial > 0 {
            lines.append("adversaries' share of the seats honest nodes finalized under: \(Self.format(100 * adversarySeatShare))%")
            lines.append("requests from honest origins whose honest seats alone reach the threshold: \(honestlyDecidable), finalized \(honestlyDecidableFinalized); decided by adversaries holding the threshold: \(adversaryDecided)")
        }
        lines.append("messages per request: \(Self.format(Double(tally.deliveries) / Double(requests))) delivered from \(Self.format(Double(tally.broadcasts) / Double(requests))) broadcasts")
        lines.append("bytes per request: \(tally.bytes / requests) delivered, \(tally.bytes / requests / max(1, config.nodes)) per node")
        lines.append("lost: \(tally.lost) deliveries, cut by partitions: \(tally.partitionDrops)")
        let rejections = tally.rejections.keys.sorted().map { "\($0) \(tally.rejections[$0]!)" }
        lines.append("packets rejected: \(rejections.isEmpty ? "none" : rejections.joined(separator: ", "))")
        lines.append("")
        lines.append("safety: agreement violations \(agreementViolations), validity violations \(validityViolations), stuck requests \(stuckRequests)")
        text = lines.joined(separator: "\n") + "\n"
    }

    static func percentiles(_ sorted: [Millis]) -> String {
        guard !sorted.isEmpty else { return "none" }
        func at(_ p: Double) -> Millis { sorted[min(sorted.count - 1, Int(p * Double(sorted.count)))] }
        return "p50 \(at(0.5)), p90 \(at(0.9)), p99 \(at(0.99)), max \(sorted.last!)"
    }

    /// Two decimals, without depending on the locale or on printf.
    public static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = abs(hundredths)
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    static func describe(_ partitions: [Partition]) -> String {
        partitions.isEmpty ? "none" : partitions.map { "\($0.start)-\($0.end) ms split at \(format($0.fraction))" }.joined(separator: "; ")
    }
}
