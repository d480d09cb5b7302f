import RakisChain
import Testing

@Suite struct EthereumAddressTests {
    // EIP-55's own examples; eth-utils 6.0.0 `to_checksum_address` agrees.
    static let checksummed = [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ]

    @Test(arguments: checksummed) func checksumRoundTrip(text: String) throws {
        let address = try EthereumAddress(text)
        #expect(address.description == text)
        #expect(address.lowercaseHex == text.lowercased())
        #expect(try EthereumAddress(text.lowercased()) == address)
        #expect(try EthereumAddress("0x" + text.dropFirst(2).uppercased()) == address)
    }

    @Test func rejectsTyposAndMalformedText() {
        #expect(throws: EthereumAddress.ParseError.badChecksum) { try EthereumAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD") }
        #expect(throws: EthereumAddress.ParseError.missingPrefix) { try EthereumAddress("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed") }
        #expect(throws: EthereumAddress.ParseError.wrongLength(digits: 38)) { try EthereumAddress("0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea") }
        #expect(throws: EthereumAddress.ParseError.notHex) { try EthereumAddress("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beazz") }
        #expect(EthereumAddress(bytes: [UInt8](repeating: 1, count: 19)) == nil)
    }

    @Test func ordersByBytes() throws {
        let low = try EthereumAddress("0x0000000000000000000000000000000000000001")
        let high = try EthereumAddress("0xff00000000000000000000000000000000000000")
        #expect(low < high)
        #expect([high, low].sorted() == [low, high])
    }
}
