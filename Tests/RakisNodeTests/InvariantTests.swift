import Testing
import RakisCore
@testable import RakisNode

/// The invariant checks run, and stop the node when a record breaks one (a test harness turns
/// them on, as debug builds do).
@Suite struct InvariantTests {
    @Test func aRecordThatBreaksAnInvariantStopsTheNode() async {
        await #expect(processExitsWith: .failure) {
            let cluster = TestCluster(serving: 1)
            let id = cluster.submit(cluster.spec(quorum: 1), at: 0)
            // A commit in the arrival order that is not among the commits.
            cluster.nodes[0].records[id]?.commitArrivalOrder.append(NodeIdentity(deterministicLabel: "ghost").nodeId)
            _ = cluster.nodes[0].handle(.timerFired(NodeTimer(.backupWork, id)), now: cluster.now)
        }
    }

    @Test func theSameEventOnAnIntactRecordPasses() {
        let cluster = TestCluster(serving: 1)
        let id = cluster.submit(cluster.spec(quorum: 1), at: 0)
        let step = cluster.nodes[0].handle(.timerFired(NodeTimer(.backupWork, id)), now: cluster.now)
        #expect(step.verdict == .handled)
    }
}
