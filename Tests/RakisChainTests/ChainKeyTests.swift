import RakisChain
import Testing

// Expected addresses and signatures from eth-account 0.14.0 (`Account.from_key`,
// `Account.unsafe_sign_hash`), which signs with an RFC 6979 nonce like libsecp256k1.
@Suite struct ChainKeyTests {
    static let secretHex = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
    static let key = try! ChainKey(hex: secretHex)
    /// keccak256("rakis test digest").
    static let digest = hexBytes("463da45e824d0f177eb412402ae17e04156cb5766b38eca7a655ed23ad97193f")
    static let referenceSignature = hexBytes("""
        517bd2584f62c3c865ce1513ae17ac8525987c89fdd0af60f07e56c8aae86a1c
        3b1fcab9b799e50147642f15b65a2f9c8d967878689717d0d88059ff89eb5e56
        1b
        """)
    static let groupOrder = UInt256(hexQuantity: "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")!

    @Test func addressOfAKnownKey() throws {
        #expect(Self.key.address.description == "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23")
        #expect(try ChainKey(hex: String(Self.secretHex.dropFirst(2))).address == Self.key.address)
        #expect(Self.key.secretHex == Self.secretHex)
    }

    @Test func rejectsInvalidSecrets() {
        #expect(throws: ChainKey.Error.invalidSecret) { try ChainKey(secret: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: ChainKey.Error.invalidSecret) { try ChainKey(secret: Self.groupOrder.bigEndianBytes) }
        #expect(throws: ChainKey.Error.invalidSecret) { try ChainKey(secret: [1]) }
        #expect(throws: ChainKey.Error.invalidSecret) { try ChainKey(hex: "0xnot-hex") }
    }

    @Test func generatedKeysAreDistinctAndReload() throws {
        let first = ChainKey.generate()
        let second = ChainKey.generate()
        #expect(first.address != second.address)
        #expect(try ChainKey(hex: first.secretHex).address == first.address)
    }

    @Test func signsLikeTheReference() throws {
        let signature = Self.key.sign(digest: Self.digest)
        #expect(signature.rsv == Self.referenceSignature)
        #expect(signature.v == 27)
        #expect(try signature.recoverAddress(digest: Self.digest) == Self.key.address)
    }

    @Test func recoversTheReferenceSignature() throws {
        let signature = try RecoverableSignature(rsv: Self.referenceSignature)
        #expect(try signature.recoverAddress(digest: Self.digest) == Self.key.address)
        let otherDigest = Keccak256.hash("something else".utf8)
        #expect(try signature.recoverAddress(digest: otherDigest) != Self.key.address)
    }

    @Test func signRecoverRoundTrip() throws {
        for index in 0..<20 {
            let key = ChainKey.generate()
            let digest = Keccak256.hash([UInt8(index)])
            let signature = try RecoverableSignature(rsv: key.sign(digest: digest).rsv)
            #expect(try signature.recoverAddress(digest: digest) == key.address)
        }
    }

    @Test func parserRejectsWhatEcrecoverWouldMisread() throws {
        let r = Array(Self.referenceSignature[0..<32])
        let s = Array(Self.referenceSignature[32..<64])
        #expect(throws: RecoverableSignature.Error.wrongLength(64)) { try RecoverableSignature(rsv: Array(Self.referenceSignature.prefix(64))) }
        #expect(throws: RecoverableSignature.Error.invalidV(0)) { try RecoverableSignature(r: r, s: s, v: 0) }
        #expect(throws: RecoverableSignature.Error.invalidV(29)) { try RecoverableSignature(r: r, s: s, v: 29) }
        // The same signature with s replaced by n - s (and the parity flipped) also verifies,
        // which is why only the low half is accepted.
        let highS = (Self.groupOrder - UInt256(bigEndian: s)!).bigEndianBytes
        #expect(throws: RecoverableSignature.Error.highS) { try RecoverableSignature(r: r, s: highS, v: 28) }
        #expect(throws: RecoverableSignature.Error.invalidScalar) { try RecoverableSignature(r: Self.groupOrder.bigEndianBytes, s: s, v: 27) }
        #expect(throws: RecoverableSignature.Error.invalidScalar) { try RecoverableSignature(r: r, s: [UInt8](repeating: 0, count: 32), v: 27) }
    }
}
