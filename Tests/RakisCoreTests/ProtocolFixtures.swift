@testable import RakisCore

/// The fixed objects behind the test vectors in docs/PROTOCOL.md.
enum ProtocolFixtures {
    /// RFC 8032, section 7.1, test 1.
    static let rfc8032Seed = Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")!
    static let identity = try! NodeIdentity(seed: rfc8032Seed)
    static let network = "rakis-test"

    static let request = InferenceRequest(
        input: .messages([ChatMessage(role: "user", content: "What is 2+2? Answer in one word.")]),
        models: ["smollm2-135m-instruct"], temperature: 0.7, maxTokens: 32, seed: 42,
        embedding: EmbeddingSpec(model: "all-minilm-l6-v2", bits: 384),
        frame: SecurityFrame(quorum: 3, secDistance: 0.15, secPercentage: 0.66,
                             commitDeadline: 1_700_000_030_000, revealDeadline: 1_700_000_060_000),
        origin: RequestOrigin(kind: .api, node: identity.nodeId),
        createdAt: 1_700_000_000_000, nonce: "00112233445566778899aabbccddeeff"
    )

    /// The same request asking for a structured answer: `{"answer": integer, "word": string}`,
    /// numbers within 0.5, fields settled one by one.
    static let structuredRequest = InferenceRequest(
        input: request.input, models: request.models, temperature: 0.7, maxTokens: 32, seed: 42, embedding: request.embedding,
        frame: SecurityFrame(quorum: 3, secDistance: 0.15, secPercentage: 0.66,
                             commitDeadline: 1_700_000_030_000, revealDeadline: 1_700_000_060_000, numberTolerance: 0.5, partial: true),
        origin: request.origin, createdAt: request.createdAt, nonce: request.nonce,
        format: try! OutputSchema(json: try! JSONParser.parse(Array(#"{"type":"object","properties":{"answer":{"type":"integer"},"word":{"type":"string"}},"required":["answer","word"],"additionalProperties":false}"#.utf8)), path: "format")
    )

    /// The same request with nucleus sampling and two stop strings.
    static let samplingRequest = InferenceRequest(
        input: request.input, models: request.models, temperature: 0.7, maxTokens: 32, seed: 42, embedding: request.embedding,
        frame: request.frame, origin: request.origin, createdAt: request.createdAt, nonce: request.nonce,
        topP: 0.9, stop: ["\n", "."]
    )

    static let requestEnvelope = Envelope(signing: Packet(.request(request), createdAt: 1_700_000_000_000),
                                          network: network, identity: identity)

    /// A chat message of two lines, with letters outside ASCII.
    static let chatEnvelope = Envelope(signing: Packet(.chat(ChatPost(text: "Hello over every transport!\nÀ bientôt ✓")), createdAt: 1_700_000_000_000),
                                       network: network, identity: identity)

    static let output = "Four."
    static let embedding = BinaryEmbedding(bytes: (0..<48).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
    static let salt = Commitment.salt(requestId: request.id, identity: identity)
    static let inferenceId = Commitment.inferenceId(requestId: request.id, nodeId: identity.nodeId)
    static let commitment = Commitment.derive(
        requestId: request.id, inferenceId: inferenceId, nodeId: identity.nodeId, model: "smollm2-135m-instruct",
        output: output, embedding: embedding, salt: salt
    )
}
