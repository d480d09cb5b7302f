import RakisChain
import Testing

// Expected raw transactions and hashes from eth-account 0.14.0 (`Account.sign_transaction`)
// with the key of ChainKeyTests.
@Suite struct EIP1559TransactionTests {
    @Test func transferWithData() throws {
        let transaction = EIP1559Transaction(
            chainId: 11_155_111, nonce: 7, maxPriorityFeePerGas: 1_500_000_000, maxFeePerGas: 30_000_000_000,
            gasLimit: 250_000, to: try EthereumAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
            value: UInt256("1000000000000000001")!, data: [0xde, 0xad, 0xbe, 0xef])
        let signed = transaction.signed(by: ChainKeyTests.key)
        #expect(signed.rawBytes == hexBytes("""
            02f87b83aa36a7078459682f008506fc23ac008303d090945aaeb6053f3e94c9b9a09f33669435e7ef1beaed880de0b6b3a7640001
            84deadbeefc080a05fb9edd5c3e638ab57554c59b3e5cd58297a226360a48f262eb0dd58891c4feca05bc2237ff3e048295cfce2cf
            93c6b847f35f69504925c3ab6b1b9430105e959e
            """))
        #expect(signed.hash == hexBytes("ab9024b671ef7ecb046b09c1ebf1066d5167ee2ffaffe0a01f42aed2acbd49e5"))
        #expect(signed.rawHex.hasPrefix("0x02f87b"))
        #expect(try signed.signature.recoverAddress(digest: transaction.signingHash) == ChainKeyTests.key.address)
    }

    /// No recipient (contract creation), zero nonce and tip, a fee above 64 bits, odd y parity.
    @Test func contractCreation() throws {
        let transaction = EIP1559Transaction(
            chainId: 1, nonce: 0, maxPriorityFeePerGas: .zero,
            maxFeePerGas: UInt256(bigEndian: [0x80] + [UInt8](repeating: 0, count: 31))!,
            gasLimit: 1_000_000, to: nil, value: .zero, data: (0..<100).map { UInt8($0) })
        let signed = transaction.signed(by: ChainKeyTests.key)
        #expect(signed.rawBytes == hexBytes("""
            02f8d4018080a08000000000000000000000000000000000000000000000000000000000000000830f42408080b864000102030405
            060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30313233343536373839
            3a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60616263c001a07da17ada7850a3
            00e27d0c71b95bb070513c800b9e14b5c15b0067a537e68960a004b2a73f1c319d090604a2521b6a9a1379e3ae296ecbd3011337
            79482b26ed80
            """))
        #expect(signed.hash == hexBytes("68e28be48cde94688e4157484a74d330b49410db7266b0b9837f52800b975777"))
        let fields = try RLPItem(decoding: Array(signed.rawBytes.dropFirst())).listItems()
        #expect(fields.count == 12)
        #expect(try fields[5].byteString() == [])
        #expect(try fields[9].uintValue() == 1)
    }
}
