/// Hex as Ethereum's JSON-RPC spells byte strings: "0x" followed by two digits a byte, in
/// either case (RakisCore's `Hex` is lowercase-only and unprefixed on purpose, for signed objects).
public enum EthereumHex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// "0x" and lowercase digits; "0x" alone for no bytes.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = Array("0x".utf8)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes of "0x…" with an even number of digits; nil for anything else.
    public static func decode(_ text: String) -> [UInt8]? {
        guard let digits = digitsAfterPrefix(text) else { return nil }
        return decodeDigits(digits)
    }

    /// Bytes from bare digits (even count, no prefix).
    static func decodeDigits(_ digits: some Collection<UInt8>) -> [UInt8]? {
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var iterator = digits.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let highValue = nibble(high), let lowValue = nibble(low) else { return nil }
            bytes.append(highValue << 4 | lowValue)
        }
        return bytes
    }

    /// The UTF-8 digits after a leading "0x", or nil when the prefix is missing.
    static func digitsAfterPrefix(_ text: String) -> ArraySlice<UInt8>? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "0"), utf8[1] == UInt8(ascii: "x") else { return nil }
        return utf8[2...]
    }

    static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
