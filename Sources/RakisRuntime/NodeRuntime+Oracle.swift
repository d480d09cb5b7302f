import RakisCore

extension NodeRuntime: OracleRuntime {
    public nonisolated var now: Millis { Self.now() }

    public nonisolated func countChainEvent(_ event: String, _ outcome: String) { metrics.chain(event, outcome) }

    public nonisolated func noteChainBlock(_ number: Int) { metrics.chainBlock(number) }
}
