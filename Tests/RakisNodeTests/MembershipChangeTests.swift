import Testing
import RakisCore
@testable import RakisNode

/// A `stake` network's weights change when the oracle's registry does: the node takes the new
/// table for every request from then on.
@Suite struct MembershipChangeTests {
    static func stake(_ cluster: TestCluster, _ members: [Int]) -> Membership {
        try! Membership.table(.stake, weights: Dictionary(uniqueKeysWithValues: members.map { (cluster.nodes[$0].nodeId, 1) }))
    }

    func adopt(_ members: [Int], in cluster: TestCluster) {
        let membership = Self.stake(cluster, members)
        for node in cluster.nodes.indices { cluster.schedule(node, .membershipChanged(membership), at: cluster.now) }
        cluster.run(until: cluster.now + 100)
    }

    func committee(_ id: Hash256, _ cluster: TestCluster) -> Set<NodeID> {
        Set(cluster.conclusion(id, at: 0)?.certificate?.quorum.quorum?.commits.map(\.sender) ?? [])
    }

    @Test func aNodeThatRegistersSitsOnCommitteesAndOneThatLeavesNoLonger() {
        // Four serving nodes; the registry holds the first three.
        let cluster = TestCluster(serving: 4) { $0.membership = try! Membership.table(.stake, weights: [:]) }
        adopt([0, 1, 2], in: cluster)
        #expect(cluster.nodes[3].ownWeight == 0)
        let before = cluster.submit(cluster.spec(quorum: 3), at: 0)
        cluster.run(until: cluster.now + 20_000)
        #expect(committee(before, cluster) == Set([0, 1, 2].map { cluster.nodes[$0].nodeId }))
        #expect(!cluster.inferencesStarted.contains { $0.node == 3 }, "without weight a node draws no work")

        // Node 3 registers: it announces itself at once, and a committee of four is possible.
        let broadcastsBefore = cluster.broadcasts.count
        adopt([0, 1, 2, 3], in: cluster)
        #expect(cluster.nodes[3].ownWeight == 1)
        #expect(cluster.broadcasts.dropFirst(broadcastsBefore).contains { $0.node == 3 && $0.envelope.packet.body.isPeerStatus })
        let joined = cluster.submit(cluster.spec(quorum: 4), at: 0)
        cluster.run(until: cluster.now + 20_000)
        #expect(committee(joined, cluster).count == 4)
        #expect(cluster.outcome(joined, at: 3)?.isFinal == true)

        // Node 1 deregisters: its commits are refused, and it draws no work.
        adopt([0, 2, 3], in: cluster)
        let started = cluster.inferencesStarted.count
        let after = cluster.submit(cluster.spec(quorum: 3), at: 0)
        cluster.run(until: cluster.now + 20_000)
        #expect(committee(after, cluster) == Set([0, 2, 3].map { cluster.nodes[$0].nodeId }))
        #expect(!cluster.inferencesStarted.dropFirst(started).contains { $0.node == 1 })
        #expect(cluster.outcome(after, at: 1)?.isFinal == true, "a node without weight still verifies")
    }
}

extension PacketBody {
    var isPeerStatus: Bool { if case .peerStatus = self { true } else { false } }
}

extension RequestConclusion.Outcome {
    var isFinal: Bool { if case .final = self { true } else { false } }
}
