import RakisCore

/// A fulfilment inside its challenge window, as the oracle's `Proposed` event states it: paid and
/// called back by `finalize` once the window is over (docs/ORACLE.md).
public struct OracleProposal: Sendable, Hashable {
    public let chainId: UInt64
    public let oracle: EthereumAddress
    public let requestId: UInt256
    /// The proposed result's hash (`OracleDigest.resultHash`).
    public let outputHash: [UInt8]
    public let signers: [EthereumAddress]
    public let seats: [Int]
    /// Unix seconds; `finalize` is accepted after it.
    public let challengeEnds: Int

    public init(chainId: UInt64, oracle: EthereumAddress, requestId: UInt256, outputHash: [UInt8], signers: [EthereumAddress],
                seats: [Int], challengeEnds: Int) {
        precondition(signers.count == seats.count, "one seat count per signer")
        self.chainId = chainId
        self.oracle = oracle
        self.requestId = requestId
        self.outputHash = outputHash
        self.signers = signers
        self.seats = seats
        self.challengeEnds = challengeEnds
    }

    /// "chainId:contract:requestId", as `OracleRequest.key`.
    public var key: String {
        OracleRequest.key(OracleRequest.coordinates(chainId: chainId, oracle: oracle, requestId: requestId))
    }
}
