import RakisCore

/// A fulfilment inside its challenge window, as the oracle's `Proposed` event states it: paid and
/// called back by `finalize` once the window is over (docs/ORACLE.md).
public struct OracleProposal: Sendable, Hashable {
    public let chainId: UInt64
    public let oracle: EthereumAddress
    public let requestId: UInt256
    /// keccak256 of the proposed output.
    public let outputHash: [UInt8]
    public let signers: [EthereumAddress]
    public let seats: [Int]
    /// Unix seconds; `finalize` is accepted after it.
    public let challengeEnds: Int

    /// "chainId:contract:requestId", as `OracleRequest.key`.
    public var key: String {
        OracleRequest.key(ChainCoordinates(chainId: Int(chainId), contract: oracle.lowercaseHex, chainRequestId: requestId.description))
    }
}
