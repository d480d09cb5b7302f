/// A signed EIP-1559 transaction, ready for `eth_sendRawTransaction`.
public struct SignedTransaction: Sendable, Hashable {
    public let transaction: EIP1559Transaction
    public let signature: RecoverableSignature

    /// 0x02 ‖ rlp([nine fields, yParity, r, s]), r and s as integers (no leading zeros).
    public var rawBytes: [UInt8] {
        let signatureItems: [RLPItem] = [
            .uint(UInt64(signature.recoveryId)),
            .uint(UInt256(bigEndian: signature.r)!),
            .uint(UInt256(bigEndian: signature.s)!),
        ]
        return [EIP1559Transaction.typeByte] + RLPItem.list(transaction.fieldItems + signatureItems).encoded
    }

    /// The raw transaction as "0x…", the parameter of `eth_sendRawTransaction`.
    public var rawHex: String { EthereumHex.encode(rawBytes) }

    /// The transaction hash: Keccak-256 of the raw bytes.
    public var hash: [UInt8] { Keccak256.hash(rawBytes) }
}
