/// Ethereum's recursive length prefix encoding: an item is a byte string or a list of items,
/// and nothing else (integers are big-endian byte strings without leading zeros).
public indirect enum RLPItem: Sendable, Hashable {
    case bytes([UInt8])
    case list([RLPItem])

    /// An unsigned integer: minimal big-endian bytes, so zero is the empty string.
    public static func uint(_ value: UInt256) -> RLPItem {
        .bytes(value.minimalBigEndianBytes)
    }

    public static func uint(_ value: UInt64) -> RLPItem {
        .uint(UInt256(value))
    }

    public var encoded: [UInt8] {
        var output: [UInt8] = []
        append(to: &output)
        return output
    }

    private func append(to output: inout [UInt8]) {
        switch self {
        case .bytes(let bytes):
            // A single byte below 0x80 is its own encoding.
            if bytes.count == 1, bytes[0] < 0x80 {
                output.append(bytes[0])
            } else {
                Self.appendPrefix(offset: 0x80, length: bytes.count, to: &output)
                output += bytes
            }
        case .list(let items):
            var payload: [UInt8] = []
            for item in items { item.append(to: &payload) }
            Self.appendPrefix(offset: 0xc0, length: payload.count, to: &output)
            output += payload
        }
    }

    /// Short payloads (under 56 bytes) put their length in the prefix byte; longer ones put the
    /// length of their big-endian length there, then the length itself.
    private static func appendPrefix(offset: UInt8, length: Int, to output: inout [UInt8]) {
        if length < 56 {
            output.append(offset + UInt8(length))
        } else {
            let lengthBytes = UInt256(UInt64(length)).minimalBigEndianBytes
            output.append(offset + 55 + UInt8(lengthBytes.count))
            output += lengthBytes
        }
    }
}
