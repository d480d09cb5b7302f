/// Decodes untrusted ABI data: every offset and length is checked against the data before use,
/// and values that the encoder could not have produced (dirty padding, bools other than 0 and 1)
/// are errors, never traps.
struct ABIDecoder {
    let data: [UInt8]
    /// Bytes claimed so far by array heads and byte strings. Offsets of a valid encoding never
    /// point at the same bytes twice, so this stays within the data; hostile offsets that reuse
    /// bytes to blow up the decoded size are caught when it does not.
    private var claimedBytes = 0

    init(data: [UInt8]) {
        self.data = data
    }

    /// The members of a tuple (or the elements of an array) whose heads start at `base`;
    /// offsets in their heads count from `base`.
    mutating func decodeTuple(_ types: [ABIType], at base: Int) throws(ABIError) -> [ABIValue] {
        var values: [ABIValue] = []
        values.reserveCapacity(types.count)
        var headPosition = base
        for type in types {
            if type.isDynamic {
                let offset = try readSize(at: headPosition)
                values.append(try decodeValue(type, at: position(base, plus: offset)))
            } else {
                values.append(try decodeValue(type, at: headPosition))
            }
            headPosition += type.headSize
        }
        return values
    }

    private mutating func decodeValue(_ type: ABIType, at position: Int) throws(ABIError) -> ABIValue {
        switch type {
        case .uint(let bits):
            let word = try readWord(at: position)
            let number = UInt256(bigEndian: word)!
            guard number.significantBitCount <= bits else { throw .invalidValue(type: type.canonicalName, offset: position) }
            return .uint(number)
        case .address:
            let word = try readWord(at: position)
            guard word.prefix(12).allSatisfy({ $0 == 0 }) else { throw .invalidValue(type: "address", offset: position) }
            return .address(EthereumAddress(bytes: Array(word.suffix(20)))!)
        case .bool:
            let word = try readWord(at: position)
            guard word.prefix(31).allSatisfy({ $0 == 0 }), word.last! <= 1 else { throw .invalidValue(type: "bool", offset: position) }
            return .bool(word.last! == 1)
        case .fixedBytes(let count):
            let word = try readWord(at: position)
            guard word.dropFirst(count).allSatisfy({ $0 == 0 }) else { throw .invalidValue(type: type.canonicalName, offset: position) }
            return .fixedBytes(Array(word.prefix(count)))
        case .bytes:
            return .bytes(try byteString(at: position))
        case .string:
            let bytes = try byteString(at: position)
            let text = String(decoding: bytes, as: UTF8.self)
            // Decoding replaces invalid sequences, so a round trip shows whether there were any.
            guard text.utf8.elementsEqual(bytes) else { throw .invalidUTF8(offset: position) }
            return .string(text)
        case .array(let element):
            let count = try readSize(at: position)
            let start = position + 32
            try claim(count: count, of: element.headSize, from: start)
            return .array(try decodeTuple([ABIType](repeating: element, count: count), at: start))
        case .fixedArray(let element, let count):
            return .array(try decodeTuple([ABIType](repeating: element, count: count), at: position))
        case .tuple(let members):
            return .tuple(try decodeTuple(members, at: position))
        }
    }

    /// A length-prefixed byte string (`bytes`, `string`); padding after it is not required.
    private mutating func byteString(at position: Int) throws(ABIError) -> [UInt8] {
        let length = try readSize(at: position)
        let start = position + 32
        try claim(count: length, of: 1, from: start)
        return Array(data[start..<start + length])
    }

    /// Checks that `count` items of `size` bytes fit in the data from `start`, and counts them
    /// against the data's size.
    private mutating func claim(count: Int, of size: Int, from start: Int) throws(ABIError) {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow, start <= data.count, bytes <= data.count - start else { throw .invalidOffset }
        claimedBytes += bytes
        guard claimedBytes <= data.count else { throw .overlappingData }
    }

    private func readWord(at position: Int) throws(ABIError) -> ArraySlice<UInt8> {
        guard position >= 0, position <= data.count - 32 else { throw .outOfBounds(offset: position + 32) }
        return data[position..<position + 32]
    }

    /// An offset or length word; anything beyond the data's size cannot be valid.
    private func readSize(at position: Int) throws(ABIError) -> Int {
        let word = try readWord(at: position)
        guard let size = UInt256(bigEndian: word)!.exactUInt64, size <= UInt64(data.count) else { throw .invalidOffset }
        return Int(size)
    }

    private func position(_ base: Int, plus offset: Int) throws(ABIError) -> Int {
        guard offset <= data.count - base else { throw .invalidOffset }
        return base + offset
    }
}
