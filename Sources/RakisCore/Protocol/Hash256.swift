import Foundation
import Crypto

/// A SHA-256 digest. Ordered bytewise (big-endian), which is how ties are broken everywhere
/// in the protocol, so the order must not depend on how the bytes are stored.
public struct Hash256: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The digest as four big-endian words: comparing them in order compares the bytes.
    public let words: (UInt64, UInt64, UInt64, UInt64)

    public init(bytes: [UInt8]) {
        precondition(bytes.count == 32, "a SHA-256 digest has 32 bytes")
        func word(_ offset: Int) -> UInt64 {
            var value: UInt64 = 0
            for index in offset..<offset + 8 { value = value << 8 | UInt64(bytes[index]) }
            return value
        }
        words = (word(0), word(8), word(16), word(24))
    }

    public init?(hex: String) {
        guard let bytes = Hex.decode(hex), bytes.count == 32 else { return nil }
        self.init(bytes: bytes)
    }

    /// SHA-256 of the given bytes.
    public static func of<Bytes: DataProtocol>(_ bytes: Bytes) -> Hash256 {
        Hash256(bytes: Array(SHA256.hash(data: bytes)))
    }

    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(32)
        for word in [words.0, words.1, words.2, words.3] {
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return out
    }

    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }

    public static func == (lhs: Hash256, rhs: Hash256) -> Bool {
        lhs.words == rhs.words
    }

    /// One word is enough: digests are uniformly distributed, and hashing is on every hot path.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
    }

    public static func < (lhs: Hash256, rhs: Hash256) -> Bool {
        if lhs.words.0 != rhs.words.0 { return lhs.words.0 < rhs.words.0 }
        if lhs.words.1 != rhs.words.1 { return lhs.words.1 < rhs.words.1 }
        if lhs.words.2 != rhs.words.2 { return lhs.words.2 < rhs.words.2 }
        return lhs.words.3 < rhs.words.3
    }
}
