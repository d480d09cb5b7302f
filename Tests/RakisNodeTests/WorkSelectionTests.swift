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

    /// A request that accepts two models shares its quorum among the servers of both: with
    /// redundancy 2 and quorum 3, six of the twelve nodes are wanted, not six of each model's six.
    @Test func aRequestAcceptingTwoModelsSharesItsWorkAmongTheServersOfBoth() {
        let other = "other-llm"
        let cluster = TestCluster(serving: 12, models: [[TestCluster.model], [other]])
        var mixed = cluster.spec()
        mixed.models = [TestCluster.model, other]
        let requests = (0..<10).map { _ in cluster.submit(mixed, at: 0) }
        cluster.run(until: cluster.now + 20_000)
        let workers = requests.map { id in Set(cluster.inferencesStarted.filter { $0.requestId == id }.map { $0.node }) }
        // Each node works with probability 2 x 3 / 12 = 0.5 (backups aside): about 60 of 120.
        let total = workers.map(\.count).reduce(0, +)
        #expect(total >= 30 && total <= 84, "\(total) inferences for 10 requests")
        // Both models' servers take part, and every request concludes.
        #expect(workers.joined().contains { $0 % 2 == 0 } && workers.joined().contains { $0 % 2 == 1 })
        #expect(requests.allSatisfy { cluster.chosen($0, at: 0) != nil })

        // A request for one model: each of its six servers works with probability 2 x 3 / 6, so
        // all do, and the other model's servers do not.
        var single = cluster.spec()
        single.models = [other]
        let one = cluster.submit(single, at: 1)
        cluster.run(until: cluster.now + 20_000)
        let singleWorkers = Set(cluster.inferencesStarted.filter { $0.requestId == one }.map { $0.node })
        #expect(singleWorkers.allSatisfy { $0 % 2 == 1 } && singleWorkers.count == 6)
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
