import ArgumentParser
import Dispatch
import RakisCore
import RakisSimulator

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks. Build with -c release for meaningful figures.",
        subcommands: [ConsensusBench.self, SimulateBench.self, LLMBench.self, EmbedBench.self, SecDistanceBench.self, MixedQuorumBench.self, JSONBench.self]
    )
}

/// Wall-clock nanoseconds, for benchmarks only (the node itself never reads a clock).
private func nanoseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

struct ConsensusBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consensus",
        abstract: "Time one consensus decision over a full quorum of binary embeddings."
    )

    @Option(help: "Quorum size (points).") var quorum = 64
    @Option(help: "Embedding bits.") var bits = 384
    @Option(help: "Timed repetitions.") var repetitions = 2_000

    func run() throws {
        guard Limits.quorumRange.contains(quorum), bits % 64 == 0, bits > 0, repetitions > 0 else {
            throw ValidationError("quorum in 1...64, bits a positive multiple of 64, repetitions positive")
        }
        // Three quarters honest points around one centre, the rest random: a realistic case,
        // since every pair is compared either way.
        var random = SeededRandom(seed: 42)
        let centre = (0..<bits / 8).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let points = (0..<quorum).map { index -> ConsensusPoint in
            var bytes = index < quorum * 3 / 4 ? centre : (0..<bits / 8).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            for _ in 0..<8 { bytes[Int(random.next() % UInt64(bytes.count))] ^= 1 << UInt8(random.next() % 8) }
            return ConsensusPoint(commitment: Hash256.of([UInt8(index)]), embedding: BinaryEmbedding(bytes: bytes))
        }
        let requestId = Hash256.of(Array("bench".utf8))
        var timings: [UInt64] = []
        var agreed = 0
        for _ in 0..<repetitions {
            let start = nanoseconds()
            let outcome = Consensus.decide(requestId: requestId, points: points, bits: bits, secDistance: SecurityFrame.defaultSecDistance,
                                           secPercentage: SecurityFrame.defaultSecPercentage, quorum: quorum)
            timings.append(nanoseconds() - start)
            if case .agreed = outcome { agreed += 1 }
        }
        timings.sort()
        let median = Double(timings[timings.count / 2]) / 1000
        let p99 = Double(timings[timings.count * 99 / 100]) / 1000
        print("consensus: quorum \(quorum), \(bits) bits, \(repetitions) runs: median \(SimulationReport.format(median)) us, p99 \(SimulationReport.format(p99)) us (target < 100 us)\(agreed == repetitions ? "" : " [unexpected: no agreement]")")
    }
}

struct SimulateBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Time a large simulation (default: 1000 nodes x 1000 requests)."
    )

    @Option(help: "Number of nodes.") var nodes = 1_000
    @Option(help: "Number of requests.") var requests = 1_000
    @Option(help: "Seed.") var seed: UInt64 = 1

    func run() throws {
        var config = SimulationConfig()
        config.nodes = nodes
        config.requests = requests
        config.seed = seed
        let start = nanoseconds()
        let report = Simulator(config: config).run()
        let seconds = Double(nanoseconds() - start) / 1e9
        print(report.text, terminator: "")
        print("simulated \(nodes) nodes x \(requests) requests in \(SimulationReport.format(seconds)) s wall clock (target < 60 s)")
        if report.safetyViolations > 0 { throw ExitCode(1) }
    }
}
