import RakisCore
import RakisNode

/// The node runtime as the oracle's chain connector (RakisOracle) sees it: what the runtime
/// tells it, what it asks of the runtime, and what it counts. The connector depends on this, not
/// on `NodeRuntime`, so the runtime knows nothing of chains.
public protocol OracleRuntime: Sendable {
    /// Conclusions of chain requests and received attestations. Never drops anything: a lost
    /// attestation could leave a request unsubmitted.
    var chainSignals: AsyncStream<ChainSignal> { get }
    /// The node's wall clock, the time its store records carry.
    var now: Millis { get }

    /// The request this node holds for a contract's request, if any node brought it in.
    func request(from chain: ChainCoordinates) async -> Hash256?
    /// Signs and sends a request with this node as its origin.
    func submit(_ spec: RequestSpec) async throws(PacketRejection) -> Hash256
    /// Publishes this node's attestation for a chain request it concluded as a quorum member.
    func attest(_ attestation: ChainAttestation) async
    /// Whether the network's weights are the oracle registry's (`stake` membership).
    var followsRegistry: Bool { get }
    /// Takes the registry's weights, read from the chain, as the network's membership.
    func adopt(_ membership: Membership) async

    /// Counts the connector's work, by event and outcome: contract requests brought in,
    /// attestations made and received (kept or refused), fulfilments sent and their outcome.
    func countChainEvent(_ event: String, _ outcome: String)
    /// Notes the last block whose oracle logs the connector handled.
    func noteChainBlock(_ number: Int)
}

/// What the chain connector follows: how chain requests ended here, and the quorum members'
/// attestations for them.
public enum ChainSignal: Sendable {
    case concluded(RequestConclusion)
    case attestation(Envelope)
}
