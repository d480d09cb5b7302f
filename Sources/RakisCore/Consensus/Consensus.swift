import Crypto

/// One verified reveal as consensus sees it: the member's commitment, its binary embedding, and
/// the committee seats the member holds (its votes).
public struct ConsensusPoint: Sendable, Hashable {
    public let commitment: Hash256
    public let embedding: BinaryEmbedding
    public let seats: Int

    public init(commitment: Hash256, embedding: BinaryEmbedding, seats: Int = 1) {
        precondition(seats >= 1, "a point stands for at least one seat")
        self.commitment = commitment
        self.embedding = embedding
        self.seats = seats
    }
}

/// What consensus decided for one request.
public enum ConsensusOutcome: Sendable, Equatable {
    /// The `cluster`'s commitments (sorted) lie within secDistance of the centre; `chosen` is the
    /// one whose output is the request's result.
    case agreed(centre: Hash256, cluster: [Hash256], chosen: Hash256)
    case failed(ConsensusFailure)
}

public enum ConsensusFailure: Sendable, Equatable, CustomStringConvertible {
    /// Fewer seats behind verified reveals than the cluster needs, so no cluster can be large enough.
    case tooFewReveals(verified: Int, required: Int)
    /// The largest cluster holds `largest` seats, short of `required`.
    case noClusterLargeEnough(largest: Int, required: Int)

    public var description: String {
        switch self {
        case let .tooFewReveals(verified, required): "too few reveals: \(verified) verified, \(required) required"
        case let .noClusterLargeEnough(largest, required): "no cluster large enough: largest \(largest), \(required) required"
        }
    }
}

/// The consensus rule. It reads the spec top to bottom:
///
/// 1. Distance between two points is the Hamming distance over the first `bits` bits,
///    divided by `bits`. Two points are close when that distance is at most secDistance.
/// 2. Each point is a candidate centre; its count is the number of seats of the points close to
///    it, itself included (a member holds one seat or more). The largest count wins; ties go to
///    the smallest commitment.
/// 3. Consensus holds when that count reaches ceil(secPercentage x quorum), quorum counted in seats.
/// 4. The cluster is the points close to the centre, sorted by commitment. The chosen one is
///    the cluster's commitment at index SHA-256(requestId || cluster commitments) mod cluster
///    size, reading the digest as an unsigned 256-bit big-endian integer.
///
/// Nothing depends on the order of `points`: counts are order-free, and every tie and
/// selection is resolved by commitment.
public enum Consensus {
    public static func decide(
        requestId: Hash256,
        points: [ConsensusPoint],
        bits: Int,
        secDistance: Double,
        secPercentage: Double,
        quorum: Int
    ) -> ConsensusOutcome {
        precondition(bits > 0 && quorum > 0, "bits and quorum are validated positive before consensus")
        let commitments = points.map(\.commitment).sorted()
        precondition(zip(commitments, commitments.dropFirst()).allSatisfy { $0 < $1 }, "one point per commitment")
        let required = requiredClusterSize(secPercentage: secPercentage, quorum: quorum)
        let seats = points.reduce(0) { $0 + $1.seats }
        guard seats >= required, !points.isEmpty else {
            return .failed(.tooFewReveals(verified: seats, required: required))
        }
        let maxBits = maxDifferingBits(secDistance: secDistance, bits: bits)

        let packed = PackedEmbeddings(points.map(\.embedding), bits: bits)
        let counts = packed.closeCounts(maxBits: maxBits, seats: points.map(\.seats))

        var best = 0
        for i in points.indices.dropFirst() {
            if counts[i] > counts[best] || (counts[i] == counts[best] && points[i].commitment < points[best].commitment) {
                best = i
            }
        }
        guard counts[best] >= required else {
            return .failed(.noClusterLargeEnough(largest: counts[best], required: required))
        }

        let cluster = points.indices
            .filter { packed.distance($0, best) <= maxBits }
            .map { points[$0].commitment }
            .sorted()
        let chosen = cluster[selectionIndex(requestId: requestId, cluster: cluster)]
        return .agreed(centre: points[best].commitment, cluster: cluster, chosen: chosen)
    }

    /// The smallest k with k / quorum >= secPercentage, computed with one correctly rounded
    /// division per candidate, so that 0.7 of 10 is 7 (a product 0.7 * 10 would give 7.000000000000001).
    public static func requiredClusterSize(secPercentage: Double, quorum: Int) -> Int {
        var k = 0
        while k < quorum && Double(k) / Double(quorum) < secPercentage { k += 1 }
        return max(k, 1)
    }

    /// The largest h with h / bits <= secDistance, by the same reasoning: a distance exactly at
    /// the boundary counts as close.
    public static func maxDifferingBits(secDistance: Double, bits: Int) -> Int {
        var h = 0
        while h < bits && Double(h + 1) / Double(bits) <= secDistance { h += 1 }
        return h
    }

    /// SHA-256(requestId || commitments...) mod count, in exact integer arithmetic.
    public static func selectionIndex(requestId: Hash256, cluster: [Hash256]) -> Int {
        var hasher = SHA256()
        hasher.update(data: requestId.bytes)
        for commitment in cluster { hasher.update(data: commitment.bytes) }
        let count = UInt64(cluster.count)
        var remainder: UInt64 = 0
        for byte in hasher.finalize() {
            remainder = (remainder << 8 | UInt64(byte)) % count
        }
        return Int(remainder)
    }
}

/// The first `bits` bits of every point, laid out contiguously, so that the all-pairs distance
/// loop (2016 pairs for a quorum of 64) runs over one flat buffer.
private struct PackedEmbeddings {
    let wordsPerPoint: Int
    let words: [UInt64]

    init(_ embeddings: [BinaryEmbedding], bits: Int) {
        wordsPerPoint = (bits + 63) / 64
        var words = [UInt64]()
        words.reserveCapacity(embeddings.count * wordsPerPoint)
        let lastMask = bits % 64 == 0 ? ~UInt64(0) : ~UInt64(0) << UInt64(64 - bits % 64)
        for embedding in embeddings {
            precondition(embedding.bitCount >= bits, "every point has at least `bits` bits")
            for index in 0..<wordsPerPoint {
                words.append(index == wordsPerPoint - 1 ? embedding.words[index] & lastMask : embedding.words[index])
            }
        }
        self.words = words
    }

    /// For each point, the seats of the points (itself included) within `maxBits`.
    func closeCounts(maxBits: Int, seats: [Int]) -> [Int] {
        let count = words.count / wordsPerPoint
        var counts = seats
        for i in 0..<count {
            for j in (i + 1)..<max(count, i + 1) where distance(i, j) <= maxBits {
                counts[i] += seats[j]
                counts[j] += seats[i]
            }
        }
        return counts
    }

    func distance(_ a: Int, _ b: Int) -> Int {
        var total = 0
        for index in 0..<wordsPerPoint {
            total += (words[a * wordsPerPoint + index] ^ words[b * wordsPerPoint + index]).nonzeroBitCount
        }
        return total
    }
}
