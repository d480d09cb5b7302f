/// What field-wise consensus decided for a structured request: the decision on whole outputs,
/// and, field by field, which values a cluster large enough stands behind.
public struct StructuredOutcome: Sendable, Equatable {
    /// The whole-output decision, as `StructuredConsensus.decide` gives it.
    public let whole: ConsensusOutcome
    /// The fields whose best centre reaches the threshold, by path.
    public let agreed: [FieldAgreement]
    /// The fields some output has that no cluster large enough agrees on, by path.
    public let unresolved: [FieldPath]
}

/// One field's agreement: the centre's value, and the outputs that agree with it there.
public struct FieldAgreement: Sendable, Equatable {
    public let path: FieldPath
    /// The centre's value at `path`; nil when what the cluster agrees on is that the field is absent.
    public let value: JSONValue?
    public let centre: Hash256
    /// The commitments of the outputs that agree with the centre at `path`, sorted.
    public let cluster: [Hash256]
}
