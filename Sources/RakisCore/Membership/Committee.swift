/// A request's committee: the `quorum` best seats among the weighted identities that committed,
/// and how many of them each member holds.
public struct Committee: Sendable, Hashable {
    /// The seats, best first.
    public let seats: [SeatScore]
    /// Seats per member.
    public let seatCount: [NodeID: Int]

    /// The committee of `candidates` (identities with their weights; weightless ones may not be
    /// given), nil if their tickets fill fewer than `quorum` seats.
    public init?(requestId: Hash256, candidates: [(node: NodeID, weight: Int)], quorum: Int) {
        precondition(Limits.quorumRange.contains(quorum), "quorums are validated before committees are drawn")
        var tickets: [SeatScore] = []
        for (node, weight) in candidates {
            precondition(weight > 0, "an identity without weight is never a candidate")
            let scores = SeatRank.scores(requestId: requestId, node: node, weight: weight, count: quorum)
            tickets += scores.enumerated().map { SeatScore(score: $0.element, node: node, ticket: $0.offset) }
        }
        guard tickets.count >= quorum else { return nil }
        seats = Array(tickets.sorted().prefix(quorum))
        seatCount = seats.reduce(into: [:]) { $0[$1.node, default: 0] += 1 }
    }

    public var members: [NodeID] { seatCount.keys.sorted() }
    public var worstSeat: SeatScore { seats[seats.count - 1] }

    /// The canonical order between two committees for one request: the better is the one whose
    /// seats, compared best first, are lower at the first difference.
    public func isBetter(than other: Committee) -> Bool {
        for (a, b) in zip(seats, other.seats) where a != b { return a < b }
        return false
    }

    /// Whether no admitted identity left out, and no further ticket of a member, could take a
    /// seat: then this is the committee of the whole membership, which no later commit can
    /// outrank. Only a membership known in advance can tell. (An identity's tickets get worse
    /// one after another, so its next ticket alone decides.)
    public func isComplete(requestId: Hash256, membership: Membership) -> Bool {
        guard membership.candidatesKnownInAdvance else { return false }
        let worst = worstSeat
        for (node, weight) in membership.sortedMembers {
            let held = seatCount[node] ?? 0
            guard held < weight, held < seats.count else { continue }
            let next = SeatRank.scores(requestId: requestId, node: node, weight: weight, count: held + 1)[held]
            if SeatScore(score: next, node: node, ticket: held) < worst { return false }
        }
        return true
    }
}
