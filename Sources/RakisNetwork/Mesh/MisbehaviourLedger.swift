import NIOCore
import RakisCore

/// Misbehaviour scores per node id and the bans they lead to. Scores decay linearly, so only
/// sustained or serious misbehaviour reaches the threshold.
struct MisbehaviourLedger {
    let policy: MeshConfiguration.MisbehaviourPolicy
    private var scores: [NodeID: (points: Double, at: NIODeadline)] = [:]
    private var bannedNodes: [NodeID: NIODeadline] = [:]
    private var bannedAddresses: [MeshAddress: NIODeadline] = [:]

    init(policy: MeshConfiguration.MisbehaviourPolicy) {
        self.policy = policy
    }

    /// Adds points to the node's score; true when the score has reached the ban threshold.
    mutating func add(_ points: Double, to nodeId: NodeID, now: NIODeadline) -> Bool {
        let total = score(of: nodeId, now: now) + points
        scores[nodeId] = (total, now)
        return total >= policy.banThreshold
    }

    func score(of nodeId: NodeID, now: NIODeadline) -> Double {
        guard let (points, at) = scores[nodeId] else { return 0 }
        let elapsed = Double((now - at).nanoseconds) / 1e9
        return max(0, points - elapsed * policy.decayPerSecond)
    }

    /// Bans the node and the address it advertised; its score starts over when the ban ends.
    mutating func ban(_ nodeId: NodeID, address: MeshAddress?, now: NIODeadline) {
        let until = now + TimeAmount(policy.banDuration)
        bannedNodes[nodeId] = until
        if let address { bannedAddresses[address] = until }
        scores[nodeId] = nil
    }

    func isBanned(_ nodeId: NodeID, now: NIODeadline) -> Bool { bannedNodes[nodeId].map { $0 > now } ?? false }
    func isBanned(_ address: MeshAddress, now: NIODeadline) -> Bool { bannedAddresses[address].map { $0 > now } ?? false }

    /// Forgets expired bans and fully decayed scores, so the tables only hold what matters.
    mutating func prune(now: NIODeadline) {
        bannedNodes = bannedNodes.filter { $0.value > now }
        bannedAddresses = bannedAddresses.filter { $0.value > now }
        scores = scores.filter { score(of: $0.key, now: now) > 0 }
    }
}
