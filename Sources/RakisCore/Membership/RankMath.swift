/// The natural logarithm that committee ranks are made of, built from IEEE-754 +, -, * and /
/// only (as the engine's `EngineMath` is), so every node, whatever its platform's libm, computes
/// the same bits for every rank.
enum RankMath {
    /// ln(2) split in a part exact in few bits and the rest, so that e * ln2 stays exact.
    private static let ln2High = 0.693_147_180_369_123_816_49
    private static let ln2Low = 1.908_214_929_270_587_700_02e-10

    /// ln(x) for x in (0, 1]: x = m * 2^e with m in [1, 2), then ln(m) = 2 atanh(s) with
    /// s = (m - 1) / (m + 1) in [0, 1/3), summed as a series in a fixed order.
    static func log(_ x: Double) -> Double {
        precondition(x > 0 && x <= 1 && x.isNormal, "ranks take the log of a draw in (0, 1]")
        let bits = x.bitPattern
        let exponent = Int((bits >> 52) & 0x7FF) - 1023
        let mantissa = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)
        let s = (mantissa - 1) / (mantissa + 1)
        let s2 = s * s
        // 2 (s + s^3/3 + ... + s^41/41): the first term left out is below 2^-64 of the sum.
        var term = s
        var sum = 0.0
        var odd = 1.0
        for _ in 0..<21 {
            sum = sum + term / odd
            term = term * s2
            odd = odd + 2
        }
        let e = Double(exponent)
        return (e * ln2High + (e * ln2Low + 2 * sum))
    }
}
