public enum RLPError: Error, Equatable, CustomStringConvertible {
    case truncated
    case trailingBytes(count: Int)
    /// A length written in more bytes than needed, or a long form for a short payload: one value
    /// would have two encodings.
    case nonCanonicalLength
    /// A byte below 0x80 wrapped in a string prefix instead of standing alone.
    case nonCanonicalSingleByte
    case nestedTooDeep
    case expectedBytes
    case expectedList
    case integerWithLeadingZero
    case integerTooLarge

    public var description: String {
        switch self {
        case .truncated: "RLP data ends inside an item"
        case .trailingBytes(let count): "\(count) bytes follow the RLP item"
        case .nonCanonicalLength: "RLP length is not in its shortest form"
        case .nonCanonicalSingleByte: "RLP single byte below 0x80 carries a prefix"
        case .nestedTooDeep: "RLP lists are nested more than \(RLPItem.maximumDepth) deep"
        case .expectedBytes: "RLP item is a list where a byte string was expected"
        case .expectedList: "RLP item is a byte string where a list was expected"
        case .integerWithLeadingZero: "RLP integer has a leading zero byte"
        case .integerTooLarge: "RLP integer does not fit in 256 bits"
        }
    }
}

extension RLPItem {
    /// Deeper nesting is refused rather than recursed into (no Ethereum structure nests deeply).
    static let maximumDepth = 64

    /// Decodes exactly one canonical item that spans all of `data`.
    public init(decoding data: [UInt8]) throws(RLPError) {
        var position = 0
        self = try Self.readItem(data, at: &position, end: data.count, depth: 0)
        guard position == data.count else { throw .trailingBytes(count: data.count - position) }
    }

    /// The byte string of a `.bytes` item.
    public func byteString() throws(RLPError) -> [UInt8] {
        guard case .bytes(let bytes) = self else { throw .expectedBytes }
        return bytes
    }

    /// The items of a `.list` item.
    public func listItems() throws(RLPError) -> [RLPItem] {
        guard case .list(let items) = self else { throw .expectedList }
        return items
    }

    /// The unsigned integer of a `.bytes` item, which must be minimal (no leading zero).
    public func uintValue() throws(RLPError) -> UInt256 {
        let bytes = try byteString()
        guard bytes.first != 0 else { throw .integerWithLeadingZero }
        guard let value = UInt256(bigEndian: bytes) else { throw .integerTooLarge }
        return value
    }

    private static func readItem(_ data: [UInt8], at position: inout Int, end: Int, depth: Int) throws(RLPError) -> RLPItem {
        guard position < end else { throw .truncated }
        let prefix = data[position]
        position += 1
        switch prefix {
        case 0x00..<0x80:
            return .bytes([prefix])
        case 0x80..<0xc0:
            let length = try readLength(prefix: prefix, offset: 0x80, data, at: &position, end: end)
            let bytes = Array(data[position..<position + length])
            position += length
            if length == 1, bytes[0] < 0x80 { throw .nonCanonicalSingleByte }
            return .bytes(bytes)
        default:
            guard depth < maximumDepth else { throw .nestedTooDeep }
            let length = try readLength(prefix: prefix, offset: 0xc0, data, at: &position, end: end)
            let listEnd = position + length
            var items: [RLPItem] = []
            while position < listEnd {
                items.append(try readItem(data, at: &position, end: listEnd, depth: depth + 1))
            }
            return .list(items)
        }
    }

    /// Reads the payload length announced by `prefix` and checks the payload fits before `end`.
    private static func readLength(prefix: UInt8, offset: UInt8, _ data: [UInt8], at position: inout Int, end: Int) throws(RLPError) -> Int {
        let short = Int(prefix - offset)
        let length: Int
        if short < 56 {
            length = short
        } else {
            let lengthOfLength = short - 55
            guard end - position >= lengthOfLength else { throw .truncated }
            let lengthBytes = data[position..<position + lengthOfLength]
            position += lengthOfLength
            guard lengthBytes.first != 0 else { throw .nonCanonicalLength }
            // Anything beyond the data's own size is truncated anyway; stop before Int overflows.
            guard lengthOfLength <= 7 else { throw .truncated }
            length = lengthBytes.reduce(0) { $0 << 8 | Int($1) }
            guard length >= 56 else { throw .nonCanonicalLength }
        }
        guard end - position >= length else { throw .truncated }
        return length
    }
}
