/// Sortition: every weighted identity's claim on a request's seats, verifiable by anyone from
/// the request id, the node id and the weight.
///
/// An identity of weight w holds w lottery tickets. Each ticket draws an exponential variable of
/// rate 1, and a request's committee is the `quorum` lowest draws among the identities that
/// committed (an identity may hold several seats). Which tickets are lowest does not depend on
/// how a weight is divided among identities, so splitting one weight over many identities buys
/// no more seats in expectation, and being fast buys none at all.
///
/// Drawing w variables per identity would cost w hashes; only the lowest `quorum` ever matter,
/// and the order statistics of w exponentials are partial sums of independent exponentials
/// (Rényi): the j-th lowest is E(1)/w + E(2)/(w-1) + ... + E(j)/(w-j+1). Each E(i) is
/// -ln(U(i)) with U(i) = (top 53 bits of SHA-256("rakis/seat" || requestId || nodeId || i) + 1)
/// / 2^53, i as one byte. The log is `RankMath.log`, so the scores are the same bits on every node.
public enum SeatRank {
    private static let domain = Array("rakis/seat".utf8)

    /// The identity's `count` lowest ticket scores, in increasing order.
    public static func scores(requestId: Hash256, node: NodeID, weight: Int, count: Int) -> [Double] {
        precondition(weight >= 1 && weight <= Membership.maxWeight, "only a weighted identity has tickets")
        precondition(count >= 0 && count <= Limits.quorumRange.upperBound, "at most a quorum of seats")
        var scores: [Double] = []
        var total = 0.0
        for index in 0..<min(count, weight) {
            let draw = uniform(requestId: requestId, node: node, ticket: index)
            total = total + (-RankMath.log(draw)) / Double(weight - index)
            scores.append(total)
        }
        return scores
    }

    /// The identity's best seat, as committees compare seats.
    public static func firstSeat(requestId: Hash256, node: NodeID, weight: Int) -> SeatScore {
        SeatScore(score: scores(requestId: requestId, node: node, weight: weight, count: 1)[0], node: node, ticket: 0)
    }

    /// U(i + 1) above: (top 53 bits of the ticket's digest + 1) / 2^53, in (0, 1].
    public static func uniform(requestId: Hash256, node: NodeID, ticket: Int) -> Double {
        precondition((0..<256).contains(ticket), "a ticket number is one byte")
        let digest = Hash256.of(domain + requestId.bytes + node.publicKeyBytes + [UInt8(ticket)])
        return Double((digest.words.0 >> 11) + 1) / Double(UInt64(1) << 53)
    }
}

/// One ticket's place in the race: lower is better; ties (which take a SHA-256 collision of 53
/// bits) break by node id, then by ticket number, so the order is total.
public struct SeatScore: Sendable, Hashable, Comparable {
    public let score: Double
    public let node: NodeID
    public let ticket: Int

    public init(score: Double, node: NodeID, ticket: Int) {
        self.score = score
        self.node = node
        self.ticket = ticket
    }

    public static func < (lhs: SeatScore, rhs: SeatScore) -> Bool {
        if lhs.score != rhs.score { return lhs.score < rhs.score }
        if lhs.node != rhs.node { return lhs.node < rhs.node }
        return lhs.ticket < rhs.ticket
    }
}
