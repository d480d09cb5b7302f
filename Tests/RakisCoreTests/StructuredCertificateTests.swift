import Testing
@testable import RakisCore

/// Certificates of structured requests: `{"n": integer, "w": string}`. Members 0 to 2 answer 4 with
/// close words, member 3 answers 5 (or something invalid).
@Suite struct StructuredCertificateTests {
    static let format = try! schema(#"{"type":"object","properties":{"n":{"type":"integer"},"w":{"type":"string"}},"required":["n","w"],"additionalProperties":false}"#)
    static let base = (0..<48).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    static let words = [BinaryEmbedding(bytes: base), BinaryEmbedding(bytes: CertificateScenario.flipping(base, bits: 0..<10)),
                        BinaryEmbedding(bytes: CertificateScenario.flipping(base, bits: 100..<120)), BinaryEmbedding(bytes: base.map { ~$0 })]
    static let outputs = [#"{"n":4,"w":"four"}"#, #"{"n":4,"w":"Four"}"#, #"{"n":4,"w":"four."}"#, #"{"n":5,"w":"five"}"#]

    static func scenario(outputs: [String] = outputs, fieldEmbeddings: [[BinaryEmbedding]] = words.map { [$0] },
                         partial: Bool = false) -> CertificateScenario {
        CertificateScenario(nonce: "5c4e3a", outputs: outputs, format: format, fieldEmbeddings: fieldEmbeddings, partial: partial)
    }

    let scenario = Self.scenario()

    func verify(_ scenario: CertificateScenario, _ certificate: ResultCertificate,
                reembed: ((String) -> BinaryEmbedding)? = nil) throws(CertificateError) -> VerifiedCertificate {
        try CertificateVerifier.verify(CertificateBundle(network: CertificateScenario.network, results: [scenario.result(certificate)]),
                                       membership: CertificateScenario.membership, reembed: reembed)
    }

    /// An engine that embeds each text as the scenario's members claimed, except the texts in `lies`.
    func engine(_ scenario: CertificateScenario, lies: [String: BinaryEmbedding] = [:]) -> (String) -> BinaryEmbedding {
        { text in
            if let lie = lies[text] { return lie }
            if let index = scenario.outputs.firstIndex(of: text) { return scenario.embeddings[index] }
            let words = ["four", "Four", "four.", "five"]
            return Self.words[words.firstIndex(of: text)!]
        }
    }

    @Test func anHonestStructuredCertificateVerifiesUnderTheFieldRule() throws {
        #expect(scenario.request.format == Self.format)
        let verified = try verify(scenario, scenario.certificate(), reembed: engine(scenario))
        guard let agreement = verified.agreement else { Issue.record("expected agreement, got \(verified.outcome)"); return }
        #expect(Set(agreement.cluster) == Set(scenario.members.prefix(3).map(\.nodeId)), "member 3 answered 5")
        #expect(Self.outputs.prefix(3).contains(agreement.output))
        #expect(verified.discountedReveals.isEmpty && verified.fieldOutcome == nil)
    }

    @Test func aChangedFieldOrASwappedFieldEmbeddingIsRefused() {
        let member = scenario.members[0].nodeId
        let index = scenario.certificate().reveals.firstIndex { $0.sender == member }!
        // The member signs what it did not commit to: another answer, or another word's embedding.
        for tampered in [scenario.reveal(of: 0, output: #"{"n":5,"w":"four"}"#),
                         scenario.reveal(of: 0, fieldEmbeddings: [Self.words[3]])] {
            var reveals = scenario.reveals
            reveals[0] = tampered
            #expect(throws: CertificateError.commitmentMismatch(path: "reveals[\(index)]", member: member)) {
                try verify(scenario, scenario.certificate(reveals: reveals))
            }
        }
        // The certificate's claim that member 3's answer agrees is refused: its field differs.
        let commitments = scenario.commits.map { $0.commit!.commitment }
        let claim = ResultOutcome.agreed(chosen: commitments[3], cluster: commitments.sorted())
        #expect(throws: CertificateError.outcomeMismatch(claimed: claim, recomputed: scenario.honestOutcome)) {
            try verify(scenario, scenario.certificate(outcome: claim))
        }
    }

    @Test func aCommittedLieAboutAFieldEmbeddingIsDiscountedOnReembedding() throws {
        // Member 2 committed to an embedding of "four." that the engine does not give.
        let lying = engine(scenario, lies: ["four.": Self.words[3]])
        let nodesOutcome = scenario.outcome(counting: [0, 1, 3])
        #expect(throws: CertificateError.outcomeMismatch(claimed: scenario.honestOutcome, recomputed: nodesOutcome)) {
            try verify(scenario, scenario.certificate(), reembed: lying)
        }
        let verified = try verify(scenario, scenario.certificate(outcome: nodesOutcome), reembed: lying)
        #expect(verified.discountedReveals == [.init(member: scenario.members[2].nodeId,
                                                     reason: "re-embedding of $.w differs in 364 bits, tolerance 0")])
    }

    @Test func anOutputThatIsNotCanonicalValidJSONDoesNotCount() throws {
        let cases: [(String, [BinaryEmbedding], String)] = [
            (#"{"n":5}"#, [], "output does not match the schema: $.w: missing required field"),
            (#"{"w":"five","n":5}"#, [Self.words[3]], "output is not in canonical JSON form (RFC 8785)"),
            ("five", [], "output is not JSON"),
            (#"{"n":5,"w":"five"}"#, [], "0 field embeddings for 1 free strings"),
        ]
        for (output, fields, reason) in cases {
            var outputs = Self.outputs
            outputs[3] = output
            var fieldEmbeddings = Self.words.map { [$0] }
            fieldEmbeddings[3] = fields
            let scenario = Self.scenario(outputs: outputs, fieldEmbeddings: fieldEmbeddings)
            let verified = try verify(scenario, scenario.certificate(outcome: scenario.outcome(counting: [0, 1, 2])))
            #expect(verified.discountedReveals.map(\.member) == [scenario.members[3].nodeId])
            let found = verified.discountedReveals.first?.reason ?? ""
            #expect(found.hasPrefix(reason), "\(output): \(found)")
        }
    }

    @Test func aPartialFrameCarriesTheFieldOutcome() throws {
        let scenario = Self.scenario(partial: true)
        let verified = try verify(scenario, scenario.certificate())
        guard let fields = verified.fieldOutcome else { Issue.record("no field outcome"); return }
        #expect(ResultOutcome(fields.whole) == verified.outcome)
        #expect(fields.agreed.map(\.path.description) == ["$.n", "$.w"] && fields.unresolved.isEmpty)
        #expect(fields.agreed[0].value == 4)
    }
}
