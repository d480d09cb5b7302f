import RakisCore

/// Runs the stateless packet checks once per envelope object for all simulated nodes. Keyed by
/// object identity (envelopes are shared by reference in the simulator), and it keeps the
/// envelopes alive so an identity is never reused. Single-threaded, like the simulator.
final class SharedValidationCache: ValidationCache, @unchecked Sendable {
    private var valid: [ObjectIdentifier: Envelope] = [:]

    func isKnownValid(_ envelope: Envelope) -> Bool {
        valid[ObjectIdentifier(envelope)] != nil
    }

    func rememberValid(_ envelope: Envelope) {
        valid[ObjectIdentifier(envelope)] = envelope
    }
}
