/// How the next token is chosen from the logits.
public struct SamplingParameters: Sendable, Equatable, Codable {
    /// 0 means greedy: the highest logit, the lowest token id on ties.
    public var temperature: Float
    /// Keep only the k most likely tokens (0: no limit).
    public var topK: Int
    /// Keep the most likely tokens whose probabilities add up to at least p (1: no limit).
    public var topP: Float
    /// Drop tokens less likely than minP times the most likely one (0: no limit).
    public var minP: Float
    public var seed: UInt64

    public init(temperature: Float = 0, topK: Int = 40, topP: Float = 0.95, minP: Float = 0.05, seed: UInt64 = 0) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.seed = seed
    }

    public static let greedy = SamplingParameters()
}

/// Picks tokens deterministically: the same logits, parameters and step give the same token.
///
/// Chain: candidates within 30 nats of the best logit (the rest have relative probability under
/// 1e-13), top-k, top-p and min-p on the probabilities at temperature 1, then the temperature,
/// then one draw from the counter-based random source at this step. Candidates are ordered by
/// logit, then by token id, so ties never depend on sort stability.
public struct Sampler: Sendable {
    public let parameters: SamplingParameters
    private let random: CounterRandom

    public init(_ parameters: SamplingParameters) {
        self.parameters = parameters
        random = CounterRandom(seed: parameters.seed)
    }

    public func sample(_ logits: [Float], step: Int) -> Int32 {
        guard parameters.temperature > 0 else { return Self.argmax(logits) }
        let best = logits[Int(Self.argmax(logits))]
        var candidates = logits.indices.filter { logits[$0] >= best - 30 }
        candidates.sort { logits[$0] != logits[$1] ? logits[$0] > logits[$1] : $0 < $1 }
        if parameters.topK > 0, candidates.count > parameters.topK { candidates.removeSubrange(parameters.topK...) }

        var weights = candidates.map { Double(EngineMath.exp(logits[$0] - best)) }
        var total = weights.reduce(0, +)
        if parameters.topP < 1 {
            var kept = 0, running = 0.0
            while kept < weights.count {
                running += weights[kept]
                kept += 1
                if running >= Double(parameters.topP) * total { break }
            }
            candidates.removeSubrange(kept...)
            weights.removeSubrange(kept...)
        }
        if parameters.minP > 0 {
            let threshold = Double(parameters.minP) * weights[0]
            let kept = weights.prefix { $0 >= threshold }.count
            candidates.removeSubrange(max(kept, 1)...)
            weights.removeSubrange(max(kept, 1)...)
        }

        weights = candidates.map { Double(EngineMath.exp((logits[$0] - best) / parameters.temperature)) }
        total = weights.reduce(0, +)
        let target = random.uniform(UInt64(step)) * total
        var running = 0.0
        for (index, weight) in weights.enumerated() {
            running += weight
            if target < running { return Int32(candidates[index]) }
        }
        return Int32(candidates[candidates.count - 1])
    }

    /// Index of the largest logit, the lowest index on ties.
    public static func argmax(_ logits: [Float]) -> Int32 {
        var best = 0
        for index in logits.indices where logits[index] > logits[best] { best = index }
        return Int32(best)
    }
}
