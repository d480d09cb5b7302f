/// Head-and-tail encoding: every value of a tuple gets a head slot; a dynamic value's slot holds
/// the offset (from the tuple's start) of its encoding in the tail after all the heads.
enum ABIEncoder {
    static func encode(_ value: ABIValue, as type: ABIType) throws(ABIError) -> [UInt8] {
        switch (type, value) {
        case (.uint(let bits), .uint(let number)):
            guard number.significantBitCount <= bits else { throw .valueOutOfRange(type: type.canonicalName) }
            return number.bigEndianBytes
        case (.address, .address(let address)):
            return [UInt8](repeating: 0, count: 12) + address.bytes
        case (.bool, .bool(let flag)):
            return UInt256(flag ? 1 : 0).bigEndianBytes
        case (.fixedBytes(let count), .fixedBytes(let bytes)):
            guard bytes.count == count else { throw .valueOutOfRange(type: type.canonicalName) }
            return padded(bytes)
        case (.bytes, .bytes(let bytes)):
            return lengthWord(bytes.count) + padded(bytes)
        case (.string, .string(let text)):
            let bytes = Array(text.utf8)
            return lengthWord(bytes.count) + padded(bytes)
        case (.array(let element), .array(let elements)):
            let types = [ABIType](repeating: element, count: elements.count)
            return try lengthWord(elements.count) + encodeTuple(elements, as: types)
        case (.fixedArray(let element, let count), .array(let elements)):
            return try encodeTuple(elements, as: [ABIType](repeating: element, count: count))
        case (.tuple(let members), .tuple(let values)):
            return try encodeTuple(values, as: members)
        default:
            throw .typeMismatch(expected: type.canonicalName)
        }
    }

    private static func encodeTuple(_ values: [ABIValue], as types: [ABIType]) throws(ABIError) -> [UInt8] {
        guard values.count == types.count else { throw .countMismatch(expected: types.count, actual: values.count) }
        let headLength = types.reduce(0) { $0 + $1.headSize }
        var head: [UInt8] = []
        var tail: [UInt8] = []
        for (value, type) in zip(values, types) {
            let encoded = try encode(value, as: type)
            if type.isDynamic {
                head += lengthWord(headLength + tail.count)
                tail += encoded
            } else {
                head += encoded
            }
        }
        return head + tail
    }

    private static func lengthWord(_ length: Int) -> [UInt8] {
        UInt256(UInt64(length)).bigEndianBytes
    }

    /// Right-padded with zeros to a multiple of 32 bytes.
    private static func padded(_ bytes: [UInt8]) -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: (32 - bytes.count % 32) % 32)
    }
}
