import Foundation
import Testing
@testable import RakisCore

/// Every rejection path of decoding and stateless validation, each with its typed reason.
@Suite struct PacketValidationTests {
    typealias F = ProtocolFixtures
    /// The fixtures' identity, three members and a copycat, weight 1 each.
    static let membership = Membership.equalWeights(
        [F.identity.nodeId, NodeIdentity(deterministicLabel: "copycat").nodeId] + (0..<3).map { NodeIdentity(deterministicLabel: "member \($0)").nodeId })
    let validator = PacketValidator(network: F.network, membership: PacketValidationTests.membership)
    let now: Millis = 1_700_000_000_500

    func wire(_ envelope: Envelope) -> String { String(decoding: envelope.wireBytes, as: UTF8.self) }

    func decodeAndValidate(_ text: String) throws(PacketRejection) {
        let envelope = try Envelope.decode(Array(text.utf8))
        try validator.validate(envelope, now: now)
    }

    func rejection(_ text: String) -> PacketRejection? {
        do throws(PacketRejection) {
            try decodeAndValidate(text)
            return nil
        } catch {
            return error
        }
    }

    func request(_ change: (inout RequestFields) -> Void) -> Envelope {
        var fields = RequestFields()
        change(&fields)
        return Envelope(signing: Packet(.request(fields.build()), createdAt: now), network: F.network, identity: F.identity)
    }

    @Test func wireRoundTripPreservesEveryByte() throws {
        let decoded = try Envelope.decode(F.requestEnvelope.wireBytes)
        #expect(decoded.id == F.requestEnvelope.id)
        #expect(decoded.wireBytes == F.requestEnvelope.wireBytes)
        #expect(decoded.request == F.request)
        try validator.validate(decoded, now: now)
    }

    @Test func oversizedInputIsRejectedBeforeParsing() {
        let huge = [UInt8](repeating: UInt8(ascii: "["), count: Limits.maxEnvelopeBytes + 1)
        #expect(throws: PacketRejection.tooLarge(size: Limits.maxEnvelopeBytes + 1, limit: Limits.maxEnvelopeBytes)) {
            _ = try Envelope.decode(huge)
        }
    }

    @Test func malformedJSONAndShapesNameTheProblem() {
        let good = wire(F.requestEnvelope)
        let cases: [(String, String)] = [
            ("{not json", "invalid JSON"),
            (good.replacingOccurrences(of: "\"type\":\"request\"", with: "\"type\":\"teapot\""), "unknown packet type"),
            (good.replacingOccurrences(of: "\"maxTokens\":32", with: "\"maxTokens\":\"32\""), "envelope.packet.request.maxTokens"),
            (good.replacingOccurrences(of: "\"nonce\"", with: "\"extra\":1,\"nonce\""), "unknown field \\\"extra\\\""),
            (good.replacingOccurrences(of: "\"sender\":\"d75a", with: "\"sender\":\"D75A"), "envelope.sender"),
        ]
        for (text, expected) in cases {
            guard case let .malformed(detail)? = rejection(text) else {
                Issue.record("expected malformed for \(expected), got \(String(describing: rejection(text)))")
                continue
            }
            #expect(detail.contains(expected.replacingOccurrences(of: "\\\"", with: "\"")), "\(detail)")
        }
    }

    @Test func nonCanonicalFormsAreRejected() {
        // A null optional would give a second encoding, hence a second request id.
        let withNull = wire(F.requestEnvelope).replacingOccurrences(of: "\"seed\":42", with: "\"seed\":null")
        #expect(rejection(withNull) == .nonCanonical(path: "envelope.packet"))
    }

    @Test func wrongVersionAndNetwork() {
        let good = wire(F.requestEnvelope)
        #expect(rejection(good.replacingOccurrences(of: "\"v\":1", with: "\"v\":2")) == .unsupportedVersion(2))
        let other = Envelope(signing: F.requestEnvelope.packet, network: "other-net", identity: F.identity)
        #expect(rejection(wire(other)) == .wrongNetwork(expected: F.network, found: "other-net"))
    }

    @Test func forgedSignaturesAreRejected() {
        let good = wire(F.requestEnvelope)
        let signature = Hex.encode(F.requestEnvelope.signature)
        var flipped = Array(signature)
        flipped[10] = flipped[10] == "0" ? "1" : "0"
        #expect(rejection(good.replacingOccurrences(of: signature, with: String(flipped))) == .badSignature(path: "packet"))
        // The packet changed after signing.
        #expect(rejection(good.replacingOccurrences(of: "\"maxTokens\":32", with: "\"maxTokens\":33")) == .badSignature(path: "packet"))
    }

    @Test func clockSkewIsBounded() {
        let stale = Envelope(signing: Packet(.request(F.request), createdAt: now - 31_000), network: F.network, identity: F.identity)
        #expect(rejection(wire(stale)) == .clockSkew(createdAt: now - 31_000, now: now, window: 30_000))
    }

    @Test func requestValueRanges() {
        let cases: [(String, (inout RequestFields) -> Void)] = [
            ("request.frame.quorum", { $0.quorum = 0 }),
            ("request.frame.quorum", { $0.quorum = 65 }),
            ("request.frame.secDistance", { $0.secDistance = 1.5 }),
            ("request.frame.secPercentage", { $0.secPercentage = -0.1 }),
            ("request.frame.revealDeadline", { $0.revealDeadline = $0.commitDeadline }),
            ("request.frame.commitDeadline", { $0.commitDeadline = $0.createdAt + 10 }),
            ("request.frame.revealDeadline", { $0.revealDeadline = $0.createdAt + Limits.maxRequestLifetime + 1 }),
            ("request.temperature", { $0.temperature = 2.5 }),
            ("request.maxTokens", { $0.maxTokens = 0 }),
            ("request.embedding.bits", { $0.bits = 100 }),
            ("request.models", { $0.models = [] }),
            ("request.models", { $0.models = ["a", "a"] }),
            ("request.prompt", { $0.input = .prompt(String(repeating: "x", count: Limits.maxPromptBytes + 1)) }),
            ("request.messages[0].role", { $0.input = .messages([ChatMessage(role: "wizard", content: "hi")]) }),
            ("request.nonce", { $0.nonce = "xyz" }),
            ("request.origin.chain", { $0.chain = ChainCoordinates(chainId: 1, contract: "0x00", chainRequestId: "1") }),
        ]
        for (field, change) in cases {
            let result = rejection(wire(request(change)))
            guard case let .outOfRange(name, _)? = result else {
                Issue.record("expected \(field) out of range, got \(String(describing: result))")
                continue
            }
            #expect(name == "packet.\(field)")
        }
    }

    @Test func onlyTheOriginMaySignARequest() {
        let impostor = NodeIdentity(deterministicLabel: "impostor")
        let envelope = Envelope(signing: Packet(.request(F.request), createdAt: now), network: F.network, identity: impostor)
        guard case .senderMismatch? = rejection(wire(envelope)) else { Issue.record("impostor request accepted"); return }
    }

    @Test func commitsMustUseTheSendersInferenceId() {
        let commit = Commit(requestId: F.request.id, inferenceId: F.inferenceId, model: "smollm2-135m-instruct", commitment: F.commitment)
        let honest = Envelope(signing: Packet(.commit(commit), createdAt: now), network: F.network, identity: F.identity)
        #expect(rejection(wire(honest)) == nil)
        let other = Envelope(signing: Packet(.commit(commit), createdAt: now), network: F.network,
                             identity: NodeIdentity(deterministicLabel: "copycat"))
        guard case .senderMismatch? = rejection(wire(other)) else { Issue.record("copied inference id accepted"); return }
    }

    @Test func quorumPacketsAreCheckedInside() throws {
        let members = (0..<3).map { NodeIdentity(deterministicLabel: "member \($0)") }
        func commit(_ identity: NodeIdentity, requestId: Hash256 = F.request.id) -> Envelope {
            let commit = Commit(requestId: requestId, inferenceId: Commitment.inferenceId(requestId: requestId, nodeId: identity.nodeId),
                                model: "smollm2-135m-instruct", commitment: Hash256.of(Array(identity.nodeId.hex.utf8)))
            return Envelope(signing: Packet(.commit(commit), createdAt: now), network: F.network, identity: identity)
        }
        func quorum(_ commits: [Envelope]) -> String {
            wire(Envelope(signing: Packet(.quorum(QuorumDecision(request: F.requestEnvelope, commits: commits)), createdAt: now),
                          network: F.network, identity: F.identity))
        }
        #expect(rejection(quorum(members.map { commit($0) })) == nil)
        guard case .inconsistent? = rejection(quorum(members.prefix(2).map { commit($0) })) else { Issue.record("short quorum"); return }
        guard case .inconsistent? = rejection(quorum([commit(members[0]), commit(members[0]), commit(members[1])])) else {
            Issue.record("duplicate member"); return
        }
        let foreign = commit(members[2], requestId: Hash256.of([1]))
        guard case .inconsistent? = rejection(quorum([commit(members[0]), commit(members[1]), foreign])) else {
            Issue.record("commit for another request"); return
        }
        // A forged commit inside: the embedded signature is checked too.
        let good = quorum(members.map { commit($0) })
        let embedded = Hex.encode(commit(members[1]).signature)
        let forged = good.replacingOccurrences(of: embedded, with: String(embedded.reversed()))
        // Re-signing the outer packet is impossible for an attacker; the outer signature fails first.
        #expect(rejection(forged) == .badSignature(path: "packet"))
    }
}

/// A request with every field adjustable, for range tests.
struct RequestFields {
    var input: RequestInput = .prompt("Hello")
    var models = ["smollm2-135m-instruct"]
    var temperature = 0.0
    var maxTokens = 16
    var bits = 384
    var quorum = 3
    var secDistance = 0.15
    var secPercentage = 0.66
    var createdAt: Millis = 1_700_000_000_500
    var commitDeadline: Millis = 1_700_000_010_500
    var revealDeadline: Millis = 1_700_000_020_500
    var nonce = "abcd"
    var chain: ChainCoordinates?
    var format: OutputSchema?
    var numberTolerance = 0.0
    var partial = false

    func build() -> InferenceRequest {
        InferenceRequest(
            input: input, models: models, temperature: temperature, maxTokens: maxTokens, seed: nil,
            embedding: EmbeddingSpec(model: "all-minilm-l6-v2", bits: bits),
            frame: SecurityFrame(quorum: quorum, secDistance: secDistance, secPercentage: secPercentage,
                                 commitDeadline: commitDeadline, revealDeadline: revealDeadline,
                                 numberTolerance: numberTolerance, partial: partial),
            origin: RequestOrigin(kind: .api, node: ProtocolFixtures.identity.nodeId, chain: chain),
            createdAt: createdAt, nonce: nonce, format: format
        )
    }
}

/// `peerExchange` left the protocol (the mesh's own PEERS frame carries addresses): a packet of
/// that type is an unknown type now, refused with the path of its `type`.
@Suite struct RemovedPacketTypeTests {
    @Test func aPeerExchangePacketIsRefusedAsAnUnknownType() throws {
        let identity = NodeIdentity(deterministicLabel: "removed type")
        let status = Envelope(signing: Packet(.peerStatus(PeerStatus(models: [], embeddingModels: [], activeJobs: 0, queuedJobs: 0)),
                                              createdAt: 1_700_000_000_000), network: "test", identity: identity)
        let text = String(decoding: status.wireBytes, as: UTF8.self)
        #expect(text.contains("\"type\":\"peerStatus\""))
        let renamed = text.replacingOccurrences(of: "\"type\":\"peerStatus\"", with: "\"type\":\"peerExchange\"")
        do {
            _ = try Envelope.decode(Array(renamed.utf8))
            Issue.record("decoded a peerExchange packet")
        } catch {
            #expect("\(error)".contains("unknown packet type \"peerExchange\""), "\(error)")
        }
    }
}
