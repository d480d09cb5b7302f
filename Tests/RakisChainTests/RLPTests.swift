import RakisChain
import Testing

// Expected encodings are the RLP spec's examples, checked against the rlp 5.0.0 package.
@Suite struct RLPTests {
    static let lorem = Array("Lorem ipsum dolor sit amet, consectetur adipisicing elit".utf8)

    static let loremHex = String(EthereumHex.encode(lorem).dropFirst(2))

    static let examples: [(RLPItem, String)] = [
        (.bytes(Array("dog".utf8)), "83646f67"),
        (.list([.bytes(Array("cat".utf8)), .bytes(Array("dog".utf8))]), "c88363617483646f67"),
        (.bytes([]), "80"),
        (.list([]), "c0"),
        (.uint(UInt64(0)), "80"),
        (.uint(UInt64(15)), "0f"),
        (.uint(UInt64(1024)), "820400"),
        (.uint(UInt256.max), "a0" + String(repeating: "ff", count: 32)),
        // The set-theoretic representation of three: [ [], [[]], [ [], [[]] ] ].
        (.list([.list([]), .list([.list([])]), .list([.list([]), .list([.list([])])])]), "c7c0c1c0c3c0c1c0"),
        (.bytes(lorem), "b838" + loremHex),
        (.list([.bytes(lorem), .bytes(Array("x".utf8))]), "f83bb838" + loremHex + "78"),
    ]

    @Test(arguments: 0..<examples.count) func encodesAndDecodesSpecExample(index: Int) throws {
        let (item, hex) = Self.examples[index]
        #expect(item.encoded == hexBytes(hex))
        #expect(try RLPItem(decoding: hexBytes(hex)) == item)
    }

    @Test func integersReadBack() throws {
        #expect(try RLPItem(decoding: hexBytes("820400")).uintValue() == 1024)
        #expect(try RLPItem(decoding: hexBytes("80")).uintValue() == .zero)
        #expect(throws: RLPError.integerWithLeadingZero) { try RLPItem.bytes([0, 1]).uintValue() }
        #expect(throws: RLPError.expectedBytes) { try RLPItem.list([]).uintValue() }
        #expect(throws: RLPError.expectedList) { try RLPItem.bytes([]).listItems() }
    }

    @Test func rejectsMalformedData() {
        #expect(throws: RLPError.truncated) { try RLPItem(decoding: []) }
        #expect(throws: RLPError.truncated) { try RLPItem(decoding: hexBytes("83646f")) }
        #expect(throws: RLPError.truncated) { try RLPItem(decoding: hexBytes("c88363617483646f")) }
        #expect(throws: RLPError.truncated) { try RLPItem(decoding: hexBytes("bfffffffffffffffff")) }
        #expect(throws: RLPError.trailingBytes(count: 1)) { try RLPItem(decoding: hexBytes("8364 6f67 00")) }
        #expect(throws: RLPError.nonCanonicalSingleByte) { try RLPItem(decoding: hexBytes("8105")) }
        #expect(throws: RLPError.nonCanonicalLength) { try RLPItem(decoding: hexBytes("b803646f67")) }
        #expect(throws: RLPError.nonCanonicalLength) { try RLPItem(decoding: hexBytes("b9003a") + Self.lorem + [0x21, 0x21]) }
        // A list item must end where its list ends.
        #expect(throws: RLPError.truncated) { try RLPItem(decoding: hexBytes("c283646f67")) }
    }

    @Test func refusesDeepNesting() {
        var deep = RLPItem.list([])
        for _ in 0..<100 { deep = .list([deep]) }
        #expect(throws: RLPError.nestedTooDeep) { try RLPItem(decoding: deep.encoded) }
    }
}
