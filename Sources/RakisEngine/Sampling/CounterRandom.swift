/// A counter-based random source: the n-th draw is a pure function of (seed, n).
///
/// A node replaying a request with the same seed draws the same numbers in the same steps,
/// whatever it computed before, and nothing has to be carried between steps but the counter.
/// The mixing function is SplitMix64's finalizer over seed + (n + 1) * golden gamma.
public struct CounterRandom: Sendable, Equatable {
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    public func bits(_ counter: UInt64) -> UInt64 {
        var z = seed &+ (counter &+ 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public func uniform(_ counter: UInt64) -> Double {
        Double(bits(counter) >> 11) * 0x1p-53
    }
}
