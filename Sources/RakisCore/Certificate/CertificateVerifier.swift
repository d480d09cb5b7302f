/// Checks a certificate file offline, as a node that received its result packets would, and
/// recomputes the outcome by the node's rule. Nothing is checked against a clock: a certificate
/// stays valid forever.
///
/// Packets that are consistent with each other are not enough: fresh keys can sign a whole
/// history. The verifier holds the certificate to the network's membership, which it takes from
/// its own settings, never from the file: every member must be weighted, the members must be the
/// committee the rank rule gives for their commits, and an early quorum must be complete.
public enum CertificateVerifier {
    /// How many bits a re-embedding may differ in: the protocol's default tolerance, since honest
    /// engines compute the same bits.
    public static let reembeddingTolerance = 0

    /// A structured request (one with a `format`) is judged by its own rules: a reveal counts only
    /// with a canonical, schema-valid output and one field embedding per free string, and the
    /// outcome is `StructuredConsensus`'s; with `frame.partial`, the verified certificate also
    /// carries the field-by-field outcome, which any verifier derives from the same reveals.
    ///
    /// - Parameter reembed: the embedding engine's binary embedding of a text, when the caller
    ///   has the request's embedding model. Each reveal is then judged as a node judges it after
    ///   re-embedding (its output, and each free string of a structured output); without it,
    ///   revealed embeddings are taken as they are.
    public static func verify(
        _ bundle: CertificateBundle, membership: Membership, reembed: ((String) -> BinaryEmbedding)? = nil
    ) throws(CertificateError) -> VerifiedCertificate {
        let certificate = bundle.certificate
        let quorum = certificate.quorum.quorum!
        let request = quorum.request.request!
        let fixer = certificate.quorum.sender
        // Nodes keep members in the quorum's order (by commitment); consensus does not depend on it.
        let commits = quorum.commits.map { (member: $0.sender, commit: $0.commit!) }

        try checkSignedPackets(bundle, membership: membership, fixer: fixer, members: Set(commits.map { $0.member }))
        // The validator admitted the quorum packet only with a committee under the rank rule.
        let committee = QuorumRules.committee(of: quorum, membership: membership, network: bundle.network)!
        let complete = committee.isComplete(requestId: request.id, membership: membership)
        guard QuorumRules.isAdmissible(certificate.quorum, for: request, complete: complete) else {
            throw .inadmissibleQuorum(fixer: fixer)
        }

        let revealIndex = Dictionary(uniqueKeysWithValues: certificate.reveals.enumerated().map { ($0.element.sender, $0.offset) })
        let bits = request.embedding.bits
        var points: [ConsensusPoint] = []
        var structuredPoints: [StructuredPoint] = []
        var discounted: [VerifiedCertificate.DiscountedReveal] = []
        var absent: [NodeID] = []
        for (member, commit) in commits {
            guard let index = revealIndex[member] else {
                absent.append(member)
                continue
            }
            let envelope = certificate.reveals[index]
            guard envelope.revealedCommitment == commit.commitment else {
                throw .commitmentMismatch(path: "reveals[\(index)]", member: member)
            }
            let reveal = envelope.reveal!
            var defect = reveal.defect(committedModel: commit.model, bits: bits)
                ?? reembed.flatMap { reveal.reembeddingDefect($0(reveal.output), bits: bits, tolerance: reembeddingTolerance) }
            var structured: StructuredOutput?
            if defect == nil, let format = request.format {
                do throws(StructuredOutputDefect) {
                    let output = try reveal.structuredOutput(format: format, bits: bits)
                    defect = reembed.flatMap { embed in
                        reveal.fieldReembeddingDefect(output.embeddedTexts.map(embed), of: output, bits: bits, tolerance: reembeddingTolerance)
                    }
                    structured = output
                } catch {
                    defect = "\(error)"
                }
            }
            let seats = committee.seatCount[member]!
            if let defect {
                discounted.append(.init(member: member, reason: defect))
            } else if let structured {
                structuredPoints.append(StructuredPoint(commitment: commit.commitment, value: structured.value,
                                                        fieldEmbeddings: reveal.fieldEmbeddings, seats: seats))
            } else {
                points.append(ConsensusPoint(commitment: commit.commitment, embedding: reveal.embedding, seats: seats))
            }
        }

        let frame = request.frame
        let decision: ConsensusOutcome
        var fieldOutcome: StructuredOutcome?
        if let format = request.format {
            if frame.partial {
                let fields = StructuredConsensus.decideFields(requestId: request.id, format: format, points: structuredPoints,
                                                              bits: bits, frame: frame)
                decision = fields.whole
                fieldOutcome = fields
            } else {
                decision = StructuredConsensus.decide(requestId: request.id, format: format, points: structuredPoints, bits: bits, frame: frame)
            }
        } else {
            decision = Consensus.decide(
                requestId: request.id, points: points, bits: bits,
                secDistance: frame.secDistance, secPercentage: frame.secPercentage, quorum: frame.quorum
            )
        }
        let recomputed = ResultOutcome(decision)
        guard recomputed == certificate.outcome else { throw .outcomeMismatch(claimed: certificate.outcome, recomputed: recomputed) }
        // A certificate without every member's reveal proves an agreement the present reveals reach
        // alone (the canonical reveal set of a request some members did not reveal for), never a
        // failure, which the missing reveals might have prevented.
        if case .failed = recomputed, let member = absent.first { throw .missingReveal(member: member) }

        var agreement: VerifiedCertificate.Agreement?
        if case let .agreed(chosen, cluster) = recomputed {
            // One member per commitment: each re-derived its commitment, which covers its node id.
            let memberOf = Dictionary(uniqueKeysWithValues: commits.map { ($0.commit.commitment, $0.member) })
            let author = memberOf[chosen]!
            let reveal = certificate.reveals[revealIndex[author]!].reveal!
            agreement = .init(output: reveal.output, author: author, model: reveal.model, commitment: chosen,
                              cluster: cluster.map { memberOf[$0]! })
        }
        return VerifiedCertificate(
            requestId: request.id, network: bundle.network, request: request, fixer: fixer,
            members: commits.map { $0.member }, seats: committee.seatCount,
            models: Dictionary(uniqueKeysWithValues: commits.map { ($0.member, $0.commit.model) }), absentMembers: absent, outcome: recomputed,
            agreement: agreement, fieldOutcome: fieldOutcome, discountedReveals: discounted, signers: bundle.results.map(\.sender)
        )
    }

    /// Every result packet and everything it embeds passes the checks a node applies on receipt
    /// (signatures, value ranges, a quorum of distinct commits for the request, one reveal per
    /// member), and was signed by the quorum's fixer or a member.
    private static func checkSignedPackets(_ bundle: CertificateBundle, membership: Membership, fixer: NodeID,
                                           members: Set<NodeID>) throws(CertificateError) {
        let validator = PacketValidator(network: bundle.network, membership: membership)
        for (index, result) in bundle.results.enumerated() {
            let path = "results[\(index)]"
            guard result.network == bundle.network else {
                throw .wrongNetwork(path: path, expected: bundle.network, found: result.network)
            }
            do throws(PacketRejection) {
                try validator.validateSigned(result, path: path)
            } catch {
                throw .rejectedPacket(error)
            }
            guard result.sender == fixer || members.contains(result.sender) else {
                throw .foreignSigner(path: path, signer: result.sender)
            }
        }
    }
}
