/// A binary embedding: one bit per dimension (1 iff the value is positive), packed
/// most-significant bit first, so the first `k` bits are the Matryoshka truncation to `k`.
public struct BinaryEmbedding: Hashable, Sendable {
    /// Bits packed into big-endian 64-bit words; bits past `bitCount` are zero.
    public let words: [UInt64]
    public let bitCount: Int

    public init(bytes: [UInt8]) {
        bitCount = bytes.count * 8
        var words = [UInt64](repeating: 0, count: (bytes.count + 7) / 8)
        for (index, byte) in bytes.enumerated() {
            words[index / 8] |= UInt64(byte) << UInt64(56 - 8 * (index % 8))
        }
        self.words = words
    }

    public init?(hex: String) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes: bytes)
    }

    /// Binarizes a float embedding: bit i is set iff dimension i is greater than zero.
    public init(signsOf values: [Float]) {
        precondition(values.count % 8 == 0, "embedding width must be a whole number of bytes")
        var bytes = [UInt8](repeating: 0, count: values.count / 8)
        for (index, value) in values.enumerated() where value > 0 {
            bytes[index / 8] |= 0x80 >> UInt8(index % 8)
        }
        self.init(bytes: bytes)
    }

    public var bytes: [UInt8] {
        (0..<bitCount / 8).map { UInt8(truncatingIfNeeded: words[$0 / 8] >> UInt64(56 - 8 * ($0 % 8))) }
    }

    public var hex: String { Hex.encode(bytes) }

    /// The first `bits` bits, the rest cleared.
    public func truncated(to bits: Int) -> BinaryEmbedding {
        precondition(bits % 8 == 0 && bits <= bitCount, "truncation must keep whole bytes that exist")
        return BinaryEmbedding(bytes: Array(bytes.prefix(bits / 8)))
    }

    /// Number of differing bits among the first `bits` bits of both embeddings.
    public func hammingDistance(to other: BinaryEmbedding, bits: Int) -> Int {
        precondition(bits <= bitCount && bits <= other.bitCount, "both embeddings must have at least `bits` bits")
        var distance = 0
        var remaining = bits
        var index = 0
        while remaining >= 64 {
            distance += (words[index] ^ other.words[index]).nonzeroBitCount
            remaining -= 64
            index += 1
        }
        if remaining > 0 {
            let mask = ~UInt64(0) << UInt64(64 - remaining)
            distance += ((words[index] ^ other.words[index]) & mask).nonzeroBitCount
        }
        return distance
    }
}
