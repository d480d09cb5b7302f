/// A 20-byte account or contract address.
public struct EthereumAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case missingPrefix
        case wrongLength(digits: Int)
        case notHex
        case badChecksum

        public var description: String {
            switch self {
            case .missingPrefix: "an address starts with 0x"
            case .wrongLength(let digits): "an address has 40 hex digits, not \(digits)"
            case .notHex: "an address is made of hex digits"
            case .badChecksum: "the address mixes upper and lower case but fails its EIP-55 checksum (a typo?)"
            }
        }
    }

    public let bytes: [UInt8]

    /// The address with these 20 bytes; nil for any other count.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 20 else { return nil }
        self.bytes = bytes
    }

    /// Parses "0x" and 40 hex digits. All-lowercase and all-uppercase digits carry no checksum;
    /// mixed case must be the EIP-55 spelling.
    public init(_ text: String) throws(ParseError) {
        guard let digits = EthereumHex.digitsAfterPrefix(text) else { throw .missingPrefix }
        guard digits.count == 40 else { throw .wrongLength(digits: digits.count) }
        guard let bytes = EthereumHex.decodeDigits(digits) else { throw .notHex }
        self.bytes = bytes
        let letters = digits.filter { $0 > UInt8(ascii: "9") }
        let isMixedCase = letters.contains { $0 >= UInt8(ascii: "a") } && letters.contains { $0 <= UInt8(ascii: "F") }
        if isMixedCase, String(decoding: digits, as: UTF8.self) != checksummedDigits { throw .badChecksum }
    }

    /// "0x" and lowercase digits, as JSON-RPC parameters and logs use them.
    public var lowercaseHex: String { EthereumHex.encode(bytes) }

    /// The EIP-55 mixed-case spelling, for people.
    public var description: String { "0x" + checksummedDigits }

    /// EIP-55: a letter is uppercase where the Keccak-256 of the lowercase digits has its
    /// matching nibble at 8 or above.
    private var checksummedDigits: String {
        let lowercase = Array(lowercaseHex.utf8.dropFirst(2))
        let hash = Keccak256.hash(lowercase)
        let digits = lowercase.enumerated().map { index, digit in
            let nibble = index % 2 == 0 ? hash[index / 2] >> 4 : hash[index / 2] & 0x0f
            return digit >= UInt8(ascii: "a") && nibble >= 8 ? digit - 32 : digit
        }
        return String(decoding: digits, as: UTF8.self)
    }

    /// Byte order, which is also the order of the lowercase hex: the oracle wants certificate
    /// signers ascending by address.
    public static func < (lhs: EthereumAddress, rhs: EthereumAddress) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
