/// An unsigned 256-bit integer, the EVM's word: wei amounts, ABI `uint` values, JSON-RPC
/// quantities. Only what the chain code needs: exact conversions, comparison, and arithmetic
/// that reports or traps on overflow like Swift's own integers.
public struct UInt256: Sendable, Hashable, Comparable {
    /// Four 64-bit limbs, least significant first.
    private var limbs: [UInt64]

    public static let zero = UInt256(0)
    public static let max = UInt256(limbs: [.max, .max, .max, .max])

    private init(limbs: [UInt64]) {
        self.limbs = limbs
    }

    public init(_ value: UInt64) {
        limbs = [value, 0, 0, 0]
    }

    /// The value of big-endian bytes (any count; leading zeros are allowed), or nil when it
    /// does not fit in 256 bits.
    public init?(bigEndian bytes: some Collection<UInt8>) {
        let significant = bytes.drop { $0 == 0 }
        guard significant.count <= 32 else { return nil }
        var limbs: [UInt64] = [0, 0, 0, 0]
        for (position, byte) in significant.reversed().enumerated() {
            limbs[position / 8] |= UInt64(byte) << (8 * (position % 8))
        }
        self.limbs = limbs
    }

    /// The value as a 32-byte big-endian word.
    public var bigEndianBytes: [UInt8] {
        limbs.reversed().flatMap { limb in stride(from: 56, through: 0, by: -8).map { UInt8(truncatingIfNeeded: limb >> $0) } }
    }

    /// Big-endian bytes without leading zeros (none at all for zero), as RLP encodes integers.
    public var minimalBigEndianBytes: [UInt8] {
        Array(bigEndianBytes.drop { $0 == 0 })
    }

    /// How many bits the value needs (0 for zero), to check it against a `uintN` type.
    public var significantBitCount: Int {
        guard let top = limbs.lastIndex(where: { $0 != 0 }) else { return 0 }
        return 64 * top + (64 - limbs[top].leadingZeroBitCount)
    }

    /// The value as a `UInt64`, or nil when it is larger.
    public var exactUInt64: UInt64? {
        limbs[1] == 0 && limbs[2] == 0 && limbs[3] == 0 ? limbs[0] : nil
    }

    public static func < (lhs: UInt256, rhs: UInt256) -> Bool {
        for index in (0..<4).reversed() where lhs.limbs[index] != rhs.limbs[index] {
            return lhs.limbs[index] < rhs.limbs[index]
        }
        return false
    }
}

extension UInt256: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: UInt64) {
        self.init(value)
    }
}

// MARK: - Arithmetic

extension UInt256 {
    public func addingReportingOverflow(_ other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        var sum: [UInt64] = [0, 0, 0, 0]
        var carry = false
        for index in 0..<4 {
            let (partial, overflowA) = limbs[index].addingReportingOverflow(other.limbs[index])
            let (total, overflowB) = partial.addingReportingOverflow(carry ? 1 : 0)
            sum[index] = total
            carry = overflowA || overflowB
        }
        return (UInt256(limbs: sum), carry)
    }

    public func subtractingReportingOverflow(_ other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        var difference: [UInt64] = [0, 0, 0, 0]
        var borrow = false
        for index in 0..<4 {
            let (partial, overflowA) = limbs[index].subtractingReportingOverflow(other.limbs[index])
            let (total, overflowB) = partial.subtractingReportingOverflow(borrow ? 1 : 0)
            difference[index] = total
            borrow = overflowA || overflowB
        }
        return (UInt256(limbs: difference), borrow)
    }

    public func multipliedReportingOverflow(by other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        // Schoolbook product into eight limbs; anything in the upper four is overflow.
        var product = [UInt64](repeating: 0, count: 8)
        for i in 0..<4 where limbs[i] != 0 {
            var carry: UInt64 = 0
            for j in 0..<4 {
                let (high, low) = limbs[i].multipliedFullWidth(by: other.limbs[j])
                let (partial, overflowA) = product[i + j].addingReportingOverflow(low)
                let (total, overflowB) = partial.addingReportingOverflow(carry)
                product[i + j] = total
                // a·b + c + d < 2^128 for 64-bit a, b, c, d, so this cannot overflow.
                carry = high + (overflowA ? 1 : 0) + (overflowB ? 1 : 0)
            }
            product[i + 4] = carry
        }
        return (UInt256(limbs: Array(product[0..<4])), product[4...].contains { $0 != 0 })
    }

    /// Division by a small divisor, the step of printing in decimal.
    func quotientAndRemainder(dividingBy divisor: UInt64) -> (quotient: UInt256, remainder: UInt64) {
        var quotient: [UInt64] = [0, 0, 0, 0]
        var remainder: UInt64 = 0
        for index in (0..<4).reversed() {
            (quotient[index], remainder) = divisor.dividingFullWidth((high: remainder, low: limbs[index]))
        }
        return (UInt256(limbs: quotient), remainder)
    }

    public static func + (lhs: UInt256, rhs: UInt256) -> UInt256 {
        let (sum, overflow) = lhs.addingReportingOverflow(rhs)
        precondition(!overflow, "UInt256 addition overflowed")
        return sum
    }

    public static func - (lhs: UInt256, rhs: UInt256) -> UInt256 {
        let (difference, overflow) = lhs.subtractingReportingOverflow(rhs)
        precondition(!overflow, "UInt256 subtraction overflowed")
        return difference
    }

    public static func * (lhs: UInt256, rhs: UInt256) -> UInt256 {
        let (product, overflow) = lhs.multipliedReportingOverflow(by: rhs)
        precondition(!overflow, "UInt256 multiplication overflowed")
        return product
    }

    /// Whole division (long division, bit by bit): how many `minDeposit`s a deposit holds.
    public static func / (lhs: UInt256, rhs: UInt256) -> UInt256 {
        precondition(rhs != .zero, "UInt256 division by zero")
        var quotient = UInt256.zero
        var remainder = UInt256.zero
        for bit in (0..<lhs.significantBitCount).reversed() {
            // remainder < rhs before the shift, so 2·remainder + 1 < 2·rhs fits unless rhs has the top bit set.
            let (doubled, lost) = remainder.addingReportingOverflow(remainder)
            remainder = doubled
            if lhs.bit(bit) { remainder.limbs[0] |= 1 }
            if lost || remainder >= rhs {
                remainder = remainder.subtractingReportingOverflow(rhs).partialValue
                quotient.limbs[bit / 64] |= 1 << UInt64(bit % 64)
            }
        }
        return quotient
    }

    private func bit(_ index: Int) -> Bool { limbs[index / 64] >> UInt64(index % 64) & 1 == 1 }
}
