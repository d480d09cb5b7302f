/// What a certificate proves once `CertificateVerifier` has checked it.
public struct VerifiedCertificate: Sendable {
    /// The output consensus chose and the cluster that agreed on it.
    public struct Agreement: Sendable, Equatable {
        public let output: String
        public let author: NodeID
        public let model: String
        public let commitment: Hash256
        /// The nodes whose outputs lie within secDistance of the centre, in commitment order.
        public let cluster: [NodeID]
    }

    /// A member's reveal that re-derived its commitment yet did not count in consensus, and why.
    public struct DiscountedReveal: Sendable, Equatable {
        public let member: NodeID
        public let reason: String
    }

    public let requestId: Hash256
    public let network: String
    public let request: InferenceRequest
    /// The node that fixed the quorum: the request's origin, or a fallback fixer.
    public let fixer: NodeID
    /// The quorum members in commitment order.
    public let members: [NodeID]
    /// Committee seats per member (`SeatRank`): a member's votes in consensus.
    public let seats: [NodeID: Int]
    /// The model each member committed to having run (one of the request's models): a mixed
    /// quorum shows which family each vote came from.
    public let models: [NodeID: String]
    /// Members whose reveal the certificate does not hold: the agreement was reached without them.
    public let absentMembers: [NodeID]
    public let outcome: ResultOutcome
    /// Set when the outcome is `agreed`.
    public let agreement: Agreement?
    /// For a structured request with a partial frame: the fields the reveals settle one by one.
    public let fieldOutcome: StructuredOutcome?
    public let discountedReveals: [DiscountedReveal]
    /// The nodes whose signed result packets attest the outcome, sorted.
    public let signers: [NodeID]
}
