import RakisCore

/// How many chat messages a node takes from each sender, and from identities without weight all
/// together. Chat is free text anyone can sign, and a fresh identity costs nothing: without a
/// limit one peer could fill every node's chat and every mesh link. A message over the limit is
/// refused (`rateLimited`): not shown, not relayed, and not held against its sender (a person
/// typing fast is not an attacker).
struct ChatRateLimit {
    /// Per sender: one message a second on average, bursts of ten.
    static let perSecond = 1.0
    static let burst = 10.0
    /// Identities without weight are free to make, so a per-sender limit alone would not bound
    /// them: together they share this allowance. Weighted identities are as many as the
    /// membership allows, and each only spends its own.
    static let sharedPerSecond = 5.0
    static let sharedBurst = 20.0
    /// Senders tracked at once; the oldest is forgotten first (and starts again with a full bucket).
    static let capacity = 1_024

    private var senders = BoundedDictionary<NodeID, TokenBucket>(capacity: ChatRateLimit.capacity)
    private var shared = TokenBucket(tokens: ChatRateLimit.sharedBurst, updatedAt: nil)

    /// Whether a message from `sender` fits now; if it does, it is counted. `sharesAllowance`: the
    /// sender has no weight, so the message also needs room in the shared allowance.
    mutating func admit(_ sender: NodeID, sharesAllowance: Bool, at now: Millis) -> Bool {
        var own = senders[sender] ?? TokenBucket(tokens: Self.burst, updatedAt: nil)
        own.refill(perSecond: Self.perSecond, burst: Self.burst, at: now)
        shared.refill(perSecond: Self.sharedPerSecond, burst: Self.sharedBurst, at: now)
        guard own.tokens >= 1, !sharesAllowance || shared.tokens >= 1 else {
            senders[sender] = own
            return false
        }
        own.tokens -= 1
        if sharesAllowance { shared.tokens -= 1 }
        senders[sender] = own
        return true
    }
}

/// Tokens that refill at a steady rate up to a burst; a message takes one.
private struct TokenBucket {
    var tokens: Double
    var updatedAt: Millis?

    mutating func refill(perSecond: Double, burst: Double, at now: Millis) {
        if let updatedAt { tokens = min(burst, tokens + Double(max(0, now - updatedAt)) / 1_000 * perSecond) }
        updatedAt = now
    }
}
