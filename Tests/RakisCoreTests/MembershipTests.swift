import Foundation
import Testing
@testable import RakisCore

/// Weights, admission tickets and the rank rule: the pieces that make a committee something
/// neither speed nor free identities can buy.
@Suite struct MembershipTests {
    static let requestId = Hash256.of(Array("rakis rank vector".utf8))
    static let node = NodeIdentity(deterministicLabel: "rank vector node").nodeId

    @Test func theRankLogIsTheLogarithm() {
        // Not libm's bits (nobody's libm is the protocol), but the same function to within rounding.
        var x = 1.0
        while x > 1e-300 {
            let ours = RankMath.log(x)
            #expect(abs(ours - Foundation.log(x)) <= 4e-16 * max(1, abs(Foundation.log(x))), "ln(\(x))")
            x *= 0.8374
        }
        #expect(RankMath.log(1) == 0)
        #expect(RankMath.log(0.5) == -0.6931471805599453)
    }

    @Test func seatScoresMatchTheProtocolVectors() {
        // docs/PROTOCOL.md, "Rank": the first three seats of a weight-3 identity.
        let scores = SeatRank.scores(requestId: Self.requestId, node: Self.node, weight: 3, count: 3)
        #expect(scores.map(\.bitPattern) == MembershipVectors.seatScoreBits, "\(scores.map { String($0.bitPattern, radix: 16) })")
        #expect(zip(scores, scores.dropFirst()).allSatisfy { $0 < $1 }, "an identity's seats get worse one after another")
        // A weight-1 identity holds one ticket.
        #expect(SeatRank.scores(requestId: Self.requestId, node: Self.node, weight: 1, count: 3).count == 1)
    }

    @Test func ticketsAreBoundToTheirNodeAndNetwork() {
        let ticket = AdmissionTicket.mint(for: Self.node, network: "rakis-test", difficulty: 12)!
        #expect(ticket.nonce == MembershipVectors.ticketNonce, "nonce \(ticket.nonce)")
        #expect(ticket.isValid(for: Self.node, network: "rakis-test", difficulty: 12))
        #expect(!ticket.isValid(for: Self.node, network: "other", difficulty: 12))
        #expect(!ticket.isValid(for: NodeIdentity(deterministicLabel: "thief").nodeId, network: "rakis-test", difficulty: 12))
        #expect(AdmissionTicket(hex: ticket.hex) == ticket)
        let open = try! Membership.open(difficulty: 12)
        #expect(open.weight(of: Self.node, ticket: ticket, network: "rakis-test") == 1)
        #expect(open.weight(of: Self.node, ticket: nil, network: "rakis-test") == 0)
    }

    @Test func badMembershipsAreRefusedWithTheirReason() {
        #expect(throws: MembershipError.empty(.allowlist)) { try Membership.table(.allowlist, weights: [:]) }
        #expect(throws: MembershipError.weightOutOfRange(node: Self.node, weight: 0)) {
            try Membership.table(.allowlist, weights: [Self.node: 0])
        }
        #expect(throws: MembershipError.difficultyOutOfRange(41)) { try Membership.open(difficulty: 41) }
    }

    /// Splitting one weight over many identities buys no more seats, in expectation: one identity
    /// of weight 20 against 20 of weight 1, each among 80 other identities of weight 1, over 10,000
    /// requests with committees of 9 seats (the expectation is 9 x 20/100 = 1.8 seats a request;
    /// the standard error of each mean is 0.7% of it, so 2% is about three of them).
    @Test func splittingAWeightBuysNoSeats() {
        let others = (0..<80).map { (node: NodeIdentity(deterministicLabel: "other \($0)").nodeId, weight: 1) }
        let whole = NodeIdentity(deterministicLabel: "whole").nodeId
        let split = (0..<20).map { NodeIdentity(deterministicLabel: "split \($0)").nodeId }
        let runs = 10_000
        var wholeSeats = 0
        var splitSeats = 0
        for run in 0..<runs {
            let requestId = Hash256.of(Array("splitting \(run)".utf8))
            let a = Committee(requestId: requestId, candidates: others + [(whole, 20)], quorum: 9)!
            wholeSeats += a.seatCount[whole] ?? 0
            let b = Committee(requestId: requestId, candidates: others + split.map { ($0, 1) }, quorum: 9)!
            splitSeats += split.reduce(0) { $0 + (b.seatCount[$1] ?? 0) }
        }
        let (wholeMean, splitMean) = (Double(wholeSeats) / Double(runs), Double(splitSeats) / Double(runs))
        #expect(abs(wholeMean - 1.8) < 1.8 * 0.02 && abs(splitMean - 1.8) < 1.8 * 0.02, "whole \(wholeMean), split \(splitMean)")
        #expect(abs(wholeMean - splitMean) < 1.8 * 0.02, "whole \(wholeMean), split \(splitMean)")
    }

    @Test func aCommitteeIsCompleteOnlyWhenNoLeftOutIdentityCouldOutrankIt() {
        let nodes = (0..<6).map { NodeIdentity(deterministicLabel: "complete \($0)").nodeId }
        let membership = Membership.equalWeights(nodes)
        let all = Committee(requestId: Self.requestId, candidates: nodes.map { ($0, 1) }, quorum: 3)!
        #expect(all.isComplete(requestId: Self.requestId, membership: membership))
        // Leave out the best-ranked member: the rest make a committee, but not a complete one.
        let best = all.seats[0].node
        let without = Committee(requestId: Self.requestId, candidates: nodes.filter { $0 != best }.map { ($0, 1) }, quorum: 3)!
        #expect(!without.isComplete(requestId: Self.requestId, membership: membership))
        #expect(all.isBetter(than: without) && !without.isBetter(than: all))
        // An open network never knows every candidate.
        #expect(!all.isComplete(requestId: Self.requestId, membership: try! Membership.open(difficulty: 0)))
    }
}

/// The values docs/PROTOCOL.md gives as test vectors.
enum MembershipVectors {
    static let seatScoreBits: [UInt64] = [0x4000_0fc7_aa3a_627b, 0x400e_678b_30ae_fea2, 0x4014_3514_fd47_5292]
    static let ticketNonce: UInt64 = 5732
}
