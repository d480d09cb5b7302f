import RakisCore

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

/// The output consensus chose.
public struct ChosenOutput: Sendable, Equatable {
    /// The quorum member whose output it is.
    public let node: NodeID
    public let model: String
    public let output: String
    public let commitment: Hash256
    /// The commitments of the agreeing cluster the output was chosen from, sorted. (A request's
    /// *members* are its quorum's; the cluster is the part of them that agreed.)
    public let cluster: [Hash256]

    public init(node: NodeID, model: String, output: String, commitment: Hash256, cluster: [Hash256]) {
        self.node = node
        self.model = model
        self.output = output
        self.commitment = commitment
        self.cluster = cluster
    }
}
