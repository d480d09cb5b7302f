/// The range a number or integer must fall in: integers compare exactly; decimals compare as
/// the double their text parses to (±infinity: unbounded).
enum NumberBounds: Sendable, Hashable {
    case integer(min: Int64, max: Int64)
    case decimal(min: Double, max: Double)

    var isDecimal: Bool { if case .decimal = self { true } else { false } }
    /// The most significant digits a text may have: 15 for decimals (so the text is the
    /// shortest one for its double, which RFC 8785 writes), 19 for integers (UInt64 holds them).
    var maxSignificantDigits: UInt8 { isDecimal ? 15 : 19 }
}

/// A number being written, in the few fields that decide what may follow: sign, digits so far
/// (as one integer), the lengths of the integer and fraction parts, and whether the text so far
/// ends in a way a number may not (a "." or a trailing zero in the fraction).
///
/// A byte is accepted only if some completion of the new text lies within the bounds. The
/// completions of a prefix are a handful of "pieces": runs of consecutive values on one grid,
/// G / 10^scale for G in low...high, where G is every digit of the completed text as one
/// integer. Each piece is checked exactly: the value is monotone in G, so a binary search finds
/// the first and last G within the bounds.
struct NumberProgress: Hashable, Sendable {
    var negative = false
    var hasDigits = false
    /// The integer part is "0" (so no more integer digits may follow).
    var integerIsZero = false
    var inFraction = false
    var lastDigitIsZero = false
    var integerDigits: UInt8 = 0
    var fractionDigits: UInt8 = 0
    /// Digits from the first non-zero one on.
    var significantDigits: UInt8 = 0
    /// Every digit typed, as one integer (leading zeros vanish).
    var digits: UInt64 = 0

    /// A decimal below 1 has at most this many zeros after the point before its first digit:
    /// RFC 8785 (ECMAScript) writes numbers below 1e-6 with an exponent.
    static let maxLeadingFractionZeros: UInt8 = 5

    var typedBytes: Int { (negative ? 1 : 0) + Int(integerDigits) + (inFraction ? 1 + Int(fractionDigits) : 0) }

    /// The progress after `byte`, or nil if the syntax refuses it or no completion stays in bounds.
    func advanced(_ byte: UInt8, bounds: NumberBounds) -> NumberProgress? {
        guard let next = typed(byte, bounds: bounds), next.hasCompletion(bounds) else { return nil }
        return next
    }

    /// The syntax alone: sign first, no leading zeros, a point only in decimals, the digit limit.
    private func typed(_ byte: UInt8, bounds: NumberBounds) -> NumberProgress? {
        var next = self
        switch byte {
        case UInt8(ascii: "-"):
            guard !negative, !hasDigits else { return nil }
            next.negative = true
        case UInt8(ascii: "."):
            guard bounds.isDecimal, hasDigits, !inFraction else { return nil }
            next.inFraction = true
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            let digit = byte - UInt8(ascii: "0")
            let significant = significantDigits > 0 || digit != 0
            if significant {
                guard significantDigits < bounds.maxSignificantDigits else { return nil }
                next.significantDigits += 1
            }
            if !hasDigits {
                next.hasDigits = true
                next.integerDigits = 1
                next.integerIsZero = digit == 0
            } else if !inFraction {
                guard !integerIsZero else { return nil }
                next.integerDigits += 1
            } else {
                guard significant || fractionDigits < Self.maxLeadingFractionZeros else { return nil }
                next.fractionDigits += 1
                next.lastDigitIsZero = digit == 0
            }
            next.digits = digits * 10 + UInt64(digit)
        default:
            return nil
        }
        return next
    }

    /// Whether the text so far is a whole number within the bounds.
    func isComplete(_ bounds: NumberBounds) -> Bool {
        guard hasDigits, !(inFraction && (fractionDigits == 0 || lastDigitIsZero)), !(negative && digits == 0) else { return false }
        switch bounds {
        case let .integer(min, max):
            guard let value = negative ? (digits <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- digits) : nil)
                                       : (digits <= UInt64(Int64.max) ? Int64(digits) : nil) else { return false }
            return min <= value && value <= max
        case let .decimal(min, max):
            let magnitude = Self.value(digits, scale: Int(fractionDigits))
            let value = negative ? -magnitude : magnitude
            return min <= value && value <= max
        }
    }

    /// Whether some completion of the text so far lies within the bounds.
    func hasCompletion(_ bounds: NumberBounds) -> Bool { minimalCompletion(bounds) != nil }

    /// The fewest bytes that complete the number within the bounds, or nil if none do.
    func minimalCompletion(_ bounds: NumberBounds) -> Int? {
        guard hasDigits else {
            // Before the first digit, try each first byte.
            let firsts = (negative ? [] : [UInt8(ascii: "-")]) + Array(UInt8(ascii: "0")...UInt8(ascii: "9"))
            return firsts.compactMap { typed($0, bounds: bounds)?.minimalCompletion(bounds).map { $0 + 1 } }.min()
        }
        var best: Int?
        forEachPiece(bounds) { piece in
            guard let length = shortestText(in: piece, bounds: bounds) else { return }
            best = min(best ?? length, length)
        }
        return best.map { $0 - typedBytes }
    }

    /// A run of completions: values G / 10^scale for G in low...high, written with
    /// `integerDigits` digits before the point.
    struct Piece {
        var low: UInt64
        var high: UInt64
        var scale: Int
        var integerDigits: Int
    }

    /// Every run of completions of the text so far (there are digits).
    private func forEachPiece(_ bounds: NumberBounds, _ body: (Piece) -> Void) {
        if !bounds.isDecimal {
            if integerIsZero {
                if !negative { body(Piece(low: 0, high: 0, scale: 0, integerDigits: 1)) }
                return
            }
            // j more integer digits: digits·10^j ... digits·10^j + 10^j - 1, while UInt64 holds them.
            var power: UInt64 = 1
            for extra in 0...Int(bounds.maxSignificantDigits - integerDigits) {
                let (low, overflow) = digits.multipliedReportingOverflow(by: power)
                if overflow { return }
                let (high, overflowHigh) = low.addingReportingOverflow(power - 1)
                body(Piece(low: low, high: overflowHigh ? .max : high, scale: 0, integerDigits: Int(integerDigits) + extra))
                if power > UInt64.max / 10 { return }
                power *= 10
            }
            return
        }
        let maxDigits = Int(bounds.maxSignificantDigits)
        // 15-digit G whose first non-zero digit sits at fraction position `position`.
        func belowOne(from position: Int) {
            for position in position...Int(Self.maxLeadingFractionZeros) + 1 {
                body(Piece(low: Self.powers[maxDigits - 1], high: Self.powers[maxDigits] - 1, scale: position + maxDigits - 1, integerDigits: 1))
            }
        }
        let remaining = maxDigits - Int(significantDigits)
        switch (inFraction, integerIsZero) {
        case (false, true):
            if !negative { body(Piece(low: 0, high: 0, scale: 0, integerDigits: 1)) }
            belowOne(from: 1)
        case (false, false):
            for extra in 0...remaining {
                body(Piece(low: digits * Self.powers[remaining], high: (digits + 1) * Self.powers[remaining] - 1,
                           scale: remaining - extra, integerDigits: Int(integerDigits) + extra))
            }
        case (true, _) where significantDigits == 0:
            belowOne(from: Int(fractionDigits) + 1)
        case (true, _):
            let mustGrow: UInt64 = fractionDigits == 0 || lastDigitIsZero ? 1 : 0
            body(Piece(low: digits * Self.powers[remaining] + mustGrow, high: (digits + 1) * Self.powers[remaining] - 1,
                       scale: Int(fractionDigits) + remaining, integerDigits: Int(integerDigits)))
        }
    }

    /// The length of the shortest whole text in `piece` within the bounds, or nil if none is.
    private func shortestText(in piece: Piece, bounds: NumberBounds) -> Int? {
        guard piece.low <= piece.high, let (first, last) = Self.range(piece, bounds: bounds, negative: negative) else { return nil }
        let sign = negative ? 1 : 0
        guard piece.scale > 0 else { return sign + piece.integerDigits }
        // The most trailing zeros a G in first...last can have gives the shortest fraction.
        for zeros in stride(from: min(piece.scale, 15), through: 0, by: -1) {
            let step = Self.powers[zeros]
            let (rounded, overflow) = ((first + step - 1) / step).multipliedReportingOverflow(by: step)
            if !overflow, rounded <= last {
                let fraction = piece.scale - zeros
                return sign + piece.integerDigits + (fraction > 0 ? 1 + fraction : 0)
            }
        }
        return nil
    }

    /// The first and last G of the piece whose value lies within the bounds, or nil.
    private static func range(_ piece: Piece, bounds: NumberBounds, negative: Bool) -> (UInt64, UInt64)? {
        switch bounds {
        case let .integer(min, max):
            // Magnitudes: a negative value -G is in bounds when G is in -max ... -min.
            let (low, high): (UInt64, UInt64)
            if negative {
                guard min < 0 else { return nil }
                (low, high) = (max < 0 ? max.magnitude : 1, min.magnitude)
            } else {
                guard max >= 0 else { return nil }
                (low, high) = (min > 0 ? min.magnitude : 0, max.magnitude)
            }
            let first = Swift.max(piece.low, low), last = Swift.min(piece.high, high)
            return first <= last ? (first, last) : nil
        case let .decimal(min, max):
            let (low, high) = negative ? (-max, -min) : (min, max)
            let value = { (g: UInt64) in Self.value(g, scale: piece.scale) }
            guard value(piece.high) >= low, value(piece.low) <= high else { return nil }
            var first = piece.low, upper = piece.high
            while first < upper {
                let middle = first + (upper - first) / 2
                if value(middle) >= low { upper = middle } else { first = middle + 1 }
            }
            var lower = piece.low, last = piece.high
            while lower < last {
                let middle = lower + (last - lower + 1) / 2
                if value(middle) <= high { lower = middle } else { last = middle - 1 }
            }
            return first <= last ? (first, last) : nil
        }
    }

    /// G / 10^scale as the double its decimal text parses to: both operands are exact doubles
    /// (G < 2^53, 10^scale for scale <= 22), so one IEEE division rounds it correctly.
    static func value(_ g: UInt64, scale: Int) -> Double { Double(g) / powersOfTen[scale] }

    static let powers: [UInt64] = (0...19).map { exponent in (0..<exponent).reduce(1) { value, _ in value * 10 } }
    static let powersOfTen: [Double] = (0...22).map { exponent in (0..<exponent).reduce(1.0) { value, _ in value * 10 } }
}
