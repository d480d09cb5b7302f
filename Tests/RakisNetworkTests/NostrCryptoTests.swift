import Testing
import RakisCore
@testable import RakisNetwork

/// Hex in either case, as the BIP-340 vector file writes it.
private func bytes(_ hex: String) -> [UInt8] { Hex.decode(hex.lowercased())! }

@Suite struct NostrCryptoTests {
    /// BIP-340 signing vectors 0-3 (bip-0340/test-vectors.csv): secret key, public key,
    /// aux_rand, message, signature.
    /// BIP-340 signing vectors 0-3 (bip-0340/test-vectors.csv, final version with even-y
    /// nonces): secret key, public key, aux_rand, message, signature.
    static let signingVectors: [(String, String, String, String, String)] = [
        ("0000000000000000000000000000000000000000000000000000000000000003",
         "F9308A019258C31049344F85F89D5229B531C845836F99B08601F113BCE036F9",
         "0000000000000000000000000000000000000000000000000000000000000000",
         "0000000000000000000000000000000000000000000000000000000000000000",
         "E907831F80848D1069A5371B402410364BDF1C5F8307B0084C55F1CE2DCA821525F66A4A85EA8B71E482A74F382D2CE5EBEEE8FDB2172F477DF4900D310536C0"),
        ("B7E151628AED2A6ABF7158809CF4F3C762E7160F38B4DA56A784D9045190CFEF",
         "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659",
         "0000000000000000000000000000000000000000000000000000000000000001",
         "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
         "6896BD60EEAE296DB48A229FF71DFE071BDE413E6D43F917DC8DCF8C78DE33418906D11AC976ABCCB20B091292BFF4EA897EFCB639EA871CFA95F6DE339E4B0A"),
        ("C90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B14E5C9",
         "DD308AFEC5777E13121FA72B9CC1B7CC0139715309B086C960E18FD969774EB8",
         "C87AA53824B4D7AE2EB035A2B5BBBCCC080E76CDC6D1692C4B0B62D798E6D906",
         "7E2D58D8B3BCDF1ABADEC7829054F90DDA9805AAB56C77333024B9D0A508B75C",
         "5831AAEED7B44BB74E5EAB94BA9D4294C49BCF2A60728D8B4C200F50DD313C1BAB745879A5AD954A72C45A91C3A51D3C7ADEA98D82F8481E0E1E03674A6F3FB7"),
        ("0B432B2677937381AEF05BB02A66ECD012773062CF3FA2549E44F58ED2401710",
         "25D1DFF95105F5253C4022F628A996AD3A0D95FBF21D468A1B33F8C160D8F517",
         "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
         "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
         "7EB0509757E246F19449885651611CB965ECC1A187DD51B64FDA1EDC9637D5EC97582B9CB13DB3933705B32BA982AF5AF25FD78881EBB32771FC5922EFC66EA3"),
    ]

    /// BIP-340 verification vectors 4-14: public key, message, signature, expected result.
    static let verificationVectors: [(String, String, String, Bool)] = [
        ("D69C3509BB99E412E68B0FE8544E72837DFA30746D8BE2AA65975F29D22DC7B9",
         "4DF3C3F68FCC83B27E9D42C90431A72499F17875C81A599B566C9889B9696703",
         "00000000000000000000003B78CE563F89A0ED9414F5AA28AD0D96D6795F9C6376AFB1548AF603B3EB45C9F8207DEE1060CB71C04E80F593060B07D28308D7F4", true),
        // public key not on the curve
        ("EEFDEA4CDB677750A420FEE807EACF21EB9898AE79B9768766E4FAA04A2D4A34",
         "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
         "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E17776969E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B", false),
        // R has an odd y
        ("DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659",
         "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
         "FFF97BD5755EEEA420453A14355235D382F6472F8568A18B2F057A14602975563CC27944640AC607CD107AE10923D9EF7A73C643E166BE5EBEAFA34B1AC553E2", false),
        // negated message
        ("DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659",
         "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
         "1FA62E331EDBC21C394792D2AB1100A7B432B013DF3F6FF4F99FCB33E0E1515F28890B3EDB6E7189B630448B515CE4F8622A954CFE545735AAEA5134FCCDB2BD", false),
        // negated s
        ("DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659",
         "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
         "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E177769961764B3AA9B2FFCB6EF947B6887A226E8D7C93E00C5ED0C1834FF0D0C2E6DA6", false),
        // sG - eP is infinite (x(inf) taken as 0)
        ("DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659",
         "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
         "0000000000000000000000000000000000000000000000000000000000000000123DDA8328AF9C23A94C1FEECFD123BA4FB73476F0D594DCB65C6425BD186051", false),
        // sG - eP is infinite (x(inf) taken as 1)
        ("DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659",
         "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
         "00000000000000000000000000000000000000000000000000000000000000017615FBAF5AE28864013C099742DEADB4DBA87F11AC6754F93780D5A1837CF197", false),
        // sig[0:32] is not an x coordinate on the curve
        ("DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659",
         "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
         "4A298DACAE57395A15D0795DDBFD1DCB564DA82B0F269BC70A74F8220429BA1D69E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B", false),
        // sig[0:32] is the field size
        ("DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659",
         "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
         "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F69E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B", false),
        // sig[32:64] is the curve order
        ("DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659",
         "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
         "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E177769FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", false),
        // public key exceeds the field size
        ("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC30",
         "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89",
         "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E17776969E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B", false),
    ]

    @Test func signingVectorsGiveTheirKeysAndSignatures() throws {
        for (secret, publicKey, aux, message, signature) in Self.signingVectors {
            let key = try NostrKey(secret: bytes(secret))
            #expect(key.publicKey == bytes(publicKey))
            #expect(key.sign(bytes(message), auxiliaryRandomness: bytes(aux)) == bytes(signature))
            #expect(Schnorr.verify(signature: bytes(signature), message: bytes(message), publicKey: bytes(publicKey)))
        }
    }

    @Test func verificationVectorsHaveTheirResults() {
        for (index, (publicKey, message, signature, valid)) in Self.verificationVectors.enumerated() {
            #expect(Schnorr.verify(signature: bytes(signature), message: bytes(message), publicKey: bytes(publicKey)) == valid,
                    "BIP-340 vector \(index + 4)")
        }
    }

    @Test func freshSignaturesVerifyAndDiffer() throws {
        let key = try NostrKey(secret: bytes(Self.signingVectors[1].0))
        let message = [UInt8](repeating: 7, count: 32)
        let first = key.sign(message), second = key.sign(message)
        #expect(first != second, "fresh auxiliary randomness gives a fresh nonce")
        #expect(Schnorr.verify(signature: first, message: message, publicKey: key.publicKey))
        #expect(Schnorr.verify(signature: second, message: message, publicKey: key.publicKey))
        #expect(!Schnorr.verify(signature: first, message: [UInt8](repeating: 8, count: 32), publicKey: key.publicKey))
    }

    @Test func invalidSecretsAreRefused() {
        let order = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"
        for secret in [[UInt8](repeating: 0, count: 32), bytes(order), [UInt8](repeating: 1, count: 31)] {
            #expect(throws: NostrKey.Error.invalidSecret) { try NostrKey(secret: secret) }
            #expect(!NostrKey.isValidSecret(secret))
        }
    }

    @Test func nostrKeyIsDerivedFromTheSeedAndBoundToTheNode() {
        let alice = NodeIdentity(deterministicLabel: "nostr alice")
        let bob = NodeIdentity(deterministicLabel: "nostr bob")
        let binding = NostrBinding(identity: alice)
        #expect(binding.key.publicKey == NostrBinding(identity: alice).key.publicKey, "same seed, same key")
        // Computed independently with Python's cryptography (HKDF) and coincurve (libsecp256k1).
        #expect(binding.key.publicKeyHex == "dc65bde89cece0bf920a122352632af185d93abd19fec485883a19c46fe3cd62")
        #expect(binding.key.publicKey != NostrBinding(identity: bob).key.publicKey)
        #expect(binding.nodeId == alice.nodeId)
        #expect(NostrBinding.verify(nodeId: alice.nodeId, publicKey: binding.key.publicKey, signature: binding.signature))
        #expect(!NostrBinding.verify(nodeId: bob.nodeId, publicKey: binding.key.publicKey, signature: binding.signature))
        let bobKey = NostrBinding(identity: bob).key.publicKey
        #expect(!NostrBinding.verify(nodeId: alice.nodeId, publicKey: bobKey, signature: binding.signature))
        #expect(String(decoding: NostrBinding.message(for: binding.key.publicKey), as: UTF8.self)
                == "rakis/nostr-key/1\n" + binding.key.publicKeyHex)
    }
}
