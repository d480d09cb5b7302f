import Testing
import RakisCore
@testable import RakisNode

/// A node that crashes and restarts from what it persisted: it keeps its word (reveals what it
/// committed to), re-runs work it had not committed, and does not take up concluded requests.
@Suite struct RecoveryTests {
    /// Runs the cluster in small steps until `condition` holds.
    private func run(_ cluster: TestCluster, until condition: () -> Bool) {
        for _ in 0..<1_000 where !condition() { cluster.run(until: cluster.now + 5) }
        #expect(condition())
    }

    @Test func aNodeRestartedAfterCommittingStillRevealsAndConcludes() {
        let cluster = TestCluster(serving: 4)
        let id = cluster.submit(cluster.spec(quorum: 4), at: 0)
        run(cluster) { cluster.broadcasts.contains { $0.node == 1 && $0.envelope.commit != nil } }
        cluster.crash(1)
        cluster.run(until: cluster.now + 300)  // the quorum is fixed while node 1 is down
        #expect(cluster.broadcasts.contains { $0.node == 0 && $0.envelope.quorum != nil })
        cluster.restart(1)
        cluster.run(until: cluster.now + 20_000)

        let chosen = (0..<4).compactMap { cluster.chosen(id, at: $0) }
        #expect(chosen.count == 4)
        #expect(Set(chosen.map(\.commitment)).count == 1)
        // It revealed the output it committed to, without running the model again.
        #expect(cluster.broadcasts.contains { $0.node == 1 && $0.envelope.reveal != nil })
        #expect(cluster.inferencesStarted.filter { $0.node == 1 }.count == 1)
    }

    /// Killed after storing its commit but before any copy left the machine (the store is written
    /// before the sockets): on restart it sends the commit again, so the committee that needs it
    /// still forms.
    @Test func aNodeKilledBeforeItsCommitLeftSendsItAfterRestart() {
        let cluster = TestCluster(serving: 4)
        cluster.link = { from, _, envelope in !(from == 1 && envelope.commit != nil) }
        let id = cluster.submit(cluster.spec(quorum: 4), at: 0)
        run(cluster) { cluster.broadcasts.contains { $0.node == 1 && $0.envelope.commit != nil } }
        cluster.crash(1)
        cluster.link = { _, _, _ in true }
        cluster.restart(1)
        cluster.run(until: cluster.now + 20_000)

        let chosen = (0..<4).compactMap { cluster.chosen(id, at: $0) }
        #expect(chosen.count == 4)
        #expect(cluster.inferencesStarted.filter { $0.node == 1 }.count == 1)
    }

    /// Killed right after revealing, while the others concluded without it and the fixer (often a
    /// short-lived client) went away: on restart its reveal retransmission makes a member send the
    /// fixer's result again, and it concludes with the others.
    @Test func aNodeKilledAfterRevealingLearnsTheResultAfterRestart() {
        let cluster = TestCluster(serving: 4)
        let id = cluster.submit(cluster.spec(quorum: 4, revealWindow: 60_000), at: 0)
        run(cluster) { cluster.broadcasts.contains { $0.node == 1 && $0.envelope.reveal != nil } }
        cluster.crash(1)
        run(cluster) { [0, 2, 3].allSatisfy { cluster.chosen(id, at: $0) != nil } }
        cluster.crash(0)
        cluster.restart(1)
        cluster.run(until: cluster.now + 20_000)
        #expect(cluster.chosen(id, at: 1) != nil)
    }

    /// The operator removed members while the node was down: the commits (and any quorum or
    /// result) it stored from them no longer make a committee. Replaying them neither crashes the
    /// node nor breaks its state, and the request still ends.
    @Test func aNodeRestartedUnderAnotherMembershipRefusesWhatNoLongerCounts() {
        let cluster = TestCluster(serving: 4)
        let id = cluster.submit(cluster.spec(quorum: 4), at: 0)
        run(cluster) { cluster.broadcasts.contains { $0.node == 1 && $0.envelope.commit != nil } }
        cluster.run(until: cluster.now + 300)
        cluster.crash(1)
        let survivors = [cluster.nodes[1].nodeId]
        cluster.restart(1) { $0.membership = .equalWeights(survivors) }
        cluster.run(until: cluster.now + 20_000)
        #expect(cluster.nodes[1].brokenInvariants(after: .started, everyRecord: true).isEmpty)
        #expect(cluster.failure(id, at: 1) != nil || cluster.chosen(id, at: 1) != nil, "the request still ends at node 1")
    }

    @Test func aNodeRestartedBeforeCommittingRunsTheRequestAgain() {
        let cluster = TestCluster(serving: 4)
        let id = cluster.submit(cluster.spec(quorum: 4), at: 0)
        run(cluster) { cluster.inferencesStarted.contains { $0.node == 1 } }
        cluster.crash(1)
        cluster.run(until: cluster.now + 50)
        cluster.restart(1)
        cluster.run(until: cluster.now + 20_000)

        #expect(cluster.inferencesStarted.filter { $0.node == 1 }.count == 2)
        let chosen = (0..<4).compactMap { cluster.chosen(id, at: $0) }
        #expect(chosen.count == 4)
        #expect(Set(chosen.map(\.commitment)).count == 1)
    }

    @Test func concludedRequestsAreNotTakenUpAgain() {
        let cluster = TestCluster(serving: 3)
        let id = cluster.submit(cluster.spec(), at: 0)
        cluster.run(until: cluster.now + 2_000)
        #expect(cluster.chosen(id, at: 1) != nil)
        let request = cluster.broadcasts.first { $0.envelope.request != nil }!.envelope
        cluster.crash(1)
        cluster.restart(1)
        cluster.run(until: cluster.now + 10)
        #expect(cluster.recovery(of: 1).unfinished.isEmpty)
        cluster.deliver(request, to: 1)
        cluster.run(until: cluster.now + 1_000)
        #expect(cluster.inferencesStarted.filter { $0.node == 1 }.count == 1)
        #expect(cluster.nodes[1].phase(of: id) == nil)
    }
}
