import Testing
import RakisCore
@testable import RakisNode

@Suite struct WorkSelectionTests {
    @Test func aNodeRunsAnyAcceptedModelItServesNotJustTheFirst() {
        let cluster = TestCluster(serving: 3)
        var spec = cluster.spec()
        spec.models = ["a-model-nobody-serves", TestCluster.model]
        let id = cluster.submit(spec, at: 0)
        cluster.run(until: cluster.now + 20_000)
        #expect(cluster.chosen(id, at: 0)?.model == TestCluster.model)
    }

    @Test func jobsRunOneAtATimeEarliestDeadlineFirst() {
        let cluster = TestCluster(serving: 3) { $0.maxConcurrentJobs = 1 }
        let first = cluster.submit(cluster.spec(commitWindow: 9_000), at: 0)
        let later = cluster.submit(cluster.spec(commitWindow: 8_000), at: 0)
        let sooner = cluster.submit(cluster.spec(commitWindow: 3_000), at: 0)
        // All three arrive at node 1 within a few milliseconds: the first runs at once, the
        // others wait in a queue ordered by commit deadline.
        cluster.run(until: cluster.now + 20_000)
        let started = cluster.notifications.compactMap { entry -> Hash256? in
            guard entry.node == 1, case let .phaseChanged(id, .inferring) = entry.notification else { return nil }
            return id
        }
        #expect(started == [first, sooner, later])
        #expect([first, later, sooner].allSatisfy { cluster.chosen($0, at: 1) != nil })
        // With one slot, a node starts an inference only after the previous one (200 ms) and its
        // embedding have finished.
        for node in 0..<3 {
            let starts = cluster.inferencesStarted.filter { $0.node == node }.map(\.at)
            #expect(starts.count == 3)
            #expect(zip(starts, starts.dropFirst()).allSatisfy { $1 - $0 >= cluster.inferenceTime })
        }
    }

    @Test func aFollowerRunsNothing() {
        let cluster = TestCluster(serving: 3, followers: 1)
        let id = cluster.submit(cluster.spec(), at: 0)
        cluster.run(until: cluster.now + 20_000)
        #expect(!cluster.phases(id, at: 3).contains(.inferring))
    }
}
