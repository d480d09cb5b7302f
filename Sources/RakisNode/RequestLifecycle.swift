import RakisCore

/// Where a request stands at one node. Phases only move forward; `final` and `failed` are terminal.
public enum RequestPhase: Int, Sendable, Comparable, CustomStringConvertible {
    case seen, inferring, committed, quorumFixed, revealed, verified, final, failed

    public static func < (lhs: RequestPhase, rhs: RequestPhase) -> Bool { lhs.rawValue < rhs.rawValue }

    public var isTerminal: Bool { self == .final || self == .failed }

    public var description: String {
        switch self {
        case .seen: "seen"
        case .inferring: "inferring"
        case .committed: "committed"
        case .quorumFixed: "quorum fixed"
        case .revealed: "revealed"
        case .verified: "verified"
        case .final: "final"
        case .failed: "failed"
        }
    }
}

/// Why a request failed at a node.
public enum RequestFailure: Sendable, Equatable, CustomStringConvertible {
    case notEnoughCommits(have: Int, need: Int)
    /// No quorum packet reached this node before the reveal deadline.
    case noQuorum
    case missingReveals([NodeID])
    case consensus(ConsensusFailure)
    case verificationTimedOut

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
        }
    }

    public var description: String {
        switch self {
        case let .notEnoughCommits(have, need): "not enough commits: \(have) of \(need)"
        case .noQuorum: "no quorum packet arrived before the reveal deadline"
        case let .missingReveals(nodes): "missing reveals from \(nodes.map(\.short).joined(separator: ", "))"
        case let .consensus(failure): failure.description
        case .verificationTimedOut: "verification did not finish before the settle window ended"
        }
    }
}

/// The output consensus chose.
public struct ChosenOutput: Sendable, Equatable {
    public let node: NodeID
    public let model: String
    public let output: String
    public let commitment: Hash256
    public let members: [Hash256]

    public init(node: NodeID, model: String, output: String, commitment: Hash256, members: [Hash256]) {
        self.node = node
        self.model = model
        self.output = output
        self.commitment = commitment
        self.members = members
    }
}

/// How a request ended at a node, with the certificate when there was a quorum.
public struct RequestConclusion: Sendable {
    public enum Outcome: Sendable, Equatable {
        case final(ChosenOutput)
        case failed(RequestFailure)
    }

    public let requestId: Hash256
    public let outcome: Outcome
    /// The quorum and reveals consensus ran on, if the request got as far as a quorum.
    public let certificate: ResultCertificate?
    public let concludedAt: Millis

    public init(requestId: Hash256, outcome: Outcome, certificate: ResultCertificate?, concludedAt: Millis) {
        self.requestId = requestId
        self.outcome = outcome
        self.certificate = certificate
        self.concludedAt = concludedAt
    }
}
