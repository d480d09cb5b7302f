import RakisChain
import Testing

// Expected values from eth-abi 6.0.0 (`encode`), eth-utils 6.0.0 (`keccak`) and eth-account
// 0.14.0 (`encode_defunct(primitive=...)`, `Account.sign_message`) with the key of
// ChainKeyTests: what the oracle contract's ecrecover check computes.
@Suite struct OracleDigestTests {
    static let commitments = [UInt8(1), 2, 3].map { [UInt8](repeating: $0, count: 32) }

    @Test func commitmentSetHash() {
        #expect(OracleDigest.commitmentSetHash(commitments: Self.commitments)
            == hexBytes("0918b65016ec47e1613e6629a797fb3685353e3b8101d0e5250ab52e53f27b88"))
    }

    @Test func fulfilmentDigestAndSignature() throws {
        let digest = OracleDigest.fulfilmentDigest(
            chainId: 11_155_111, oracle: try EthereumAddress("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB"),
            requestId: 42, output: "Paris", commitmentSetHash: OracleDigest.commitmentSetHash(commitments: Self.commitments))
        #expect(digest == hexBytes("40622fcf167af439940f4b9915cc4ba01bd9340357e3af9bee8f1ba1a59dc3ea"))
        let signed = EthereumMessage.personalHash(digest)
        #expect(signed == hexBytes("f76263c0073995331c44e8d20e17fd42601fcfc55da52f27fdee745a70c97986"))
        let signature = ChainKeyTests.key.sign(digest: signed)
        #expect(signature.rsv == hexBytes("""
            0368ab4bd4681a8e9df985058db66d08b0237512b1baf91849646b05ff6665ec
            322a011b4b8e93df7b609e3cdd297c2b0cc76012ef1acfb2432131711640b5ea
            1c
            """))
        #expect(try signature.recoverAddress(digest: signed) == ChainKeyTests.key.address)
    }

    @Test func linkMessageAndSignature() throws {
        let message = OracleDigest.linkMessage(nodeId: (0..<32).map { UInt8($0) })
        #expect(message == hexBytes("b5954e54db9a432116f99693127dd585c3f698ecd32e998e283816b3c1d3605e"))
        let signed = EthereumMessage.personalHash(message)
        #expect(signed == hexBytes("e3aec9256531757fda1b603443e9e1e315471e330b2b94c35a583f287ff2ad5b"))
        #expect(ChainKeyTests.key.sign(digest: signed).rsv == hexBytes("""
            38b4b7788586005730768454281ce8312e85cb35cd2a4597f0a4b8957c18cfda
            1faf9f2363729e2971083232d511e393dccfc9d054b8df381db9c4b9ad031742
            1b
            """))
    }
}
