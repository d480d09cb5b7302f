import RakisChain
import Testing

// Expected encodings from eth-abi 6.0.0 (`eth_abi.encode`), selectors and topics from
// eth-utils 6.0.0 (`keccak`).
@Suite struct ABITests {
    static let address = try! EthereumAddress("0x2c7536E3605D9C16a7a3D7b1898e529396a65c23")

    /// The oracle's `fulfill` arguments: request id, output, certificate (commitment-set hash and
    /// (v, r, s) signatures).
    static let fulfilTypes: [ABIType] = [
        .uint(bits: 256), .string,
        .tuple([.fixedBytes(32), .array(.tuple([.uint(bits: 8), .fixedBytes(32), .fixedBytes(32)]))]),
    ]
    static let fulfilSignature = "fulfill(uint256,string,(bytes32,(uint8,bytes32,bytes32)[]))"

    static func signature(v: UInt64, r: UInt8, s: UInt8) -> ABIValue {
        .tuple([.uint(UInt256(v)), .fixedBytes([UInt8](repeating: r, count: 32)), .fixedBytes([UInt8](repeating: s, count: 32))])
    }

    static let fulfilValues: [ABIValue] = [
        .uint(42), .string("Paris"),
        .tuple([
            .fixedBytes([UInt8](repeating: 0xab, count: 32)),
            .array([signature(v: 27, r: 0x11, s: 0x22), signature(v: 28, r: 0x33, s: 0x44)]),
        ]),
    ]

    /// Encodes, compares with the reference, decodes back.
    func expectRoundTrip(_ values: [ABIValue], _ types: [ABIType], _ expectedHex: String) throws {
        let encoded = try ABI.encode(values, as: types)
        #expect(encoded == hexBytes(expectedHex))
        #expect(try ABI.decode(types, from: encoded) == values)
    }

    @Test func staticValues() throws {
        try expectRoundTrip(
            [.uint(1), .address(Self.address), .bool(true), .fixedBytes((0..<32).map { UInt8($0) }), .uint(255)],
            [.uint(bits: 256), .address, .bool, .fixedBytes(32), .uint(bits: 8)],
            """
            0000000000000000000000000000000000000000000000000000000000000001
            0000000000000000000000002c7536e3605d9c16a7a3d7b1898e529396a65c23
            0000000000000000000000000000000000000000000000000000000000000001
            000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
            00000000000000000000000000000000000000000000000000000000000000ff
            """)
    }

    @Test func dynamicString() throws {
        try expectRoundTrip(
            [.string("hello")], [.string],
            """
            0000000000000000000000000000000000000000000000000000000000000020
            0000000000000000000000000000000000000000000000000000000000000005
            68656c6c6f000000000000000000000000000000000000000000000000000000
            """)
    }

    @Test func arrayOfStrings() throws {
        try expectRoundTrip(
            [.array([.string("a"), .string("bc")])], [.array(.string)],
            """
            0000000000000000000000000000000000000000000000000000000000000020
            0000000000000000000000000000000000000000000000000000000000000002
            0000000000000000000000000000000000000000000000000000000000000040
            0000000000000000000000000000000000000000000000000000000000000080
            0000000000000000000000000000000000000000000000000000000000000001
            6100000000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000002
            6263000000000000000000000000000000000000000000000000000000000000
            """)
    }

    @Test func bytesAndStaticFixedArray() throws {
        try expectRoundTrip(
            [.bytes([1, 2, 3]), .array([.uint(1), .uint(2), .uint(3)])], [.bytes, .fixedArray(.uint(bits: 8), 3)],
            """
            0000000000000000000000000000000000000000000000000000000000000080
            0000000000000000000000000000000000000000000000000000000000000001
            0000000000000000000000000000000000000000000000000000000000000002
            0000000000000000000000000000000000000000000000000000000000000003
            0000000000000000000000000000000000000000000000000000000000000003
            0102030000000000000000000000000000000000000000000000000000000000
            """)
    }

    @Test func fixedArrayOfTuplesWithDynamicMembers() throws {
        try expectRoundTrip(
            [.array([.tuple([.uint(7), .string("x")]), .tuple([.uint(8), .string("yz")])])],
            [.fixedArray(.tuple([.uint(bits: 64), .string]), 2)],
            """
            0000000000000000000000000000000000000000000000000000000000000020
            0000000000000000000000000000000000000000000000000000000000000040
            00000000000000000000000000000000000000000000000000000000000000c0
            0000000000000000000000000000000000000000000000000000000000000007
            0000000000000000000000000000000000000000000000000000000000000040
            0000000000000000000000000000000000000000000000000000000000000001
            7800000000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000008
            0000000000000000000000000000000000000000000000000000000000000040
            0000000000000000000000000000000000000000000000000000000000000002
            797a000000000000000000000000000000000000000000000000000000000000
            """)
    }

    @Test func fulfilCall() throws {
        let call = try ABI.encodeCall(Self.fulfilSignature, Self.fulfilValues, as: Self.fulfilTypes)
        #expect(call == hexBytes("""
            39843239
            000000000000000000000000000000000000000000000000000000000000002a
            0000000000000000000000000000000000000000000000000000000000000060
            00000000000000000000000000000000000000000000000000000000000000a0
            0000000000000000000000000000000000000000000000000000000000000005
            5061726973000000000000000000000000000000000000000000000000000000
            abababababababababababababababababababababababababababababababab
            0000000000000000000000000000000000000000000000000000000000000040
            0000000000000000000000000000000000000000000000000000000000000002
            000000000000000000000000000000000000000000000000000000000000001b
            1111111111111111111111111111111111111111111111111111111111111111
            2222222222222222222222222222222222222222222222222222222222222222
            000000000000000000000000000000000000000000000000000000000000001c
            3333333333333333333333333333333333333333333333333333333333333333
            4444444444444444444444444444444444444444444444444444444444444444
            """))
        #expect(try ABI.decode(Self.fulfilTypes, from: Array(call.dropFirst(4))) == Self.fulfilValues)
    }

    /// The data of a `Requested` event, as the oracle emits it (the two indexed fields are topics).
    @Test func decodesRequestedEventData() throws {
        let types: [ABIType] = [
            .string, .array(.string), .uint(bits: 32), .uint(bits: 16), .uint(bits: 8), .uint(bits: 16),
            .uint(bits: 16), .uint(bits: 64), .address, .uint(bits: 256),
        ]
        let data = hexBytes("""
            0000000000000000000000000000000000000000000000000000000000000140
            0000000000000000000000000000000000000000000000000000000000000180
            0000000000000000000000000000000000000000000000000000000000000040
            00000000000000000000000000000000000000000000000000000000000002bc
            0000000000000000000000000000000000000000000000000000000000000003
            00000000000000000000000000000000000000000000000000000000000009c4
            00000000000000000000000000000000000000000000000000000000000019c8
            000000000000000000000000000000000000000000000000000000006955b900
            0000000000000000000000002c7536e3605d9c16a7a3d7b1898e529396a65c23
            000000000000000000000000000000000000000000000000002386f26fc10000
            000000000000000000000000000000000000000000000000000000000000001e
            5768617420697320746865206361706974616c206f66204672616e63653f0000
            0000000000000000000000000000000000000000000000000000000000000002
            0000000000000000000000000000000000000000000000000000000000000040
            0000000000000000000000000000000000000000000000000000000000000080
            000000000000000000000000000000000000000000000000000000000000000c
            6c6c616d612d332e322d31620000000000000000000000000000000000000000
            000000000000000000000000000000000000000000000000000000000000000c
            7177656e322e352d302e35620000000000000000000000000000000000000000
            """)
        let values = try ABI.decode(types, from: data)
        #expect(values[0].stringValue == "What is the capital of France?")
        #expect(values[1].elements?.compactMap(\.stringValue) == ["llama-3.2-1b", "qwen2.5-0.5b"])
        #expect(values[2...7].compactMap(\.uintValue?.exactUInt64) == [64, 700, 3, 2500, 6600, 1_767_225_600])
        #expect(values[8].addressValue == Self.address)
        #expect(values[9].uintValue == UInt256("10000000000000000"))
        #expect(try ABI.encode(values, as: types) == data)
    }

    @Test func selectorsAndTopics() {
        #expect(ABI.selector("transfer(address,uint256)") == hexBytes("a9059cbb"))
        #expect(ABI.selector(Self.fulfilSignature) == hexBytes("39843239"))
        #expect(ABIType.tuple(Self.fulfilTypes).canonicalName == "(uint256,string,(bytes32,(uint8,bytes32,bytes32)[]))")
        #expect(ABI.eventTopic("Transfer(address,address,uint256)")
            == hexBytes("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"))
        #expect(ABI.eventTopic("Requested(uint256,address,string,string[],uint32,uint16,uint8,uint16,uint16,uint64,address,uint256)")
            == hexBytes("015c40db818585521e9105c536fcfd4660e2f6e9222bc96ea9bd5d71e7aa847e"))
    }

    @Test func encodingRejectsValuesThatDoNotFit() {
        #expect(throws: ABIError.valueOutOfRange(type: "uint8")) { try ABI.encode([.uint(256)], as: [.uint(bits: 8)]) }
        #expect(throws: ABIError.valueOutOfRange(type: "bytes32")) { try ABI.encode([.fixedBytes([1])], as: [.fixedBytes(32)]) }
        #expect(throws: ABIError.typeMismatch(expected: "string")) { try ABI.encode([.uint(1)], as: [.string]) }
        #expect(throws: ABIError.countMismatch(expected: 2, actual: 1)) { try ABI.encode([.uint(1)], as: [.uint(bits: 8), .bool]) }
        #expect(throws: ABIError.countMismatch(expected: 3, actual: 1)) {
            try ABI.encode([.array([.uint(1)])], as: [.fixedArray(.uint(bits: 8), 3)])
        }
        #expect(throws: ABIError.malformedType("uint7")) { try ABI.encode([.uint(1)], as: [.uint(bits: 7)]) }
    }
}
