import RakisCore

/// The demo's questions, each with another security frame.
struct DemoSample {
    let prompt: String
    let why: String
    var quorum = 3
    var secDistance = SecurityFrame.defaultSecDistance
    var secPercentage = SecurityFrame.defaultSecPercentage
    var temperature = 0.0
    var maxTokens = 32
}

enum DemoSamples {
    static let all = [
        DemoSample(prompt: "What is the capital of France?",
                   why: "the default frame: 3 nodes, outputs within distance 0.25 of each other, a 66% majority"),
        DemoSample(prompt: "Write one sentence about the sea.",
                   why: "sampled at temperature 0.8: every node draws with the same seed, so the outputs still agree",
                   secDistance: 0.15, temperature: 0.8),
        DemoSample(prompt: "Name three prime numbers.",
                   why: "a strict frame: all 3 outputs must fall in one cluster of radius 0.1",
                   secDistance: 0.1, secPercentage: 1.0, maxTokens: 24),
    ]
}
