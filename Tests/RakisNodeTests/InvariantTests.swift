import Testing
import RakisCore
@testable import RakisNode

/// The invariant checks find a broken record, and find nothing in an intact one. (A broken one
/// stops the node: `checkInvariants` is a precondition over `brokenInvariants`.)
@Suite struct InvariantTests {
    @Test func aRecordThatBreaksAnInvariantIsNamed() {
        let cluster = TestCluster(serving: 1)
        let id = cluster.submit(cluster.spec(quorum: 1), at: 0)
        let node = cluster.nodes[0]
        // A quorum member without a committee.
        node.records[id]?.memberOrder.append(NodeIdentity(deterministicLabel: "ghost").nodeId)
        let event = NodeEvent.timerFired(NodeTimer(.backupWork, id))
        let broken = node.brokenInvariants(after: event, everyRecord: false)
        #expect(!broken.isEmpty && broken.allSatisfy { $0.contains("request \(id.hex.prefix(8))") }, "\(broken)")
        #expect(node.brokenInvariants(after: .started, everyRecord: true) == broken, "the full walk finds it too")
    }

    @Test func anIntactNodeBreaksNone() {
        let cluster = TestCluster(serving: 1)
        let id = cluster.submit(cluster.spec(quorum: 1), at: 0)
        let step = cluster.nodes[0].handle(.timerFired(NodeTimer(.backupWork, id)), now: cluster.now)
        #expect(step.verdict == .handled)
        #expect(cluster.nodes[0].brokenInvariants(after: .started, everyRecord: true).isEmpty)
    }
}
