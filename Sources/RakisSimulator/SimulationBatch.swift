import RakisCore

/// Many seeded runs, each with a random mix of adversaries, and a report per adversary kind over
/// the runs it took part in: the check that no mix below the bound breaks safety, and what a mix
/// above it does.
public struct SimulationBatch: Sendable {
    /// The settings every run starts from (its seed is the first run's).
    public var base: SimulationConfig
    public var runs: Int
    /// Largest total weight share of the weighted adversaries in one run.
    public var maxWeightShare: Double

    public init(base: SimulationConfig, runs: Int, maxWeightShare: Double) {
        precondition(runs >= 1 && (0..<1).contains(maxWeightShare), "a batch has runs and a weight share below 1")
        self.base = base
        self.runs = runs
        self.maxWeightShare = maxWeightShare
    }

    /// Run `index`'s config: the base with seed + index and a random mix. Each kind takes part with
    /// probability 1/2; the weighted kinds share at most `maxWeightShare` of the weight.
    public func config(run index: Int) -> SimulationConfig {
        var config = base
        config.seed = base.seed &+ UInt64(index)
        var random = SeededRandom(seed: config.seed ^ 0x5eed_ba7c_4000_0000)
        let kinds = AdversaryKind.allCases.filter { _ in random.chance(0.5) }
        let weighted = kinds.filter(\.isWeighted)
        let total = random.unit() * maxWeightShare
        config.adversaries = kinds.map { kind in
            AdversarySpec(kind: kind, share: kind.isWeighted ? total / Double(weighted.count) : 0.05 + 0.05 * random.unit())
        }
        return config
    }

    public func run(progress: (Int) -> Void = { _ in }) -> SimulationBatchReport {
        var report = SimulationBatchReport(runs: runs, maxWeightShare: maxWeightShare)
        for index in 0..<runs {
            let config = config(run: index)
            let single = Simulator(config: config).run()
            if single.safetyViolations > 0 { report.failingRuns.append(index) }
            report.add(single, kinds: config.adversaries.map(\.kind))
            progress(index + 1)
        }
        return report
    }
}

/// A batch's figures, per adversary kind (over the runs it took part in) and overall.
public struct SimulationBatchReport: Sendable {
    public struct Figures: Sendable {
        public var runs = 0
        public var safetyViolations = 0
        public var requests = 0
        public var finalized = 0
        public var honestlyDecidable = 0
        public var honestlyDecidableFinalized = 0
        public var adversaryDecided = 0
        public var latencies: [Millis] = []
        public var bytes = 0

        mutating func add(_ report: SimulationReport) {
            runs += 1
            safetyViolations += report.safetyViolations
            requests += report.requests
            finalized += report.finalized
            honestlyDecidable += report.honestlyDecidable
            honestlyDecidableFinalized += report.honestlyDecidableFinalized
            adversaryDecided += report.adversaryDecided
            latencies += report.latencies
            bytes += report.bytesPerRequest * report.requests
        }
    }

    public let runs: Int
    public let maxWeightShare: Double
    public private(set) var overall = Figures()
    public private(set) var byKind: [AdversaryKind: Figures] = [:]
    /// Runs with a safety violation, by index (run i has seed base + i and `SimulationBatch.config(run: i)`).
    public internal(set) var failingRuns: [Int] = []

    init(runs: Int, maxWeightShare: Double) {
        self.runs = runs
        self.maxWeightShare = maxWeightShare
    }

    mutating func add(_ report: SimulationReport, kinds: [AdversaryKind]) {
        overall.add(report)
        for kind in kinds { byKind[kind, default: Figures()].add(report) }
    }

    public var safetyViolations: Int { overall.safetyViolations }

    public var text: String {
        var lines = ["Rakis simulation batch: \(runs) runs, random mixes of adversaries, weighted ones up to \(SimulationReport.format(maxWeightShare)) of the weight", ""]
        lines.append("kind        runs  safety  final/requests  final where honest seats decide  decided by adversary  latency p50/p90/p99 ms  bytes/request")
        func row(_ name: String, _ figures: Figures) -> String {
            let sorted = figures.latencies.sorted()
            func at(_ p: Double) -> String { sorted.isEmpty ? "-" : "\(sorted[min(sorted.count - 1, Int(p * Double(sorted.count)))])" }
            let decidable = figures.honestlyDecidable == 0 ? "-"
                : "\(SimulationReport.format(100 * Double(figures.honestlyDecidableFinalized) / Double(figures.honestlyDecidable)))% of \(figures.honestlyDecidable)"
            return [name.padding(toLength: 10, withPad: " ", startingAt: 0), "\(figures.runs)", "\(figures.safetyViolations)",
                    "\(figures.finalized)/\(figures.requests)", decidable, "\(figures.adversaryDecided)",
                    "\(at(0.5))/\(at(0.9))/\(at(0.99))", "\(figures.requests == 0 ? 0 : figures.bytes / figures.requests)"]
                .joined(separator: "  ")
        }
        for kind in AdversaryKind.allCases {
            if let figures = byKind[kind] { lines.append(row(kind.rawValue, figures)) }
        }
        lines.append(row("all", overall))
        lines.append("")
        lines.append("safety violations: \(overall.safetyViolations)" + (failingRuns.isEmpty ? ""
            : ", in runs \(failingRuns.prefix(20).map(String.init).joined(separator: ", "))\(failingRuns.count > 20 ? "..." : "")"))
        return lines.joined(separator: "\n") + "\n"
    }
}
