import Testing
@testable import RakisCore

/// A request with a quorum of four, fixed by its origin: three members wrote outputs whose
/// embeddings lie within secDistance of each other, the fourth wrote something else. Every
/// packet is really signed, so each tamper below is caught by the check meant for it. The quorum
/// is a mixed one: members 0 and 1 ran the first of the request's two models, 2 and 3 the second.
struct CertificateScenario {
    static let network = "rakis-test"
    static let models = ["smollm2-135m-instruct", "gemma3-270m"]
    static func model(of member: Int) -> String { models[member < 2 ? 0 : 1] }
    static let createdAt: Millis = 1_700_000_000_000
    /// The four members, weight 1 each: a quorum of four seats them all.
    static let membership = Membership.equalWeights((0..<4).map { NodeIdentity(deterministicLabel: "certificate member \($0)").nodeId })

    let origin: NodeIdentity
    let members: [NodeIdentity]
    let outputs: [String]
    let embeddings: [BinaryEmbedding]
    /// Each member's field embeddings, for a structured request; empty otherwise.
    let fieldEmbeddings: [[BinaryEmbedding]]
    let request: InferenceRequest
    let requestEnvelope: Envelope
    let commits: [Envelope]
    let quorum: Envelope

    init(nonce: String = "c0ffee", members: [NodeIdentity] = (0..<4).map { NodeIdentity(deterministicLabel: "certificate member \($0)") },
         outputs: [String] = ["Four.", "Four", "4.", "The sky is green."], format: OutputSchema? = nil,
         fieldEmbeddings: [[BinaryEmbedding]] = [[], [], [], []], partial: Bool = false) {
        let origin = NodeIdentity(deterministicLabel: "certificate origin")
        let base = (0..<48).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        // 10 and 20 bits from the first output, 30 between them: one cluster of three under
        // secDistance 0.25 (96 bits); the fourth is the complement, 384 bits away.
        let embeddings = [
            BinaryEmbedding(bytes: base),
            BinaryEmbedding(bytes: Self.flipping(base, bits: 0..<10)),
            BinaryEmbedding(bytes: Self.flipping(base, bits: 100..<120)),
            BinaryEmbedding(bytes: base.map { ~$0 }),
        ]
        let request = InferenceRequest(
            input: .prompt("What is 2+2?"), models: Self.models, temperature: 0, maxTokens: 16, seed: 7,
            embedding: EmbeddingSpec(model: "all-minilm-l6-v2", bits: 384),
            frame: SecurityFrame(quorum: 4, secDistance: 0.25, secPercentage: 0.66,
                                 commitDeadline: Self.createdAt + 30_000, revealDeadline: Self.createdAt + 60_000, partial: partial),
            origin: RequestOrigin(kind: .api, node: origin.nodeId), createdAt: Self.createdAt, nonce: nonce, format: format
        )
        let requestEnvelope = Self.sign(.request(request), by: origin)
        let commits = members.indices.map { index in
            let member = members[index]
            let inferenceId = Commitment.inferenceId(requestId: request.id, nodeId: member.nodeId)
            let commitment = Commitment.derive(
                requestId: request.id, inferenceId: inferenceId, nodeId: member.nodeId, model: Self.model(of: index),
                output: outputs[index], embedding: embeddings[index], salt: Commitment.salt(requestId: request.id, identity: member),
                fieldEmbeddings: fieldEmbeddings[index]
            )
            let commit = Commit(requestId: request.id, inferenceId: inferenceId, model: Self.model(of: index), commitment: commitment)
            return Self.sign(.commit(commit), by: member)
        }
        self.origin = origin
        self.members = members
        self.outputs = outputs
        self.embeddings = embeddings
        self.fieldEmbeddings = fieldEmbeddings
        self.request = request
        self.requestEnvelope = requestEnvelope
        self.commits = commits
        quorum = Self.sign(.quorum(QuorumDecision(request: requestEnvelope, commits: commits)), by: origin)
    }

    /// The members' honest reveals (Ed25519 signatures are deterministic: the same bytes every time).
    var reveals: [Envelope] { members.indices.map { reveal(of: $0) } }

    static func flipping(_ bytes: [UInt8], bits: Range<Int>) -> [UInt8] {
        var bytes = bytes
        for bit in bits { bytes[bit / 8] ^= 0x80 >> UInt8(bit % 8) }
        return bytes
    }

    static func sign(_ body: PacketBody, by identity: NodeIdentity, network: String = network) -> Envelope {
        Envelope(signing: Packet(body, createdAt: createdAt + 40_000), network: network, identity: identity)
    }

    /// Member `index`'s reveal, honest unless an output or embedding is given, signed by the member.
    func reveal(of index: Int, output: String? = nil, embedding: BinaryEmbedding? = nil, fieldEmbeddings: [BinaryEmbedding]? = nil) -> Envelope {
        let member = members[index]
        let reveal = Reveal(
            requestId: request.id, inferenceId: Commitment.inferenceId(requestId: request.id, nodeId: member.nodeId),
            model: Self.model(of: index), output: output ?? outputs[index], salt: Commitment.salt(requestId: request.id, identity: member),
            embedding: embedding ?? embeddings[index], fieldEmbeddings: fieldEmbeddings ?? self.fieldEmbeddings[index]
        )
        return Self.sign(.reveal(reveal), by: member)
    }

    /// The outcome the node's rule gives over the given members' revealed embeddings.
    func outcome(counting indices: [Int]) -> ResultOutcome {
        if let format = request.format {
            let points = indices.map { StructuredPoint(commitment: commits[$0].commit!.commitment, value: json(outputs[$0]),
                                                       fieldEmbeddings: fieldEmbeddings[$0]) }
            return ResultOutcome(StructuredConsensus.decide(requestId: request.id, format: format, points: points, bits: 384, frame: request.frame))
        }
        let points = indices.map { ConsensusPoint(commitment: commits[$0].commit!.commitment, embedding: embeddings[$0]) }
        return ResultOutcome(Consensus.decide(requestId: request.id, points: points, bits: 384, secDistance: 0.25,
                                              secPercentage: 0.66, quorum: 4))
    }

    var honestOutcome: ResultOutcome { outcome(counting: Array(members.indices)) }

    func certificate(quorum: Envelope? = nil, reveals: [Envelope]? = nil, outcome: ResultOutcome? = nil) -> ResultCertificate {
        ResultCertificate(quorum: quorum ?? self.quorum, reveals: reveals ?? self.reveals, outcome: outcome ?? honestOutcome)
    }

    func result(_ certificate: ResultCertificate, by identity: NodeIdentity? = nil, network: String = network) -> Envelope {
        Self.sign(.result(certificate), by: identity ?? origin, network: network)
    }

    /// The origin's result and member 1's, both carrying the honest certificate.
    var honestBundle: CertificateBundle {
        get throws { try CertificateBundle(network: Self.network, results: [result(certificate()), result(certificate(), by: members[1])]) }
    }

    /// A copy of an envelope with its signature zeroed.
    static func unsigned(_ envelope: Envelope) -> Envelope {
        Envelope(network: envelope.network, sender: envelope.sender, signature: [UInt8](repeating: 0, count: 64),
                 packet: envelope.packet, packetJSON: envelope.packet.json)
    }
}

@Suite struct CertificateTests {
    let scenario = CertificateScenario()

    func verify(_ certificate: ResultCertificate, by identity: NodeIdentity? = nil) throws(CertificateError) -> VerifiedCertificate {
        try CertificateVerifier.verify(CertificateBundle(network: CertificateScenario.network,
                                                         results: [scenario.result(certificate, by: identity)]),
                                       membership: CertificateScenario.membership)
    }

    func revealIndex(of member: Int) -> Int {
        scenario.certificate().reveals.firstIndex { $0.sender == scenario.members[member].nodeId }!
    }

    func text(_ bundle: CertificateBundle) -> String { String(decoding: bundle.canonicalBytes, as: UTF8.self) }

    func read(_ text: String) throws(CertificateError) -> CertificateBundle { try CertificateBundle(jsonBytes: Array(text.utf8)) }

    @Test func honestCertificateVerifiesAndNamesTheCluster() throws {
        let memberIds = scenario.members.map(\.nodeId)
        let verified = try CertificateVerifier.verify(try scenario.honestBundle, membership: CertificateScenario.membership)
        guard case let .agreed(chosen, cluster) = verified.outcome, let agreement = verified.agreement else {
            Issue.record("expected agreement, got \(verified.outcome)")
            return
        }
        #expect(Set(agreement.cluster) == Set(memberIds.prefix(3)), "the fourth output is far from the others")
        #expect(agreement.cluster.count == cluster.count)
        #expect(agreement.commitment == chosen)
        let author = memberIds.firstIndex(of: agreement.author)!
        #expect(agreement.output == scenario.outputs[author])
        #expect(agreement.model == CertificateScenario.model(of: author))
        #expect(verified.models == Dictionary(uniqueKeysWithValues: memberIds.indices.map { (memberIds[$0], CertificateScenario.model(of: $0)) }))
        #expect(verified.requestId == scenario.request.id)
        #expect(verified.request == scenario.request)
        #expect(verified.network == CertificateScenario.network)
        #expect(verified.fixer == scenario.origin.nodeId)
        #expect(verified.signers == [scenario.origin.nodeId, memberIds[1]].sorted())
        #expect(verified.discountedReveals.isEmpty)
    }

    @Test func fileRoundTripsThroughItsJSON() throws {
        let bundle = try scenario.honestBundle
        let read = try CertificateBundle(jsonBytes: bundle.canonicalBytes)
        #expect(read.canonicalBytes == bundle.canonicalBytes)
        #expect(read.results.map(\.id) == bundle.results.map(\.id))
        #expect(text(bundle).hasPrefix("{\"format\":\"rakis-certificate/1\",\"network\":\"rakis-test\",\"results\":[{"))
        _ = try CertificateVerifier.verify(read, membership: CertificateScenario.membership)
    }

    @Test func outputsAndEmbeddingsChangedAfterCommittingAreCaught() {
        let index = revealIndex(of: 0)
        let member = scenario.members[0].nodeId
        // The member itself signs a reveal that does not match its commit; the fixer passes it on.
        for changed in [scenario.reveal(of: 0, output: "Five."),
                        scenario.reveal(of: 0, embedding: scenario.embeddings[1])] {
            var reveals = scenario.reveals
            reveals[0] = changed
            #expect(throws: CertificateError.commitmentMismatch(path: "reveals[\(index)]", member: member)) {
                try verify(scenario.certificate(reveals: reveals))
            }
        }
    }

    @Test func editingTheFileBreaksTheResultSignatures() throws {
        let edited = text(try scenario.honestBundle).replacingOccurrences(of: "\"output\":\"4.\"", with: "\"output\":\"5.\"")
        #expect(edited != text(try scenario.honestBundle))
        #expect(throws: CertificateError.rejectedPacket(.badSignature(path: "results[0]"))) {
            try CertificateVerifier.verify(try read(edited), membership: CertificateScenario.membership)
        }
    }

    @Test func unsignedRevealCommitAndResultAreRejected() throws {
        var reveals = scenario.reveals
        reveals[2] = CertificateScenario.unsigned(reveals[2])
        #expect(throws: CertificateError.rejectedPacket(.badSignature(path: "results[0].reveals[\(revealIndex(of: 2))]"))) {
            try verify(scenario.certificate(reveals: reveals))
        }

        var commits = scenario.commits
        commits[1] = CertificateScenario.unsigned(commits[1])
        let quorum = CertificateScenario.sign(.quorum(QuorumDecision(request: scenario.requestEnvelope, commits: commits)), by: scenario.origin)
        let commitIndex = quorum.quorum!.commits.firstIndex { $0.sender == scenario.members[1].nodeId }!
        #expect(throws: CertificateError.rejectedPacket(.badSignature(path: "results[0].quorum.commits[\(commitIndex)]"))) {
            try verify(scenario.certificate(quorum: quorum))
        }

        let results = try scenario.honestBundle.results
        let bundle = try CertificateBundle(network: CertificateScenario.network,
                                           results: [results[0], CertificateScenario.unsigned(results[1])])
        #expect(throws: CertificateError.rejectedPacket(.badSignature(path: "results[1]"))) {
            try CertificateVerifier.verify(bundle, membership: CertificateScenario.membership)
        }
    }

    @Test func resultSignedByANonMemberIsForeign() throws {
        let outsider = NodeIdentity(deterministicLabel: "outsider")
        #expect(throws: CertificateError.foreignSigner(path: "results[0]", signer: outsider.nodeId)) {
            try verify(scenario.certificate(), by: outsider)
        }
    }

    @Test func revealFromANonMemberIsRejected() {
        let outsider = NodeIdentity(deterministicLabel: "outsider")
        let reveal = Reveal(
            requestId: scenario.request.id, inferenceId: Commitment.inferenceId(requestId: scenario.request.id, nodeId: outsider.nodeId),
            model: CertificateScenario.models[0], output: "Four.", salt: [UInt8](repeating: 1, count: 32), embedding: scenario.embeddings[0]
        )
        var reveals = scenario.reveals
        reveals[3] = CertificateScenario.sign(.reveal(reveal), by: outsider)
        do throws(CertificateError) {
            _ = try verify(scenario.certificate(reveals: reveals))
            Issue.record("a reveal from a non-member was accepted")
        } catch {
            guard case let .rejectedPacket(.inconsistent(detail)) = error else { Issue.record("unexpected \(error)"); return }
            #expect(detail.contains("\(outsider.nodeId.short) is not a quorum member"), "\(detail)")
        }
    }

    @Test func anAgreementWithoutAWithheldRevealVerifiesAndNamesTheAbsentMember() throws {
        // Members 0 to 2 agree: three of four seats reach the threshold without member 3.
        let partial = scenario.outcome(counting: [0, 1, 2])
        let verified = try verify(scenario.certificate(reveals: Array(scenario.reveals.prefix(3)), outcome: partial))
        #expect(verified.outcome == partial && verified.absentMembers == [scenario.members[3].nodeId])
    }

    @Test func aFailureWithoutEveryRevealIsRejected() {
        // Members 0 and 3 alone cannot agree; the missing reveals might have made them.
        let reveals = [scenario.reveal(of: 0), scenario.reveal(of: 3)]
        let outcome = scenario.outcome(counting: [0, 3])
        let absent = Set([scenario.members[1].nodeId, scenario.members[2].nodeId])
        let firstAbsent = scenario.quorum.quorum!.commits.map(\.sender).first { absent.contains($0) }!
        #expect(throws: CertificateError.missingReveal(member: firstAbsent)) {
            try verify(scenario.certificate(reveals: reveals, outcome: outcome))
        }
    }

    @Test func aHistoryForgedByFreshKeysIsRefused() throws {
        // Four fresh keys sign a complete, consistent history: request, commits, quorum, reveals, result.
        let forged = CertificateScenario(nonce: "f0f0", members: (0..<4).map { NodeIdentity(deterministicLabel: "fresh key \($0)") })
        let bundle = try CertificateBundle(network: CertificateScenario.network, results: [forged.result(forged.certificate())])
        // Held to its own keys, it is consistent...
        let ownMembership = Membership.equalWeights(forged.members.map(\.nodeId))
        _ = try CertificateVerifier.verify(bundle, membership: ownMembership)
        // ...but not to the network's membership: its members are nobody's committee.
        #expect(throws: CertificateError.self) {
            try CertificateVerifier.verify(bundle, membership: CertificateScenario.membership)
        }
        do {
            _ = try CertificateVerifier.verify(bundle, membership: CertificateScenario.membership)
        } catch {
            #expect("\(error)".contains("not in the network's allowlist membership"), "\(error)")
        }
    }

    @Test func aClaimedOutcomeConsensusDoesNotGiveIsRejected() {
        let commitments = scenario.commits.map { $0.commit!.commitment }
        let claims: [ResultOutcome] = [
            .agreed(chosen: commitments[3], cluster: [commitments[3]]),
            .failed(reason: "no cluster large enough: largest 1, 3 required"),
        ]
        for claim in claims {
            #expect(throws: CertificateError.outcomeMismatch(claimed: claim, recomputed: scenario.honestOutcome)) {
                try verify(scenario.certificate(outcome: claim))
            }
        }
    }

    @Test func resultForAnotherNetworkIsRejected() throws {
        let foreign = scenario.result(scenario.certificate(), network: "other-net")
        #expect(throws: CertificateError.wrongNetwork(path: "results[0]", expected: "rakis-test", found: "other-net")) {
            try CertificateVerifier.verify(try CertificateBundle(network: "rakis-test", results: [foreign]), membership: CertificateScenario.membership)
        }
        // Declaring the other network in the file does not help: the packets inside are signed for rakis-test.
        let declared = text(try scenario.honestBundle).replacingOccurrences(of: "\"network\":\"rakis-test\",\"results\"",
                                                                            with: "\"network\":\"other-net\",\"results\"")
        #expect(throws: CertificateError.wrongNetwork(path: "results[0]", expected: "other-net", found: "rakis-test")) {
            try CertificateVerifier.verify(try read(declared), membership: CertificateScenario.membership)
        }
    }

    @Test func fallbackQuorumOutsideItsWindowIsInadmissible() {
        // Made by a member 40 s after the request, when the fallback window (33.75 s to 37.5 s) has closed.
        let fixer = scenario.members[0]
        let quorum = CertificateScenario.sign(.quorum(QuorumDecision(request: scenario.requestEnvelope, commits: scenario.commits)), by: fixer)
        #expect(throws: CertificateError.inadmissibleQuorum(fixer: fixer.nodeId)) {
            try verify(scenario.certificate(quorum: quorum), by: fixer)
        }
    }

    @Test func reembeddingJudgesRevealsAsANodeDoes() throws {
        // Member 0's engine would embed its output elsewhere: a node that re-embeds does not count it.
        let lying = BinaryEmbedding(bytes: scenario.embeddings[3].bytes)
        let engine: (String) -> BinaryEmbedding = { output in
            output == scenario.outputs[0] ? lying : scenario.embeddings[scenario.outputs.firstIndex(of: output)!]
        }
        let nodesOutcome = scenario.outcome(counting: [1, 2, 3])
        #expect(nodesOutcome != scenario.honestOutcome)
        let bundle = try CertificateBundle(network: CertificateScenario.network,
                                           results: [scenario.result(scenario.certificate(outcome: nodesOutcome))])
        let verified = try CertificateVerifier.verify(bundle, membership: CertificateScenario.membership, reembed: engine)
        #expect(verified.outcome == nodesOutcome)
        #expect(verified.discountedReveals.map(\.member) == [scenario.members[0].nodeId])
        // Taking the revealed embeddings as they are counts member 0, so the claim does not hold.
        #expect(throws: CertificateError.outcomeMismatch(claimed: nodesOutcome, recomputed: scenario.honestOutcome)) {
            try CertificateVerifier.verify(bundle, membership: CertificateScenario.membership)
        }
        // And the honest certificate fails under that engine.
        #expect(throws: CertificateError.outcomeMismatch(claimed: scenario.honestOutcome, recomputed: nodesOutcome)) {
            try CertificateVerifier.verify(try scenario.honestBundle, membership: CertificateScenario.membership, reembed: engine)
        }
    }

    @Test func malformedFilesAreRejectedWithTheirReason() throws {
        let good = text(try scenario.honestBundle)
        #expect(throws: CertificateError.unsupportedFormat("rakis-certificate/2")) {
            try read(good.replacingOccurrences(of: "rakis-certificate/1", with: "rakis-certificate/2"))
        }
        #expect(throws: CertificateError.noResults) {
            try read(#"{"format":"rakis-certificate/1","network":"rakis-test","results":[]}"#)
        }
        let malformed = [
            ("{not json", "invalid JSON"),
            (good.replacingOccurrences(of: "{\"format\"", with: "{\"extra\":1,\"format\""), "certificate: unknown field \"extra\""),
            (good.replacingOccurrences(of: ",\"network\":\"rakis-test\",\"results\"", with: ",\"results\""), "certificate.network: missing"),
            (good.replacingOccurrences(of: "\"status\":\"agreed\"", with: "\"status\":\"maybe\""), "unknown outcome status"),
        ]
        for (text, expected) in malformed {
            do throws(CertificateError) {
                _ = try read(text)
                Issue.record("accepted a file with \(expected)")
            } catch {
                guard case let .malformed(detail) = error else { Issue.record("unexpected \(error)"); continue }
                #expect(detail.contains(expected), "\(detail)")
            }
        }
    }

    @Test func resultsMustBeOneSortedSetForOneCertificate() throws {
        let bundle = try scenario.honestBundle
        let results = bundle.results.map { String(decoding: $0.wireBytes, as: UTF8.self) }
        func file(_ results: [String]) -> String {
            #"{"format":"rakis-certificate/1","network":"rakis-test","results":["# + results.joined(separator: ",") + "]}"
        }
        #expect(throws: CertificateError.unsortedResults) { try read(file(results.reversed())) }
        #expect(throws: CertificateError.duplicateSigner(path: "results[1]", signer: bundle.results[0].sender)) {
            try read(file([results[0], results[0]]))
        }
        let commit = String(decoding: scenario.commits[0].wireBytes, as: UTF8.self)
        #expect(throws: CertificateError.notAResult(path: "results[0]", type: "commit")) { try read(file([commit])) }

        let member = scenario.members[1]
        let otherOutcome = scenario.result(scenario.certificate(outcome: .failed(reason: "made up")), by: member)
        // Whichever of the two sorts first, the second is the one that differs.
        let expectedPath = "results[1]"
        #expect(throws: CertificateError.differentCertificates(path: expectedPath)) {
            try CertificateBundle(network: CertificateScenario.network, results: [bundle.results.first { $0.sender != member.nodeId }!, otherOutcome])
        }
        let other = CertificateScenario(nonce: "beef")
        let otherRequest = other.result(other.certificate(), by: other.members[1])
        #expect(otherRequest.sender == member.nodeId)
        #expect(throws: CertificateError.differentRequests(path: expectedPath)) {
            try CertificateBundle(network: CertificateScenario.network, results: [bundle.results.first { $0.sender != member.nodeId }!, otherRequest])
        }
    }
}
