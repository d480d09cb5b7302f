import ArgumentParser
import RakisCore
import RakisSimulator

/// Simulation knobs shared by `rakis simulate` and `rakis demo`.
struct SimulationOptions: ParsableArguments {
    @Option(help: "Number of nodes.") var nodes = 50
    @Option(help: "Number of requests.") var requests = 200
    @Option(help: "Seed: the same seed gives the same report, byte for byte.") var seed: UInt64 = 1
    @Option(help: "Share of nodes (0...1) whose outputs are forgeries that do not cluster.") var adversarial = 0.0
    @Option(help: "Share of nodes (0...1) that run no model.") var followers = 0.2
    @Option(help: "Probability (0...1) that a delivery is lost.") var loss = 0.0
    @Option(help: "Probability (0...1) that a delivery arrives twice.") var duplication = 0.0
    @Option(help: "Fixed one-way latency in ms.") var latency: Int64 = 20
    @Option(help: "Mean of the exponential latency tail in ms (it also reorders packets).") var jitter = 60.0
    @Option(help: "A partition START:END:FRACTION (virtual ms after the start; the first FRACTION of nodes is cut off). Repeatable.")
    var partition: [String] = []
    @Option(help: "Mean gap between requests in virtual ms.") var interval = 250.0
    @Option(help: "Quorum size of every request.") var quorum = 3
    @Option(help: "secDistance of every request (0...1).") var secDistance = SecurityFrame.defaultSecDistance
    @Option(help: "secPercentage of every request (0...1).") var secPercentage = SecurityFrame.defaultSecPercentage
    @Option(help: "Expected workers per request as a multiple of the quorum.") var redundancy = 2.0
    @Option(help: ArgumentHelp("An adversary KIND[:SHARE] (share of the weight, or of the nodes for flood, replay and spam; default 0.1). Repeatable.",
                               discussion: "Kinds: \(AdversaryKind.allCases.map(\.rawValue).joined(separator: ", ")) (docs/PROTOCOL.md, Threat model)."))
    var adversary: [String] = []

    func makeConfig() throws -> SimulationConfig {
        var config = SimulationConfig()
        config.nodes = nodes
        config.requests = requests
        config.seed = seed
        config.adversarial = adversarial
        config.followers = followers
        config.loss = loss
        config.duplication = duplication
        config.latencyBase = latency
        config.latencyTailMean = jitter
        config.requestIntervalMean = interval
        config.quorum = quorum
        config.secDistance = secDistance
        config.secPercentage = secPercentage
        config.workerRedundancy = redundancy
        config.partitions = try partition.map(Self.parsePartition)
        config.adversaries = try adversary.map(Self.parseAdversary)
        return config
    }

    func validate() throws {
        guard nodes >= 1 else { throw ValidationError("--nodes must be at least 1") }
        guard requests >= 0 else { throw ValidationError("--requests cannot be negative") }
        for (name, value) in [("adversarial", adversarial), ("followers", followers), ("loss", loss), ("duplication", duplication),
                              ("sec-distance", secDistance), ("sec-percentage", secPercentage)] where !(0...1).contains(value) {
            throw ValidationError("--\(name) must be in 0...1, got \(value)")
        }
        guard adversarial + followers <= 1 else { throw ValidationError("--adversarial plus --followers must not exceed 1") }
        guard Limits.quorumRange.contains(quorum) else { throw ValidationError("--quorum must be in \(Limits.quorumRange)") }
        guard latency >= 0, jitter >= 0, interval >= 0, redundancy > 0 else {
            throw ValidationError("--latency, --jitter and --interval must not be negative; --redundancy must be positive")
        }
        _ = try partition.map(Self.parsePartition)
        let kinds = try adversary.map(Self.parseAdversary).map(\.kind)
        guard Set(kinds).count == kinds.count else { throw ValidationError("--adversary: each kind at most once") }
    }

    static func parseAdversary(_ text: String) throws -> AdversarySpec {
        guard let spec = AdversarySpec(parsing: text), spec.kind != .sybil || spec.share < 1 else {
            throw ValidationError("--adversary \(text): expected KIND or KIND:SHARE, SHARE in 0...1 (below 1 for sybil), KIND one of \(AdversaryKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return spec
    }

    static func parsePartition(_ text: String) throws -> Partition {
        let parts = text.split(separator: ":")
        guard parts.count == 3, let start = Int64(parts[0]), let end = Int64(parts[1]), let fraction = Double(parts[2]),
              start < end, (0...1).contains(fraction)
        else {
            throw ValidationError("--partition \(text): expected START:END:FRACTION with START < END and FRACTION in 0...1")
        }
        return Partition(start: start, end: end, fraction: fraction)
    }
}

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run many nodes' real state machines on a seeded virtual network and report safety and latency.",
        discussion: """
        Every node runs the same state machine as `rakis node`; the network (latency, loss, duplication, \
        reordering, partitions) and the models are simulated. Exits with status 1 if any safety check fails.

        With --runs N it runs N seeded runs (seeds SEED...SEED+N-1), each with a random mix of \
        adversaries (weighted ones up to --max-share of the weight), and reports per adversary kind.

        Examples: rakis simulate --nodes 50 --requests 200 --seed 1 --loss 0.3 --adversarial 0.2
                  rakis simulate --adversary fast:0.2 --adversary withhold:0.1
                  rakis simulate --runs 10000 --nodes 20 --requests 10
        """
    )

    @OptionGroup var options: SimulationOptions
    @Option(help: "Seeded runs with random mixes of adversaries (the --adversary options are then ignored).") var runs: Int?
    @Option(help: "With --runs: the largest weight share of the weighted adversaries together.") var maxShare = 0.3

    func run() throws {
        if let runs {
            guard runs >= 1, (0..<1).contains(maxShare) else { throw ValidationError("--runs must be at least 1 and --max-share in 0..<1") }
            let batch = SimulationBatch(base: try options.makeConfig(), runs: runs, maxWeightShare: maxShare)
            let bar = ProgressBar()
            let report = batch.run { done in
                bar.update(step: "simulating", completed: Int64(done), total: Int64(runs), amount: { "\($0) runs" })
            }
            bar.finish()
            print(report.text, terminator: "")
            if report.safetyViolations > 0 { throw ExitCode(1) }
            return
        }
        let report = Simulator(config: try options.makeConfig()).run()
        print(report.text, terminator: "")
        if report.safetyViolations > 0 { throw ExitCode(1) }
    }
}
