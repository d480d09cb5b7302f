/// An account that signs and sends its own transactions: nonces, gas and fees, receipts.
/// One `ChainAccount` per key and process, so nonces it hands out never collide.
public actor ChainAccount {
    public nonisolated let key: ChainKey
    public nonisolated let rpc: EthereumRPC
    public nonisolated var address: EthereumAddress { key.address }
    private var chainId: UInt64?
    /// The next nonce this account will use, once known; never below the chain's count.
    private var nextNonce: Int?

    public init(key: ChainKey, rpcURL: String) {
        self.key = key
        rpc = EthereumRPC(url: rpcURL)
    }

    /// A signed transaction with the next nonce, the gas the chain estimates plus a fifth (at
    /// least `minimumGas`: a call whose path depends on what lands before it, such as the vote
    /// that decides a dispute, may need more than its estimate), and fees that survive a
    /// doubling of the base fee. `atLeastNonce` lets a caller that stored transactions of its own
    /// (the connector) keep clear of their nonces.
    public func prepare(to: EthereumAddress?, value: Wei = .zero, data: [UInt8], atLeastNonce: Int = 0,
                        minimumGas: Int = 0) async throws -> SignedTransaction {
        if chainId == nil { chainId = UInt64(try await rpc.chainId()) }
        let chainId = self.chainId!
        let gas = try await rpc.estimateGas(from: address.lowercaseHex, to: to?.lowercaseHex, value: value.hexQuantity, data: data)
        let nonce = max(try await rpc.pendingNonce(of: address.lowercaseHex), nextNonce ?? 0, atLeastNonce)
        nextNonce = nonce + 1
        let (tip, maxFee) = try await fees()
        let transaction = EIP1559Transaction(
            chainId: chainId, nonce: UInt64(nonce), maxPriorityFeePerGas: tip, maxFeePerGas: maxFee,
            gasLimit: UInt64(max(gas + gas / 5, minimumGas)), to: to, value: value, data: data
        )
        return transaction.signed(by: key)
    }

    /// The tip the chain suggests, and a fee cap that survives a doubling of the base fee.
    public nonisolated func fees() async throws -> (tip: Wei, maxFee: Wei) {
        let baseFee = try await rpc.latestHeader().baseFeePerGas.flatMap { UInt256(hexQuantity: $0) } ?? .zero
        let tip = UInt256(hexQuantity: try await rpc.maxPriorityFeePerGas()) ?? UInt256(1_000_000_000)
        return (tip, baseFee * 2 + tip)
    }

    /// Takes the next nonce from the chain again: a transaction prepared with the current one
    /// was refused and will never use it.
    public func resyncNonce() {
        nextNonce = nil
    }

    /// Prepares, sends and waits for the receipt; a reverted transaction throws. A nonce the
    /// chain refuses (its transactions were dropped by a reorganization, say) is read again from
    /// the chain, once.
    @discardableResult
    public func send(to: EthereumAddress?, value: Wei = .zero, data: [UInt8], minimumGas: Int = 0) async throws -> TransactionReceipt {
        var signed = try await prepare(to: to, value: value, data: data, minimumGas: minimumGas)
        do {
            _ = try await rpc.sendRawTransaction(signed.rawBytes)
        } catch let error as ChainRPCError where error.description.lowercased().contains("nonce") {
            resyncNonce()
            signed = try await prepare(to: to, value: value, data: data, minimumGas: minimumGas)
            _ = try await rpc.sendRawTransaction(signed.rawBytes)
        }
        let receipt = try await rpc.waitForReceipt(EthereumHex.encode(signed.hash))
        guard receipt.succeeded else { throw ChainRPCError.rpc(method: "eth_sendRawTransaction", code: 0, message: "transaction \(receipt.transactionHash) reverted", data: nil) }
        return receipt
    }
}

extension EthereumRPC {
    /// Polls until the transaction is mined.
    public func waitForReceipt(_ transactionHash: String, timeout: Duration = .seconds(60)) async throws -> TransactionReceipt {
        let clock = ContinuousClock()
        let end = clock.now + timeout
        while clock.now < end {
            if let receipt = try await receipt(transactionHash) { return receipt }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw ChainRPCError.malformed(method: "eth_getTransactionReceipt", reason: "\(transactionHash) not mined within \(timeout)")
    }
}
