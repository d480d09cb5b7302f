import RakisCore
import RakisNode

/// The demo's questions, each with another security frame or model.
struct DemoSample {
    /// A chat message, or plain text to continue: Gemma 3 270M is a pretrained model, not a chat
    /// one, and continues text well where it answers chat turns poorly (as llama.cpp's run of
    /// the same file does, token for token).
    let prompt: String
    var chat = true
    let why: String
    var models = [DemoNetwork.smolLM2]
    var quorum = 3
    var secDistance = SecurityFrame.defaultSecDistance
    var secPercentage = SecurityFrame.defaultSecPercentage
    var temperature = 0.0
    var maxTokens = 32
    /// Half the network serves each model, so a one-model request's committee is provably
    /// complete early only when the network's best-ranked seats serve it: most wait out the
    /// commit window, which the demo keeps short.
    var commitWindow: Millis = 10_000
    /// A structured request's schema: the answer is JSON, agreed field by field.
    var format: OutputSchema?

    var input: RequestInput { chat ? .messages([ChatMessage(role: "user", content: prompt)]) : .prompt(prompt) }
}

enum DemoSamples {
    static let all = [
        DemoSample(prompt: "What is the capital of France?",
                   why: "the default frame: 3 nodes, outputs within distance 0.25 of each other, a 66% majority"),
        DemoSample(prompt: "Write one sentence about the sea.",
                   why: "sampled at temperature 0.8: every node draws with the same seed, so the outputs still agree",
                   secDistance: 0.15, temperature: 0.8),
        DemoSample(prompt: "Water boils at", chat: false,
                   why: "Gemma 3 nodes continuing a text, in a strict frame: all 3 outputs must fall in one cluster of radius 0.1",
                   models: [DemoNetwork.gemma3], secDistance: 0.1, secPercentage: 1.0, maxTokens: 24),
        // Five seats of six servers always hold both families, three of one and two of the other:
        // each family agrees with itself bit for bit, so the three make 60% whatever the two say.
        DemoSample(prompt: "The three primary colours are", chat: false,
                   why: """
                   a mixed quorum: 5 seats drawn from the 3 SmolLM2 and 3 Gemma 3 nodes; a model family agrees \
                   with itself exactly, so the family with 3 seats carries the 60%, and the other family's distance shows
                   """,
                   models: [DemoNetwork.smolLM2, DemoNetwork.gemma3], quorum: 5, secPercentage: 0.6,
                   commitWindow: RequestSpec.defaultCommitWindow),
        // Four seats over 3 + 3 always give one family two: its identical answers make the 50%.
        DemoSample(prompt: "Is Paris the capital of France?",
                   why: """
                   a structured request to both families: the answer is JSON matching a schema, decoded under its grammar \
                   and agreed field by field (the boolean exactly, the reason by embedding)
                   """,
                   models: [DemoNetwork.smolLM2, DemoNetwork.gemma3], quorum: 4, secDistance: 0.35, secPercentage: 0.5,
                   maxTokens: 48, commitWindow: RequestSpec.defaultCommitWindow, format: DemoSamples.verdict),
    ]

    static let verdict = try! OutputSchema(json: [
        "type": "object", "additionalProperties": false, "required": ["answer", "reason"],
        "properties": ["answer": ["type": "boolean"], "reason": ["type": "string", "maxLength": 60]],
    ], path: "format")
}
