import Testing
import RakisCore
@testable import RakisSimulator

/// The simulator is the main test of the protocol: many real state machines, a hostile network,
/// and safety checks on every run.
@Suite struct SimulatorTests {
    func run(_ change: (inout SimulationConfig) -> Void = { _ in }) -> SimulationReport {
        var config = SimulationConfig()
        config.checksInvariants = true
        change(&config)
        return Simulator(config: config).run()
    }

    @Test func theSameSeedGivesTheSameReportByteForByte() {
        let hostile: (inout SimulationConfig) -> Void = {
            $0.nodes = 30; $0.requests = 40; $0.loss = 0.1; $0.duplication = 0.1; $0.adversarial = 0.1
        }
        let first = run(hostile)
        let second = run(hostile)
        #expect(first.text == second.text)
        let otherSeed = run { hostile(&$0); $0.seed = 2 }
        #expect(otherSeed.text != first.text)
    }

    @Test func fiftyNodesTwoHundredRequests() {
        let report = run()
        #expect(report.safetyViolations == 0, "\(report.text)")
        #expect(report.finalized == 200, "\(report.text)")
    }

    @Test func heavyLossAndAdversariesBreakNoSafetyProperty() {
        let report = run { $0.loss = 0.3; $0.adversarial = 0.2 }
        #expect(report.safetyViolations == 0, "\(report.text)")
        // Liveness under 30% loss with a fifth of the nodes forging: most requests still finish.
        #expect(report.finalized >= 150, "\(report.text)")
    }

    @Test func duplicationAndReorderingAreHarmless() {
        let report = run { $0.duplication = 0.5; $0.latencyTailMean = 400; $0.requests = 100 }
        #expect(report.safetyViolations == 0, "\(report.text)")
        #expect(report.finalized == 100, "\(report.text)")
    }

    @Test func aPartitionHealsWithoutDisagreement() {
        let report = run {
            $0.requests = 100
            $0.partitions = [Partition(start: 4_000, end: 14_000, fraction: 0.5)]
        }
        #expect(report.safetyViolations == 0, "\(report.text)")
        #expect(report.partitionDrops > 0, "\(report.text)")
        #expect(report.finalized > 0)
    }

    /// Each adversary kind alone, below the bound: no safety violation, and every request whose
    /// honest seats alone reach the threshold finalizes.
    @Test(arguments: AdversaryKind.allCases)
    func anAdversaryBelowTheBoundBreaksNothing(_ kind: AdversaryKind) {
        let report = run {
            $0.nodes = 30; $0.requests = 60
            $0.adversaries = [AdversarySpec(kind: kind, share: kind.isWeighted ? 0.2 : 0.1)]
        }
        #expect(report.safetyViolations == 0, "\(report.text)")
        #expect(report.honestlyDecidable >= 30 && report.honestlyDecidableFinalized == report.honestlyDecidable, "\(report.text)")
    }

    @Test func randomMixesOfAdversariesBreakNoSafety() {
        var base = SimulationConfig()
        base.nodes = 15; base.requests = 8; base.checksInvariants = true
        let report = SimulationBatch(base: base, runs: 40, maxWeightShare: 0.3).run()
        #expect(report.safetyViolations == 0, "\(report.text)")
        let decided = Double(report.overall.honestlyDecidableFinalized) / Double(max(1, report.overall.honestlyDecidable))
        #expect(decided >= 0.99, "\(report.text)")
    }

    /// Structured requests under every adversary kind at once: forgers and colluders answer the
    /// wrong verdict with their own notes; no such answer is ever final where the honest seats
    /// could carry the committee, and the honestly decidable requests finalize.
    @Test func structuredRequestsUnderAdversariesBreakNoSafety() {
        let report = run {
            $0.nodes = 30; $0.requests = 80; $0.structuredShare = 1; $0.loss = 0.1
            $0.adversaries = [AdversarySpec(kind: .fast, share: 0.1), AdversarySpec(kind: .garbage, share: 0.1)]
            $0.adversarial = 0.1
        }
        #expect(report.safetyViolations == 0, "\(report.text)")
        #expect(report.finalized >= 60, "\(report.text)")
        #expect(report.honestlyDecidableFinalized == report.honestlyDecidable, "\(report.text)")
        // Most workers forging the wrong verdict: requests fail, none finalizes the forgery.
        let majority = run { $0.adversarial = 0.6; $0.followers = 0.1; $0.requests = 40; $0.structuredShare = 1 }
        #expect(majority.validityViolations == 0 && majority.agreementViolations == 0, "\(majority.text)")
        #expect(majority.failuresByReason["noClusterLargeEnough", default: 0] > 0, "\(majority.text)")
    }

    @Test func adversarialMajoritiesFailRatherThanWin() {
        // With most workers forging, requests fail for lack of a cluster; none chooses a forgery.
        let report = run { $0.adversarial = 0.6; $0.followers = 0.1; $0.requests = 60 }
        #expect(report.validityViolations == 0 && report.agreementViolations == 0, "\(report.text)")
        #expect(report.failuresByReason["noClusterLargeEnough", default: 0] > 0, "\(report.text)")
    }
}

@Suite struct EventQueueTests {
    @Test func itemsComeOutByTimeThenInsertionOrder() {
        var queue = EventQueue<Int>(start: 0)
        var random = SeededRandom(seed: 9)
        var expected: [(Int64, Int)] = []
        for index in 0..<5_000 {
            // Mix near times, same-millisecond ties and far times beyond the calendar's horizon.
            let time = index % 7 == 0 ? Int64(200_000 + random.int(in: 0...1_000)) : random.int(in: 0...300)
            queue.push(index, at: time)
            expected.append((time, index))
        }
        expected.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var popped: [(Int64, Int)] = []
        while let (time, item) = queue.pop() { popped.append((time, item)) }
        #expect(popped.map(\.0) == expected.map(\.0))
        #expect(popped.map(\.1) == expected.map(\.1))
    }
}
