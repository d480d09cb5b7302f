/// Delays between reconnection attempts: doubling from `initial` up to `maximum`, each drawn
/// between half and all of the current step so that nodes cut off by the same broker restart
/// do not all come back in the same instant.
struct MQTTBackoff {
    let initialMilliseconds: Int64
    let maximumMilliseconds: Int64
    private var step: Int64

    init(initialMilliseconds: Int64, maximumMilliseconds: Int64) {
        precondition(initialMilliseconds > 0 && maximumMilliseconds >= initialMilliseconds)
        self.initialMilliseconds = initialMilliseconds
        self.maximumMilliseconds = maximumMilliseconds
        self.step = initialMilliseconds
    }

    /// The delay before the next attempt, in milliseconds; each call doubles the step.
    mutating func nextDelay<Generator: RandomNumberGenerator>(using generator: inout Generator) -> Int64 {
        let current = step
        step = min(step * 2, maximumMilliseconds)
        return current / 2 + Int64.random(in: 0...(current - current / 2), using: &generator)
    }

    mutating func nextDelay() -> Int64 {
        var generator = SystemRandomNumberGenerator()
        return nextDelay(using: &generator)
    }

    /// After a successful connection the next outage starts again from `initial`.
    mutating func reset() { step = initialMilliseconds }
}
