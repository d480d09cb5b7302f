/// Number formatting as specified by ECMAScript's Number::toString, which
/// RFC 8785 adopts for canonical JSON numbers.
public enum ECMAScriptNumber {
    /// Formats a finite double the way JavaScript's `String(value)` does, e.g.
    /// `1e+21`, `0.000001`, `1e-7`, `4.5`. Negative zero formats as `0`.
    ///
    /// - Precondition: `value.isFinite`. JSON cannot express NaN or
    ///   infinities, and the parser never produces them.
    public static func format(_ value: Double) -> String {
        var output: [UInt8] = []
        append(value, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends the formatted number to a byte buffer; the canonical writer
    /// uses this to avoid an intermediate `String` per number.
    static func append(_ value: Double, to output: inout [UInt8]) {
        precondition(value.isFinite, "JSON numbers must be finite")
        if value == 0 {
            output.append(UInt8(ascii: "0"))
            return
        }
        // Integers below 2^53 are exact, so their shortest digits are simply
        // their decimal digits and the general path can be skipped. The
        // truncating conversion doubles as the integrality test, which keeps
        // this file free of libm calls such as `trunc`.
        if value.magnitude < 0x1p53 {
            let integer = Int64(value)
            if Double(integer) == value {
                output.append(contentsOf: String(integer).utf8)
                return
            }
        }
        if value < 0 {
            output.append(UInt8(ascii: "-"))
        }
        let (digits, pointPosition) = shortestDigits(of: value.magnitude)
        appendDigits(digits, pointPosition: pointPosition, to: &output)
    }

    /// The shortest round-trip decimal digits of a positive finite value,
    /// without leading or trailing zeros, and the position `n` of the decimal
    /// point relative to them, so that value = 0.d1d2...dk × 10^n.
    ///
    /// Swift's `description` already produces the shortest round-trip digits
    /// (choosing the closest candidate, as ECMAScript requires); only its
    /// layout differs, so it is parsed back into digits and an exponent.
    static func shortestDigits(of value: Double) -> (digits: [UInt8], pointPosition: Int) {
        var digits: [UInt8] = []
        digits.reserveCapacity(24)  // up to 17 significant digits plus leading zeros
        var integerDigitCount: Int?
        var exponent = 0
        var exponentIsNegative = false
        var inExponent = false
        for byte in value.description.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if inExponent {
                    exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
                } else {
                    digits.append(byte)
                }
            case UInt8(ascii: "."):
                integerDigitCount = digits.count
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                integerDigitCount = integerDigitCount ?? digits.count
                inExponent = true
            case UInt8(ascii: "-"):
                exponentIsNegative = true
            default:
                break  // "+" in the exponent
            }
        }
        // Position of the point relative to all printed digits, then shifted
        // past the leading zeros that are about to be removed.
        let zero = UInt8(ascii: "0")
        let leadingZeros = digits.prefix { $0 == zero }.count
        let pointPosition = (integerDigitCount ?? digits.count) - leadingZeros
            + (exponentIsNegative ? -exponent : exponent)
        digits.removeFirst(leadingZeros)
        while digits.last == zero {
            digits.removeLast()
        }
        return (digits, pointPosition)
    }

    /// Lays out digits `d1...dk` with point position `n` following the
    /// ECMAScript rules: plain notation for 1e-7 <= |v| < 1e21, exponential
    /// notation otherwise.
    static func appendDigits(_ digits: [UInt8], pointPosition n: Int, to output: inout [UInt8]) {
        let k = digits.count
        let zero = UInt8(ascii: "0")
        if k <= n && n <= 21 {
            output.append(contentsOf: digits)
            output.append(contentsOf: repeatElement(zero, count: n - k))
        } else if 0 < n && n <= 21 {
            output.append(contentsOf: digits[..<n])
            output.append(UInt8(ascii: "."))
            output.append(contentsOf: digits[n...])
        } else if -6 < n && n <= 0 {
            output.append(contentsOf: [zero, UInt8(ascii: ".")])
            output.append(contentsOf: repeatElement(zero, count: -n))
            output.append(contentsOf: digits)
        } else {
            output.append(digits[0])
            if k > 1 {
                output.append(UInt8(ascii: "."))
                output.append(contentsOf: digits[1...])
            }
            output.append(UInt8(ascii: "e"))
            output.append(n - 1 < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            output.append(contentsOf: String((n - 1).magnitude).utf8)
        }
    }
}
