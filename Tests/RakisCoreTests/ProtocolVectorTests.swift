import Testing
@testable import RakisCore

/// The vectors published in docs/PROTOCOL.md. Another implementation that reproduces these bytes
/// speaks the protocol.
@Suite struct ProtocolVectorTests {
    typealias F = ProtocolFixtures

    @Test func identityMatchesRFC8032() {
        #expect(F.identity.nodeId.hex == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        // RFC 8032 test 1: the signature of the empty message.
        #expect(Hex.encode(F.identity.sign([])) ==
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
    }

    @Test func requestCanonicalBytesAndId() {
        #expect(F.request.json.canonicalString == Self.requestCanonical)
        #expect(F.request.id.hex == Self.requestId)
    }

    @Test func requestSignatureAndEnvelope() {
        #expect(Hex.encode(F.requestEnvelope.signature) == Self.requestSignature)
        #expect(F.requestEnvelope.id.hex == Self.requestEnvelopeId)
        #expect(String(decoding: F.requestEnvelope.signedMessage.prefix(19), as: UTF8.self) == "rakis/1\nrakis-test\n")
    }

    @Test func commitmentVector() {
        #expect(F.inferenceId.hex == Self.inferenceId)
        #expect(Hex.encode(F.salt) == Self.salt)
        #expect(F.commitment.hex == Self.commitment)
    }

    @Test func commitmentFastPathMatchesTheCanonicalObject() {
        for model in ["smollm2-135m-instruct", "quote\"and\\slash", "ünïcødé\u{1F600}", "tab\tnewline\n"] {
            let fast = Commitment.derive(requestId: F.request.id, inferenceId: F.inferenceId, nodeId: F.identity.nodeId,
                                         model: model, output: F.output, embedding: F.embedding, salt: F.salt)
            let object = Commitment.derivationObject(requestId: F.request.id, inferenceId: F.inferenceId, nodeId: F.identity.nodeId,
                                                     model: model, output: F.output, embedding: F.embedding, salt: F.salt)
            #expect(fast == Hash256.of(object.canonicalBytes()), "model \(model)")
        }
        let fields = [F.embedding, BinaryEmbedding(bytes: [1, 2, 3]), BinaryEmbedding(bytes: F.embedding.bytes.reversed())]
        for count in 1...fields.count {
            let fieldEmbeddings = Array(fields.prefix(count))
            let fast = Commitment.derive(requestId: F.request.id, inferenceId: F.inferenceId, nodeId: F.identity.nodeId,
                                         model: "m", output: F.output, embedding: F.embedding, salt: F.salt, fieldEmbeddings: fieldEmbeddings)
            let object = Commitment.derivationObject(requestId: F.request.id, inferenceId: F.inferenceId, nodeId: F.identity.nodeId,
                                                     model: "m", output: F.output, embedding: F.embedding, salt: F.salt,
                                                     fieldEmbeddings: fieldEmbeddings)
            #expect(fast == Hash256.of(object.canonicalBytes()), "\(count) field embeddings")
        }
    }

    @Test func fieldEmbeddingsAreBoundOnlyWhenPresent() {
        let derive = { (fields: [BinaryEmbedding]) in
            Commitment.derive(requestId: F.request.id, inferenceId: F.inferenceId, nodeId: F.identity.nodeId,
                              model: "smollm2-135m-instruct", output: F.output, embedding: F.embedding, salt: F.salt, fieldEmbeddings: fields)
        }
        #expect(derive([]) == F.commitment, "no field embeddings: the commitment of version 1's first reveals")
        #expect(derive([F.embedding]) != F.commitment)
        #expect(derive([F.embedding, F.embedding]) != derive([F.embedding]))
        #expect(derive([F.embedding]).hex == Self.structuredCommitment)
        let object = Commitment.derivationObject(requestId: F.request.id, inferenceId: F.inferenceId, nodeId: F.identity.nodeId,
                                                 model: "smollm2-135m-instruct", output: F.output, embedding: F.embedding, salt: F.salt,
                                                 fieldEmbeddings: [F.embedding])
        #expect(object.canonicalString.contains(",\"fieldEmbeddings\":[\"\(F.embedding.hex)\"],\"inferenceId\":"))
    }

    @Test func structuredRequestVector() throws {
        let request = F.structuredRequest
        #expect(request.json.canonicalString == Self.structuredRequestCanonical)
        #expect(request.id.hex == Self.structuredRequestId)
        let read = try InferenceRequest(json: request.json, path: "request")
        #expect(read == request && read.id == request.id)
        #expect(read.format?.root == request.format?.root)
    }

    @Test func samplingRequestVector() throws {
        let request = F.samplingRequest
        #expect(request.json.canonicalString == Self.samplingRequestCanonical)
        #expect(request.id.hex == Self.samplingRequestId)
        let read = try InferenceRequest(json: request.json, path: "request")
        #expect(read == request && read.id == request.id && read.topP == 0.9 && read.stop == ["\n", "."])
        try PacketValidator.validate(request)
    }

    /// topP outside (0, 1], too many or empty stop strings, and stop strings on a structured request are refused.
    @Test func samplingFieldsOutOfRangeAreRefused() {
        func refusal(topP: Double? = nil, stop: [String] = [], format: OutputSchema? = nil) -> String? {
            let r = F.samplingRequest
            let request = InferenceRequest(input: r.input, models: r.models, temperature: r.temperature, maxTokens: r.maxTokens, seed: r.seed,
                                           embedding: r.embedding, frame: r.frame, origin: r.origin, createdAt: r.createdAt, nonce: r.nonce,
                                           format: format, topP: topP, stop: stop)
            do { try PacketValidator.validate(request); return nil } catch { return "\(error)" }
        }
        #expect(refusal(topP: 1) == nil && refusal(topP: 0.01) == nil)
        #expect(refusal(topP: 0)?.contains("request.topP") == true)
        #expect(refusal(topP: 1.5)?.contains("request.topP") == true)
        #expect(refusal(stop: ["a", "b", "c", "d", "e"])?.contains("request.stop") == true)
        #expect(refusal(stop: [""])?.contains("request.stop[0]") == true)
        #expect(refusal(stop: [String(repeating: "x", count: 257)])?.contains("request.stop[0]") == true)
        #expect(refusal(stop: ["."], format: F.structuredRequest.format)?.contains("cannot stop early") == true)
    }

    @Test func chatPacketVector() throws {
        let envelope = F.chatEnvelope
        #expect(envelope.packet.json.canonicalString == Self.chatCanonical)
        #expect(Hex.encode(envelope.signature) == Self.chatSignature)
        #expect(envelope.id.hex == Self.chatPacketId)
        #expect(envelope.requestId == nil, "a chat message belongs to no request")
        let read = try Envelope.decode(envelope.wireBytes)
        #expect(read.chat == ChatPost(text: "Hello over every transport!\nÀ bientôt ✓") && read.id == envelope.id && read.hasValidSignature)
        try PacketValidator(network: F.network, membership: try .open(difficulty: 8)).validate(read, now: 1_700_000_000_000)
    }

    // Values below are published in docs/PROTOCOL.md.
    static let requestCanonical = "{\"createdAt\":1700000000000,\"embedding\":{\"bits\":384,\"model\":\"all-minilm-l6-v2\"},\"frame\":{\"commitDeadline\":1700000030000,\"quorum\":3,\"revealDeadline\":1700000060000,\"secDistance\":0.15,\"secPercentage\":0.66},\"maxTokens\":32,\"messages\":[{\"content\":\"What is 2+2? Answer in one word.\",\"role\":\"user\"}],\"models\":[\"smollm2-135m-instruct\"],\"nonce\":\"00112233445566778899aabbccddeeff\",\"origin\":{\"kind\":\"api\",\"node\":\"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a\"},\"seed\":42,\"temperature\":0.7}"
    static let requestId = "6cedfa3e7f433750b30a1b9812a7882252d8a779040b0ec270d5a2af4360945a"
    static let requestSignature = "1f541be41244d0a69828d2f2fd40a5c17502e3cf055078218574931bfe86e69b6ec7830037b737548947c87d2edbe414077aa31cb6260241649ad64e8906ef0b"
    static let requestEnvelopeId = "a870e841f7c7821edf8a7ee06e855d93d8c11d3598ce5189a9e69de12d21087a"
    static let inferenceId = "b176955c76c3af5a45c9fc97f6444747c8c39572713aad9a101dea60289abbe3"
    static let salt = "229f1bfae63128cc9dde7661b29cce03964e8bb156ce6894fa23fdb283e4fd9f"
    static let commitment = "bb5718fbf95410d0136bb16ab0b42d62fe88388d386f74c193a055b757b94cbf"
    static let structuredCommitment = "eda75432112cc0cb6be629a77259b83eacd7d614b430f378fcdb31a5680f1bab"
    static let structuredRequestCanonical = "{\"createdAt\":1700000000000,\"embedding\":{\"bits\":384,\"model\":\"all-minilm-l6-v2\"},\"format\":{\"additionalProperties\":false,\"properties\":{\"answer\":{\"type\":\"integer\"},\"word\":{\"type\":\"string\"}},\"required\":[\"answer\",\"word\"],\"type\":\"object\"},\"frame\":{\"commitDeadline\":1700000030000,\"numberTolerance\":0.5,\"partial\":true,\"quorum\":3,\"revealDeadline\":1700000060000,\"secDistance\":0.15,\"secPercentage\":0.66},\"maxTokens\":32,\"messages\":[{\"content\":\"What is 2+2? Answer in one word.\",\"role\":\"user\"}],\"models\":[\"smollm2-135m-instruct\"],\"nonce\":\"00112233445566778899aabbccddeeff\",\"origin\":{\"kind\":\"api\",\"node\":\"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a\"},\"seed\":42,\"temperature\":0.7}"
    static let samplingRequestCanonical = "{\"createdAt\":1700000000000,\"embedding\":{\"bits\":384,\"model\":\"all-minilm-l6-v2\"},\"frame\":{\"commitDeadline\":1700000030000,\"quorum\":3,\"revealDeadline\":1700000060000,\"secDistance\":0.15,\"secPercentage\":0.66},\"maxTokens\":32,\"messages\":[{\"content\":\"What is 2+2? Answer in one word.\",\"role\":\"user\"}],\"models\":[\"smollm2-135m-instruct\"],\"nonce\":\"00112233445566778899aabbccddeeff\",\"origin\":{\"kind\":\"api\",\"node\":\"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a\"},\"seed\":42,\"stop\":[\"\\n\",\".\"],\"temperature\":0.7,\"topP\":0.9}"
    static let samplingRequestId = "26c8ce3c9acca661093b4f0879da143a39b516621ba2b1fa465bc83707f90ba7"
    static let structuredRequestId = "3ac2e31c6258ab8d2fd2f6a4a7d44fdd40dc968db667d009d8aa1f6061754854"
    static let chatCanonical = "{\"createdAt\":1700000000000,\"text\":\"Hello over every transport!\\nÀ bientôt ✓\",\"type\":\"chat\"}"
    static let chatSignature = "8dd9066ee5cb2271f709ac768421d25a2806d5e08194ef55ed527fce44d5aa12912a08807d0569d0092cefe3b758027350dbb70e9f44ac2019dbc7709c386c05"
    static let chatPacketId = "df2ee1c43042dea8f09e82b081e3ab48aa7e1ee5a739d6f4b36654ff86c77379"
}
