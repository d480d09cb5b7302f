/// What Rakis nodes sign for the oracle contract (docs/ORACLE.md, "What the nodes sign").
/// Each function returns the 32-byte message before EIP-191; nodes sign
/// `EthereumMessage.personalHash` of it, which is what the contract's `ecrecover` checks.
public enum OracleDigest {
    /// Separates fulfilment signatures from any other use of the same key.
    private static let fulfilmentDomain = Keccak256.hash("rakis-oracle/1 fulfill".utf8)
    private static let linkDomain = Array("rakis-link/1".utf8)

    /// keccak256(abi.encode(keccak256("rakis-oracle/1 fulfill"), chainId, oracle, requestId,
    /// resultHash, commitmentSetHash)), where the result hash is `resultHash(output:answer:)`:
    /// `answer` is nil for a free-text request, the typed answer (`OracleAnswer`) for a
    /// structured one.
    public static func fulfilmentDigest(
        chainId: UInt64, oracle: EthereumAddress, requestId: UInt256, output: String, answer: [UInt8]? = nil, commitmentSetHash: [UInt8]
    ) -> [UInt8] {
        fulfilmentDigest(chainId: chainId, oracle: oracle, requestId: requestId, resultHash: resultHash(output: output, answer: answer),
                         commitmentSetHash: commitmentSetHash)
    }

    /// The fulfilment digest of a result whose hash is known already. All six values are static
    /// 32-byte words, so their ABI encoding is their concatenation.
    public static func fulfilmentDigest(
        chainId: UInt64, oracle: EthereumAddress, requestId: UInt256, resultHash: [UInt8], commitmentSetHash: [UInt8]
    ) -> [UInt8] {
        precondition(resultHash.count == 32 && commitmentSetHash.count == 32, "the result and commitment-set hashes are 32 bytes")
        let words: [[UInt8]] = [
            fulfilmentDomain,
            UInt256(chainId).bigEndianBytes,
            [UInt8](repeating: 0, count: 12) + oracle.bytes,
            requestId.bigEndianBytes,
            resultHash,
            commitmentSetHash,
        ]
        return Keccak256.hash(words.joined())
    }

    /// What the signatures, the attestations and the oracle's proposals name a result by:
    /// keccak256(output) for a free-text request (`answer` nil), and for a structured one
    /// keccak256(abi.encode(keccak256(output), keccak256(answer))), so that they cover the typed
    /// answer too. Two hashed words, not the bytes end to end: no other split of the same bytes
    /// into an output and an answer has the same hash.
    public static func resultHash(output: String, answer: [UInt8]?) -> [UInt8] {
        let outputHash = Keccak256.hash(output.utf8)
        guard let answer else { return outputHash }
        return Keccak256.hash(outputHash + Keccak256.hash(answer))
    }

    /// keccak256(c_1 ‖ … ‖ c_q): the quorum's 32-byte commitments in the quorum packet's order.
    public static func commitmentSetHash(commitments: [[UInt8]]) -> [UInt8] {
        precondition(commitments.allSatisfy { $0.count == 32 }, "commitments are 32 bytes")
        return Keccak256.hash(commitments.joined())
    }

    /// keccak256("rakis-link/1" ‖ nodeId): the chain key signs it to vouch for the node id.
    public static func linkMessage(nodeId: [UInt8]) -> [UInt8] {
        Keccak256.hash(linkDomain + nodeId)
    }
}
