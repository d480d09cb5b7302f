import RakisCore
import RakisNode

/// How a request ended at this node, in the form that outlives the state machine: what the store
/// writes for a conclusion and reads back later, typed like the conclusion.
public struct StoredResult: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case final(ChosenOutput)
        case failed(Failure)

        /// What the store keeps of a conclusion's outcome.
        public init(_ outcome: RequestConclusion.Outcome) {
            switch outcome {
            case let .final(chosen): self = .final(chosen)
            case let .failed(failure): self = .failed(Failure(failure))
            }
        }
    }

    /// A failure as stored: the store keeps `RequestFailure`'s code and description only (the
    /// nodes and counts it names are not columns), so it cannot be typed back further than this.
    public struct Failure: Sendable, Equatable {
        /// `RequestFailure.code`, a short stable name.
        public let code: String
        /// `RequestFailure.description`, for people.
        public let reason: String

        public init(code: String, reason: String) {
            self.code = code
            self.reason = reason
        }

        public init(_ failure: RequestFailure) {
            self.init(code: failure.code, reason: failure.description)
        }
    }

    public let requestId: Hash256
    public let outcome: Outcome
    /// The certificate's canonical JSON ({"quorum", "reveals", "outcome"}), when there was a quorum.
    public let certificate: [UInt8]?
    public let concludedAt: Millis

    public init(requestId: Hash256, outcome: Outcome, certificate: [UInt8]?, concludedAt: Millis) {
        self.requestId = requestId
        self.outcome = outcome
        self.certificate = certificate
        self.concludedAt = concludedAt
    }

    /// What the store keeps of a conclusion.
    public init(_ conclusion: RequestConclusion) {
        self.init(requestId: conclusion.requestId, outcome: Outcome(conclusion.outcome),
                  certificate: conclusion.certificate.map { $0.json.canonicalBytes() }, concludedAt: conclusion.concludedAt)
    }
}
