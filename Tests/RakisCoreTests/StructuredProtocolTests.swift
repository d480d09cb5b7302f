import Testing
@testable import RakisCore

/// The wire side of structured requests: the request's `format` and frame fields, the reveal's
/// field embeddings, and the checks that decide whether a structured reveal can count.
@Suite struct StructuredProtocolTests {
    typealias F = ProtocolFixtures
    let validator = PacketValidator(network: F.network, membership: PacketValidationTests.membership)
    let now: Millis = 1_700_000_000_500

    func signed(_ request: InferenceRequest) -> Envelope {
        Envelope(signing: Packet(.request(request), createdAt: now), network: F.network, identity: F.identity)
    }

    func validation(_ change: (inout RequestFields) -> Void) -> PacketRejection? {
        var fields = RequestFields()
        change(&fields)
        do throws(PacketRejection) {
            try PacketValidator.validate(fields.build())
            return nil
        } catch {
            return error
        }
    }

    @Test func aStructuredRequestCrossesTheWireUnchanged() throws {
        let format = try schema(personSchema)
        var fields = RequestFields()
        fields.format = format
        fields.maxTokens = 64
        fields.numberTolerance = 0.25
        fields.partial = true
        let request = fields.build()
        let decoded = try Envelope.decode(signed(request).wireBytes)
        try validator.validate(decoded, now: now)
        #expect(decoded.request == request && decoded.request?.id == request.id)
        #expect(decoded.request?.format?.json == json(personSchema))
        #expect(decoded.request?.frame.numberTolerance == 0.25 && decoded.request?.frame.partial == true)
        // Defaults are not written, so a request without them keeps its id.
        let plain = RequestFields().build()
        let frame = try JSONObjectReader(plain.json, path: "request").object("frame")
        #expect(frame.optionalValue("numberTolerance") == nil && frame.optionalValue("partial") == nil)
        #expect(try JSONObjectReader(plain.json, path: "request").optionalValue("format") == nil)
    }

    @Test func explicitDefaultsAndBadSchemasAreRefusedOnTheWire() throws {
        var fields = RequestFields()
        fields.format = OutputSchema.anyObject
        let wire = String(decoding: signed(fields.build()).wireBytes, as: UTF8.self)
        for (field, value) in [("partial", "false"), ("numberTolerance", "0")] {
            let edited = wire.replacingOccurrences(of: "\"commitDeadline\"", with: "\"\(field)\":\(value),\"commitDeadline\"")
            #expect(throws: PacketRejection.nonCanonical(path: "envelope.packet")) { _ = try Envelope.decode(Array(edited.utf8)) }
        }
        let badSchema = wire.replacingOccurrences(of: #""format":{"type":"object"}"#, with: #""format":{"type":"object","minProperties":1}"#)
        #expect(badSchema != wire)
        #expect(throws: PacketRejection.malformed("envelope.packet.request.format.minProperties: only an object with properties can bound their count")) {
            _ = try Envelope.decode(Array(badSchema.utf8))
        }
    }

    @Test func requestRangesOfStructuredFields() throws {
        let person = try schema(personSchema)
        #expect(person.minimalOutputBytes == 32) // {"age":0,"mood":"sad","name":""}
        #expect(validation { $0.format = person; $0.maxTokens = 32 } == nil)
        #expect(validation { $0.format = person; $0.maxTokens = 31 } == .outOfRange(
            field: "request.maxTokens", detail: "31 tokens cannot hold the shortest valid output, 32 bytes (a token is at least one byte)"))
        #expect(validation { $0.format = person; $0.maxTokens = 32; $0.numberTolerance = 1e15; $0.partial = true } == nil)
        for tolerance in [-0.1, -0.0 - 1e-300, 1.5e15] { // a non-finite one has no JSON, and no request id
            #expect(validation { $0.format = person; $0.maxTokens = 32; $0.numberTolerance = tolerance }
                == .outOfRange(field: "request.frame.numberTolerance", detail: "must be in 0...1000000000000000"), "\(tolerance)")
        }
        #expect(validation { $0.numberTolerance = 0.5 }
            == .outOfRange(field: "request.frame.numberTolerance", detail: "only a request with a format compares numbers"))
        #expect(validation { $0.partial = true }
            == .outOfRange(field: "request.frame.partial", detail: "only a request with a format has fields to agree on"))
    }

    func reveal(output: String, fieldEmbeddings: [BinaryEmbedding]) -> Reveal {
        Reveal(requestId: F.request.id, inferenceId: F.inferenceId, model: "smollm2-135m-instruct", output: output, salt: F.salt,
               embedding: F.embedding, fieldEmbeddings: fieldEmbeddings)
    }

    @Test func revealFieldEmbeddingsRoundTripAndAreBounded() throws {
        let fields = [F.embedding, BinaryEmbedding(bytes: F.embedding.bytes.reversed())]
        let envelope = Envelope(signing: Packet(.reveal(reveal(output: "{}", fieldEmbeddings: fields)), createdAt: now),
                                network: F.network, identity: F.identity)
        let decoded = try Envelope.decode(envelope.wireBytes)
        #expect(decoded.reveal?.fieldEmbeddings == fields)
        #expect(decoded.revealedCommitment == Commitment.derive(
            requestId: F.request.id, inferenceId: F.inferenceId, nodeId: F.identity.nodeId, model: "smollm2-135m-instruct",
            output: "{}", embedding: F.embedding, salt: F.salt, fieldEmbeddings: fields))
        try validator.validateSigned(decoded, path: "packet")
        // No field embeddings: no key, the reveal of a free-text request as before.
        let plain = Envelope(signing: Packet(.reveal(reveal(output: "{}", fieldEmbeddings: [])), createdAt: now),
                             network: F.network, identity: F.identity)
        #expect(!String(decoding: plain.wireBytes, as: UTF8.self).contains("fieldEmbeddings"))

        let tooMany = [BinaryEmbedding](repeating: F.embedding, count: Limits.Schema.maxEmbeddedLeaves + 1)
        let flood = Envelope(signing: Packet(.reveal(reveal(output: "{}", fieldEmbeddings: tooMany)), createdAt: now),
                             network: F.network, identity: F.identity)
        #expect(throws: PacketRejection.outOfRange(field: "packet.fieldEmbeddings", detail: "129 embeddings, limit 128")) {
            try validator.validateSigned(flood, path: "packet")
        }
    }

    @Test func aStructuredRevealCountsOnlyAsCanonicalValidJSONWithOneEmbeddingPerFreeString() throws {
        let person = try schema(personSchema)
        let two = [F.embedding, F.embedding]
        func defect(_ output: String, _ fields: [BinaryEmbedding] = [F.embedding, F.embedding]) -> StructuredOutputDefect? {
            do throws(StructuredOutputDefect) {
                _ = try reveal(output: output, fieldEmbeddings: fields).structuredOutput(format: person, bits: 384)
                return nil
            } catch {
                return error
            }
        }
        let good = #"{"age":36,"mood":"happy","name":"Ada","tags":["x"]}"#
        #expect(defect(good) == nil)
        let structured = try reveal(output: good, fieldEmbeddings: two).structuredOutput(format: person, bits: 384)
        #expect(structured.embeddedTexts == ["Ada", "x"])
        #expect(structured.embeddedLeaves.map(\.path.description) == ["$.name", "$.tags[0]"])

        guard case .notJSON = defect(#"{"age":36,"#) else { Issue.record("truncated JSON counted"); return }
        guard case .notJSON = defect(#"{"age":[[[[[[[[1]]]]]]]]}"#) else { Issue.record("JSON deeper than 8 counted"); return }
        #expect(defect(#"{"name":"Ada","age":36,"mood":"happy","tags":["x"]}"#) == .notCanonical, "unsorted keys")
        #expect(defect(#"{"age":36, "mood":"happy","name":"Ada","tags":["x"]}"#) == .notCanonical, "whitespace")
        #expect(defect(#"{"age":36.0,"mood":"happy","name":"Ada","tags":["x"]}"#) == .notCanonical, "a number written two ways")
        #expect(defect(#"{"age":36,"mood":"happy","name":"\u0041da","tags":["x"]}"#) == .notCanonical, "an escape JCS does not write")
        #expect(defect(#"{"age":36,"mood":"glad","name":"Ada","tags":["x"]}"#) == .invalid(#"$.mood: "glad" is not one of the enum values"#))
        #expect(defect(good, [F.embedding]) == .fieldEmbeddingCount(found: 1, freeStrings: 2))
        #expect(defect(good, [F.embedding, F.embedding, F.embedding]) == .fieldEmbeddingCount(found: 3, freeStrings: 2))
        #expect(defect(good, [F.embedding, F.embedding.truncated(to: 256)])
            == .fieldEmbeddingBits(path: FieldPath.root.appending(key: "tags").appending(index: 0), found: 256, bits: 384))
        #expect("\(StructuredOutputDefect.fieldEmbeddingBits(path: .root.appending(key: "name"), found: 8, bits: 384))"
            == "field embedding of $.name has 8 bits, the request uses 384")
    }

    @Test func reembeddingEachFreeStringJudgesTheFieldEmbeddings() throws {
        let person = try schema(personSchema)
        let other = BinaryEmbedding(bytes: F.embedding.bytes.map { ~$0 })
        let revealed = reveal(output: #"{"age":36,"mood":"happy","name":"Ada","tags":["x"]}"#, fieldEmbeddings: [F.embedding, F.embedding])
        let structured = try revealed.structuredOutput(format: person, bits: 384)
        #expect(revealed.fieldReembeddingDefect([F.embedding, F.embedding], of: structured, bits: 384, tolerance: 0) == nil)
        #expect(revealed.fieldReembeddingDefect([F.embedding, other], of: structured, bits: 384, tolerance: 0)
            == "re-embedding of $.tags[0] differs in 384 bits, tolerance 0")
        #expect(revealed.fieldReembeddingDefect([F.embedding.truncated(to: 8), F.embedding], of: structured, bits: 384, tolerance: 0)
            == "verifier's embedding of $.name is shorter than 384 bits")
    }
}
