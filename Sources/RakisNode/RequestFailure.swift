import RakisCore

/// Why a request failed at a node.
public enum RequestFailure: Sendable, Equatable, CustomStringConvertible {
    case notEnoughCommits(have: Int, need: Int)
    /// No quorum packet reached this node before the reveal deadline.
    case noQuorum
    case missingReveals([NodeID])
    case consensus(ConsensusFailure)
    case verificationTimedOut
    /// Every reveal arrived, but not the quorum fixer's result, which names the reveal set nodes
    /// decide over, by the settle point.
    case noResultFromFixer

    /// A short stable name for reports and metrics.
    public var code: String {
        switch self {
        case .notEnoughCommits: "notEnoughCommits"
        case .noQuorum: "noQuorum"
        case .missingReveals: "missingReveals"
        case let .consensus(failure):
            switch failure {
            case .tooFewReveals: "tooFewReveals"
            case .noClusterLargeEnough: "noClusterLargeEnough"
            }
        case .verificationTimedOut: "verificationTimedOut"
        case .noResultFromFixer: "noResultFromFixer"
        }
    }

    public var description: String {
        switch self {
        case let .notEnoughCommits(have, need): "not enough commits: \(have) of \(need)"
        case .noQuorum: "no quorum packet arrived before the reveal deadline"
        case let .missingReveals(nodes): "missing reveals from \(nodes.map(\.short).joined(separator: ", "))"
        case let .consensus(failure): failure.description
        case .verificationTimedOut: "verification did not finish before the settle window ended"
        case .noResultFromFixer: "the quorum's fixer published no result before the settle window ended"
        }
    }
}
