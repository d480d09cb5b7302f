import RakisCore
import RakisNode

/// What happened to one request across the network.
struct RequestTally {
    let id: Hash256
    let origin: Int
    let submittedAt: Millis
    var originOutcome: RequestConclusion.Outcome?
    var originConcludedAt: Millis?
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

    public var safetyViolations: Int { agreementViolations + validityViolations + stuckRequests }

    init(config: SimulationConfig, tally: SimulationTally, adversarial: Int, followers: Int) {
        var finalized = 0
        var failuresByReason: [String: Int] = [:]
        var latencies: [Millis] = []
        for request in tally.requests {
            switch request.originOutcome {
            case .final?:
                finalized += 1
                latencies.append(request.originConcludedAt! - request.submittedAt)
            case let .failed(failure)?:
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

        let requests = max(1, tally.requests.count)
        let honestFinals = tally.requests.reduce(0) { $0 + $1.honestFinals }
        var lines: [String] = []
        lines.append("Rakis simulation: seed \(config.seed), \(config.nodes) nodes (\(adversarial) adversarial, \(followers) followers), \(tally.requests.count) requests")
        lines.append("network: latency \(config.latencyBase) ms + exp(mean \(Self.format(config.latencyTailMean)) ms), loss \(Self.format(config.loss)), duplication \(Self.format(config.duplication)), partitions \(Self.describe(config.partitions))")
        lines.append("frame: quorum \(config.quorum), secDistance \(Self.format(config.secDistance)), secPercentage \(Self.format(config.secPercentage)), \(config.embeddingBits) bits, commit window \(config.commitWindow) ms, reveal window \(config.revealWindow) ms")
        lines.append("")
        lines.append("requests finalized at their origin: \(finalized), failed: \(failed)")
        for reason in failuresByReason.keys.sorted() {
            lines.append("  failed, \(reason): \(failuresByReason[reason]!)")
        }
        lines.append("honest node conclusions: \(honestFinals) final" + (tally.clusterDifferences > 0
            ? " (\(tally.clusterDifferences) on the same output with another cluster: they decided over all reveals, the first over the fixer's partial set)" : ""))
        lines.append("latency to result at origin (virtual ms): \(Self.percentiles(latencies))")
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
