import Testing
@testable import RakisCore

/// Builds points with chosen commitments and embeddings.
private func point(_ commitmentByte: UInt8, _ bytes: [UInt8]) -> ConsensusPoint {
    ConsensusPoint(commitment: Hash256(bytes: [UInt8](repeating: commitmentByte, count: 32)), embedding: BinaryEmbedding(bytes: bytes))
}

/// 48 zero bytes with the first `count` bits set: distance `count` from zero.
private func bitsSet(_ count: Int, offset: Int = 0) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: 48)
    for bit in offset..<offset + count { bytes[bit / 8] |= 0x80 >> UInt8(bit % 8) }
    return bytes
}

private let requestId = Hash256.of(Array("request".utf8))

private func decide(_ points: [ConsensusPoint], bits: Int = 384, distance: Double = 0.1, percentage: Double = 0.6, quorum: Int? = nil) -> ConsensusOutcome {
    Consensus.decide(requestId: requestId, points: points, bits: bits, secDistance: distance, secPercentage: percentage,
                     quorum: quorum ?? points.count)
}

@Suite struct ConsensusTests {
    @Test func everyArrivalOrderGivesTheSameOutcome() {
        let points = [point(1, bitsSet(0)), point(2, bitsSet(5)), point(3, bitsSet(10)), point(4, bitsSet(200)),
                      point(5, bitsSet(30, offset: 100)), point(6, bitsSet(3))]
        let expected = decide(points)
        guard case .agreed = expected else { Issue.record("expected agreement, got \(expected)"); return }
        for order in permutations(points) {
            #expect(decide(order) == expected)
        }
    }

    @Test func largestClusterWinsAndOutliersAreExcluded() {
        let outcome = decide([point(9, bitsSet(0)), point(8, bitsSet(30)), point(7, bitsSet(60)), point(1, bitsSet(300))])
        guard case let .agreed(centre, members, chosen) = outcome else { Issue.record("\(outcome)"); return }
        #expect(centre == point(8, []).commitment) // only the middle point is close to both others
        #expect(members == [7, 8, 9].map { point($0, []).commitment })
        #expect(members.contains(chosen))
    }

    @Test func tiesGoToTheSmallestCommitment() {
        // Two clusters of two, far apart: every point counts 2.
        let outcome = decide([point(5, bitsSet(0)), point(6, bitsSet(1)), point(3, bitsSet(200)), point(4, bitsSet(201))], percentage: 0.5)
        guard case let .agreed(centre, members, _) = outcome else { Issue.record("\(outcome)"); return }
        #expect(centre == point(3, []).commitment)
        #expect(members == [point(3, []).commitment, point(4, []).commitment])
    }

    @Test func distanceExactlyAtTheBoundaryCounts() {
        // secDistance 0.25 over 384 bits allows exactly 96 differing bits.
        #expect(Consensus.maxDifferingBits(secDistance: 0.25, bits: 384) == 96)
        let at = decide([point(1, bitsSet(0)), point(2, bitsSet(96))], distance: 0.25, percentage: 1)
        let beyond = decide([point(1, bitsSet(0)), point(2, bitsSet(97))], distance: 0.25, percentage: 1)
        guard case .agreed = at else { Issue.record("96 bits should be within 0.25: \(at)"); return }
        #expect(beyond == .failed(.noClusterLargeEnough(largest: 1, required: 2)))
    }

    @Test func boundaryArithmeticIsExactForDecimalFractions() {
        // Products such as 0.29 * 100 = 28.999999999999996 must not lose a bit.
        #expect(Consensus.maxDifferingBits(secDistance: 0.29, bits: 100) == 29)
        #expect(Consensus.maxDifferingBits(secDistance: 0, bits: 384) == 0)
        #expect(Consensus.maxDifferingBits(secDistance: 1, bits: 384) == 384)
        #expect(Consensus.requiredClusterSize(secPercentage: 0.7, quorum: 10) == 7)
        #expect(Consensus.requiredClusterSize(secPercentage: 0.66, quorum: 3) == 2)
        #expect(Consensus.requiredClusterSize(secPercentage: 0.67, quorum: 3) == 3)
        #expect(Consensus.requiredClusterSize(secPercentage: 1, quorum: 64) == 64)
        #expect(Consensus.requiredClusterSize(secPercentage: 0, quorum: 5) == 1)
    }

    @Test func quorumAndPercentageEdges() {
        let cluster = [point(1, bitsSet(0)), point(2, bitsSet(1)), point(3, bitsSet(2))]
        // 3 of a quorum of 4 at 0.75: enough. At 0.76: not.
        guard case .agreed = decide(cluster, percentage: 0.75, quorum: 4) else { Issue.record("0.75 of 4 is 3"); return }
        #expect(decide(cluster, percentage: 0.76, quorum: 4) == .failed(.tooFewReveals(verified: 3, required: 4)))
        #expect(decide(cluster + [point(4, bitsSet(300))], percentage: 1, quorum: 4)
            == .failed(.noClusterLargeEnough(largest: 3, required: 4)))
        #expect(decide([], quorum: 3) == .failed(.tooFewReveals(verified: 0, required: 2)))
    }

    @Test func truncationComparesOnlyTheLeadingBits() {
        // Identical first 64 bits, opposite afterwards.
        let a = point(1, bitsSet(0)), b = point(2, bitsSet(320, offset: 64))
        guard case .agreed = decide([a, b], bits: 64, distance: 0, percentage: 1) else { Issue.record("64-bit prefixes are equal"); return }
        #expect(decide([a, b], bits: 128, distance: 0.4, percentage: 1) == .failed(.noClusterLargeEnough(largest: 1, required: 2)))
        #expect(a.embedding.hammingDistance(to: b.embedding, bits: 64) == 0)
        #expect(a.embedding.hammingDistance(to: b.embedding, bits: 72) == 8)
        #expect(b.embedding.truncated(to: 64).bitCount == 64)
    }

    @Test func selectionIsExact256BitModulo() {
        // Cross-check the byte-wise remainder against a word-wise long division.
        var random = SystemRandomNumberGenerator()
        for count in [1, 2, 3, 7, 10, 63, 64] {
            let members = (0..<count).map { _ in Hash256(bytes: (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }) }.sorted()
            var hasherInput = requestId.bytes
            for member in members { hasherInput += member.bytes }
            let digest = Hash256.of(hasherInput)
            var remainder: UInt64 = 0
            for word in [digest.words.0, digest.words.1, digest.words.2, digest.words.3] {
                remainder = UInt64(count).dividingFullWidth((high: remainder, low: word)).remainder
            }
            #expect(Consensus.selectionIndex(requestId: requestId, cluster: members) == Int(remainder))
        }
    }

    @Test func binaryEmbeddingPacksMostSignificantBitFirst() {
        let values: [Float] = [1, -1, 0, 0.5, -0.1, 2, 0, 3, -1, -1, -1, -1, -1, -1, -1, 0.001]
        #expect(BinaryEmbedding(signsOf: values).bytes == [0b1001_0101, 0b0000_0001])
        #expect(BinaryEmbedding(signsOf: values).hex == "9501")
    }
}
