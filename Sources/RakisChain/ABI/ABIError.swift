public enum ABIError: Error, Equatable, CustomStringConvertible {
    case malformedType(String)
    /// Encoding: the value is not of the type's kind.
    case typeMismatch(expected: String)
    /// Encoding: too many bits for `uintN`, or a `bytesN` value of another length.
    case valueOutOfRange(type: String)
    /// Encoding: a tuple or fixed array given the wrong number of values.
    case countMismatch(expected: Int, actual: Int)
    /// Decoding: a read past the end of the data, at this byte offset.
    case outOfBounds(offset: Int)
    /// Decoding: an offset or length too large to address the data.
    case invalidOffset
    /// Decoding: a word that is not a valid value of the type (dirty padding, bool above 1...).
    case invalidValue(type: String, offset: Int)
    case invalidUTF8(offset: Int)
    /// Decoding: offsets that make parts of the data count more than once (an "ABI bomb").
    case overlappingData

    public var description: String {
        switch self {
        case .malformedType(let name): "ABI type \(name) does not exist"
        case .typeMismatch(let expected): "ABI value is not a \(expected)"
        case .valueOutOfRange(let type): "ABI value does not fit in \(type)"
        case .countMismatch(let expected, let actual): "ABI expected \(expected) values, got \(actual)"
        case .outOfBounds(let offset): "ABI data ends before byte \(offset)"
        case .invalidOffset: "ABI offset or length points beyond the data"
        case .invalidValue(let type, let offset): "ABI word at byte \(offset) is not a valid \(type)"
        case .invalidUTF8(let offset): "ABI string at byte \(offset) is not UTF-8"
        case .overlappingData: "ABI data reuses the same bytes for several values"
        }
    }
}
