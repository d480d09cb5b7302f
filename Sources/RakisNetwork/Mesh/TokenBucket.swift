import NIOCore

/// A token bucket: `rate` tokens a second refill it up to `burst`; taking more than it holds
/// fails and takes nothing. Used per connection for frames and for bytes, so a neighbour may
/// send short bursts but not sustain more than the configured rate.
struct TokenBucket {
    let rate: Double
    let burst: Double
    private var tokens: Double
    private var refilledAt: NIODeadline

    init(rate: Double, burst: Double, now: NIODeadline) {
        self.rate = rate
        self.burst = burst
        tokens = burst
        refilledAt = now
    }

    mutating func take(_ amount: Double, now: NIODeadline) -> Bool {
        let elapsed = Double((now - refilledAt).nanoseconds) / 1e9
        if elapsed > 0 {
            tokens = min(burst, tokens + elapsed * rate)
            refilledAt = now
        }
        guard tokens >= amount else { return false }
        tokens -= amount
        return true
    }
}
