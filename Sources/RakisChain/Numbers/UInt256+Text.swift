/// Decimal for people (amounts in logs and settings) and hex quantities for JSON-RPC.
extension UInt256: CustomStringConvertible, LosslessStringConvertible {
    /// Ten to the nineteenth, the largest power of ten in a `UInt64`: decimal goes in chunks of it.
    private static let decimalChunk: UInt64 = 10_000_000_000_000_000_000

    /// The decimal digits, without separators.
    public var description: String {
        var chunks: [UInt64] = []
        var rest = self
        repeat {
            let (quotient, remainder) = rest.quotientAndRemainder(dividingBy: Self.decimalChunk)
            chunks.append(remainder)
            rest = quotient
        } while rest != .zero
        var text = String(chunks.removeLast())
        for chunk in chunks.reversed() {
            let digits = String(chunk)
            text += String(repeating: "0", count: 19 - digits.count) + digits
        }
        return text
    }

    /// Parses decimal digits only (no sign, no separators); nil if empty, malformed or above 2^256 - 1.
    public init?(_ decimal: String) {
        guard !decimal.isEmpty else { return nil }
        var value = UInt256.zero
        for digit in decimal.utf8 {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = shifted.addingReportingOverflow(UInt256(UInt64(digit - UInt8(ascii: "0"))))
            guard !overflowA, !overflowB else { return nil }
            value = next
        }
        self = value
    }

    /// A JSON-RPC quantity: "0x" and the hex digits without leading zeros ("0x0" for zero).
    public var hexQuantity: String {
        let hex = EthereumHex.encode(minimalBigEndianBytes).dropFirst(2)
        let digits = hex.drop { $0 == "0" }
        return "0x" + String(digits.isEmpty ? "0" : digits)
    }

    /// Parses "0x" and 1 to 64 hex digits in either case. Leading zeros are accepted: nodes
    /// should not send them, but refusing them would gain nothing.
    public init?(hexQuantity text: String) {
        guard let digits = EthereumHex.digitsAfterPrefix(text), (1...64).contains(digits.count) else { return nil }
        let padded = [UInt8](repeating: UInt8(ascii: "0"), count: digits.count % 2) + digits
        guard let bytes = EthereumHex.decodeDigits(padded), let value = UInt256(bigEndian: bytes) else { return nil }
        self = value
    }
}

/// An amount of ether in wei (10^-18 ether).
public typealias Wei = UInt256
