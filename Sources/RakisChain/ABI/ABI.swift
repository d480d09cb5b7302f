/// The Solidity contract ABI: argument encoding, function selectors and event topics.
public enum ABI {
    /// Encodes values as the ABI encodes a function's arguments (`abi.encode`): as one tuple.
    public static func encode(_ values: [ABIValue], as types: [ABIType]) throws(ABIError) -> [UInt8] {
        for type in types where !type.isWellFormed { throw .malformedType(type.canonicalName) }
        return try ABIEncoder.encode(.tuple(values), as: .tuple(types))
    }

    /// Decodes a function's arguments or return values, or an event's data.
    public static func decode(_ types: [ABIType], from data: [UInt8]) throws(ABIError) -> [ABIValue] {
        for type in types where !type.isWellFormed { throw .malformedType(type.canonicalName) }
        var decoder = ABIDecoder(data: data)
        return try decoder.decodeTuple(types, at: 0)
    }

    /// The first four bytes of the Keccak-256 of a signature such as `transfer(address,uint256)`.
    public static func selector(_ signature: String) -> [UInt8] {
        Array(Keccak256.hash(signature.utf8).prefix(4))
    }

    /// Topic 0 of an event's logs: the Keccak-256 of its signature.
    public static func eventTopic(_ signature: String) -> [UInt8] {
        Keccak256.hash(signature.utf8)
    }

    /// Call data: the selector of `signature` followed by the encoded arguments.
    public static func encodeCall(_ signature: String, _ values: [ABIValue], as types: [ABIType]) throws(ABIError) -> [UInt8] {
        try selector(signature) + encode(values, as: types)
    }
}
