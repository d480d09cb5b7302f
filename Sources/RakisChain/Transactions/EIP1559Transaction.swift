/// A type-2 (EIP-1559) transaction with an empty access list: what a node sends to register,
/// fulfil and withdraw.
public struct EIP1559Transaction: Sendable, Hashable {
    public var chainId: UInt64
    public var nonce: UInt64
    public var maxPriorityFeePerGas: Wei
    public var maxFeePerGas: Wei
    public var gasLimit: UInt64
    /// The recipient; nil creates a contract from `data`.
    public var to: EthereumAddress?
    public var value: Wei
    public var data: [UInt8]

    public init(
        chainId: UInt64, nonce: UInt64, maxPriorityFeePerGas: Wei, maxFeePerGas: Wei, gasLimit: UInt64,
        to: EthereumAddress?, value: Wei, data: [UInt8]
    ) {
        self.chainId = chainId
        self.nonce = nonce
        self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.maxFeePerGas = maxFeePerGas
        self.gasLimit = gasLimit
        self.to = to
        self.value = value
        self.data = data
    }

    /// EIP-2718 type byte.
    static let typeByte: UInt8 = 0x02

    /// The nine fields in their RLP order; the signed form appends yParity, r and s.
    var fieldItems: [RLPItem] {
        [
            .uint(chainId), .uint(nonce), .uint(maxPriorityFeePerGas), .uint(maxFeePerGas), .uint(gasLimit),
            .bytes(to?.bytes ?? []), .uint(value), .bytes(data), .list([]),
        ]
    }

    /// keccak256(0x02 ‖ rlp(fields)): the digest the sender signs.
    public var signingHash: [UInt8] {
        Keccak256.hash([Self.typeByte] + RLPItem.list(fieldItems).encoded)
    }

    public func signed(by key: ChainKey) -> SignedTransaction {
        SignedTransaction(transaction: self, signature: key.sign(digest: signingHash))
    }
}
