import RakisCore

/// Reveals, their verification, consensus and the result certificate.
extension Node {
    func revealIfMember(_ record: RequestRecord) {
        guard var own = record.own, !own.revealed, record.members[nodeId] != nil else { return }
        own.revealed = true
        record.own = own
        let reveal = Reveal(
            requestId: record.id, inferenceId: Commitment.inferenceId(requestId: record.id, nodeId: nodeId),
            model: own.model, output: own.output, salt: own.salt, embedding: own.embedding,
            fieldEmbeddings: own.fieldEmbeddings
        )
        let envelope = broadcast(.reveal(reveal))
        effects.append(.persist(.packet(envelope)))
        record.reveals[own.commitment] = envelope
        record.verdicts[nodeId] = .valid(own.embedding)
        advance(record, to: .revealed)
    }

    func receiveReveal(_ envelope: Envelope, _ record: RequestRecord) throws(PacketRejection) {
        guard envelope.packet.createdAt <= record.frame.revealDeadline else {
            throw .late("reveal made after the reveal deadline")
        }
        guard record.conclusion == nil, let commitment = envelope.revealedCommitment else { return }
        // A reveal counts only for the commitment it re-derives, from a node known to have made
        // it: in the adopted quorum, or in a commit (a quorum that wins later may include it).
        let known = [record.members[envelope.sender]?.commitment, record.commits[envelope.sender]?.commit?.commitment]
        guard known.contains(commitment) else {
            if known.allSatisfy({ $0 == nil }) {
                // The reveal outran its commit or quorum: it waits.
                orphans.hold(envelope, for: record.id, via: "orphan")
                return
            }
            throw .inconsistent("reveal from \(envelope.sender.short) does not re-derive its commitment")
        }
        guard record.reveals[commitment] == nil else { return }
        record.reveals[commitment] = envelope
        effects.append(.persist(.packet(envelope)))
        if record.members[envelope.sender]?.commitment == commitment {
            startVerification(record, member: envelope.sender)
            concludeIfComplete(record)
        }
    }

    /// Checks a member's reveal against its commit, then asks for the output to be re-embedded.
    func startVerification(_ record: RequestRecord, member: NodeID) {
        guard record.verdicts[member] == nil, !record.verificationsStarted.contains(member),
              let commit = record.members[member], let reveal = record.reveal(of: member)?.reveal
        else { return }
        let bits = record.request.embedding.bits
        if let defect = reveal.defect(committedModel: commit.model, bits: bits) {
            record.verdicts[member] = .invalid(defect)
            return
        }
        var fieldTexts: [String] = []
        if let format = record.request.format {
            do throws(StructuredOutputDefect) {
                fieldTexts = try reveal.structuredOutput(format: format, bits: bits).embeddedTexts
            } catch {
                record.verdicts[member] = .invalid(error.description)
                return
            }
        } else if !reveal.fieldEmbeddings.isEmpty {
            record.verdicts[member] = .invalid("field embeddings revealed for a request without a format")
            return
        }
        record.verificationsStarted.insert(member)
        effects.append(.startEmbedding(EmbeddingJob(
            requestId: record.id, purpose: .verify(member), model: record.request.embedding.model,
            text: reveal.output, fieldTexts: fieldTexts, bits: bits
        )))
    }

    func embeddingFinished(_ job: EmbeddingJob, embedding: BinaryEmbedding, fields: [BinaryEmbedding]) {
        guard let record = records[job.requestId] else { return }
        switch job.purpose {
        case .own:
            commitOwnOutput(record, embedding: embedding, fields: fields, fieldTexts: job.fieldTexts.count)
        case let .verify(member):
            // The job may be for the reveal of another commitment of the member (an equivocator's,
            // under an earlier quorum): only the re-embedding of the reveal that counts now judges it.
            guard record.verdicts[member] == nil, let revealed = record.reveal(of: member)?.reveal, revealed.output == job.text else { return }
            let bits = record.request.embedding.bits
            var defect = revealed.reembeddingDefect(embedding, bits: bits, tolerance: config.revealTolerance)
            if defect == nil, let format = record.request.format {
                // The reveal passed `structuredOutput` when its verification started.
                guard let structured = try? revealed.structuredOutput(format: format, bits: bits) else {
                    preconditionFailure("a reveal sent to re-embedding is a valid structured output")
                }
                defect = fields.count == job.fieldTexts.count && fields.allSatisfy({ $0.bitCount >= bits })
                    ? revealed.fieldReembeddingDefect(fields, of: structured, bits: bits, tolerance: config.revealTolerance)
                    : "verifier's field embeddings are missing or short"
            }
            record.verdicts[member] = defect.map(RevealVerdict.invalid) ?? .valid(revealed.embedding)
            concludeIfComplete(record)
        }
    }

    func embeddingFailed(_ job: EmbeddingJob, reason: String) {
        guard let record = records[job.requestId] else { return }
        switch job.purpose {
        case .own:
            releaseJob(job.requestId, abandon: true)
        case let .verify(member):
            // The verifier could not judge the reveal that counts now, so it cannot count it.
            guard record.verdicts[member] == nil, record.reveal(of: member)?.reveal?.output == job.text else { return }
            record.verdicts[member] = .invalid("could not re-embed: \(reason)")
            concludeIfComplete(record)
        }
    }

    /// When a node decides, so that every honest node decides over the same reveals. The fixer
    /// decides over the complete set of judged reveals and publishes the result; every other node
    /// decides over the reveal set of the fixer's result packet (verifying each reveal itself): at
    /// once when it holds every member's reveal, at the settle point when it does not (`settle`).
    /// Under any other quorum than the origin's complete one, nobody decides before competing
    /// quorums have settled.
    func concludeIfComplete(_ record: RequestRecord) {
        guard record.conclusion == nil, let quorum = record.quorum,
              record.quorumIsFinal || now >= QuorumRules.fallbackSettles(record.frame)
        else { return }
        if quorum.sender == nodeId {
            guard record.memberOrder.allSatisfy({ record.verdicts[$0] != nil }) else { return }
            decide(record, over: record.memberOrder)
        } else if let revealers = fixerRevealers(record), revealers.count == record.memberOrder.count,
                  revealers.allSatisfy({ record.verdicts[$0] != nil }) {
            decide(record, over: revealers)
        }
    }

    /// The members whose reveals the fixer's result packet holds, if one arrived.
    func fixerRevealers(_ record: RequestRecord) -> [NodeID]? {
        guard let result = record.fixerResult?.result else { return nil }
        return record.memberOrder.filter { member in result.reveals.contains { $0.sender == member } }
    }

    /// Runs consensus over the judged reveals of `revealers` (members, each with a verdict), weighted
    /// by their seats, concludes, and publishes the certificate if this node fixed the quorum.
    func decide(_ record: RequestRecord, over revealers: [NodeID]) {
        guard let quorum = record.quorum else { preconditionFailure("consensus runs under an adopted quorum") }
        advance(record, to: .verified)
        for member in record.memberOrder {
            if !revealers.contains(member) {
                effects.append(.notify(.memberFaulted(requestId: record.id, member: member, fault: .withheld)))
            } else if case let .invalid(reason) = record.verdicts[member] {
                effects.append(.notify(.memberFaulted(requestId: record.id, member: member, fault: .invalidReveal(reason))))
            }
        }
        let decision = consensus(record, over: revealers)
        let outcome: RequestConclusion.Outcome
        switch decision {
        case let .agreed(_, cluster, chosen):
            // Consensus chooses among the points, each a member's valid, revealed commitment.
            guard let author = record.memberOrder.first(where: { record.members[$0]?.commitment == chosen }),
                  let reveal = record.reveal(of: author)?.reveal
            else { preconditionFailure("consensus chose commitment \(chosen.hex.prefix(8)), which no revealed member made") }
            outcome = .final(ChosenOutput(node: author, model: reveal.model, output: reveal.output, commitment: chosen, cluster: cluster))
        case let .failed(failure):
            outcome = .failed(.consensus(failure))
        }
        let claimed = ResultOutcome(decision)
        let reveals = revealers.compactMap { record.reveal(of: $0) }
        let certificate = ResultCertificate(quorum: quorum, reveals: reveals, outcome: claimed)
        // The quorum's fixer publishes the certificate, the canonical reveal set; members send it
        // again when a retransmission shows someone is still waiting (`answerRetransmission`).
        if quorum.sender == nodeId {
            let published = broadcast(.result(certificate))
            effects.append(.persist(.packet(published)))
            record.fixerResult = published
        }
        conclude(record, outcome, certificate: certificate)
        for (sender, outcome) in record.claimedOutcomes where outcome != claimed {
            effects.append(.notify(.conflictingResult(requestId: record.id, from: sender)))
        }
    }

    /// Loss recovery, a few times before the reveal deadline while this node has not concluded: the
    /// fixer re-sends its quorum packet (so a member that missed it reveals) and each member its
    /// reveal. Receivers drop what they already have as duplicates; those that concluded answer
    /// with the fixer's result, which carries every reveal (`answerRetransmission`).
    func retransmit(_ record: RequestRecord) {
        guard let quorum = record.quorum, record.conclusion == nil else { return }
        if quorum.sender == nodeId { effects.append(.broadcast(quorum)) }
        if record.own?.revealed == true, let reveal = record.reveal(of: nodeId) { effects.append(.broadcast(reveal)) }
        scheduleRetransmit(record)
    }

    /// A quorum packet or reveal seen twice is usually a retransmission: a node that sent it is
    /// still waiting for reveals. A member or fixer that has concluded answers, once, by sending the
    /// fixer's result packet again, as signed: that is what a node decides over (a member's own
    /// certificate would not let it decide), and the fixer may be gone by now.
    func answerRetransmission(_ envelope: Envelope) {
        let requestId: Hash256
        switch envelope.packet.body {
        case let .quorum(quorum): requestId = quorum.requestId
        case let .reveal(reveal): requestId = reveal.requestId
        default: return
        }
        guard let record = records[requestId], record.conclusion != nil, let fixerResult = record.fixerResult,
              !record.answeredRetransmission, isMemberOrFixer(record)
        else { return }
        record.answeredRetransmission = true
        effects.append(.broadcast(fixerResult))
    }

    /// The nodes that take part in loss recovery for a request: its quorum members and fixer.
    func isMemberOrFixer(_ record: RequestRecord) -> Bool {
        record.members[nodeId] != nil || record.quorum?.sender == nodeId
    }

    func scheduleRetransmit(_ record: RequestRecord) {
        let interval = QuorumRules.fallbackWindow(record.frame)
        guard record.retransmissions < RequestRecord.maxRetransmissions, now + interval < record.frame.revealDeadline, isMemberOrFixer(record)
        else { return }
        record.retransmissions += 1
        setTimer(.retransmit, record.id, at: now + interval)
    }

    /// Reveal deadline. The request is not failed for missing reveals yet: the fixer, if some are
    /// missing, publishes half a settle window later the result over the reveals it holds when
    /// those alone decide it (`publishPartialResult`), and every node concludes at the settle
    /// point at the latest (`settle`), so a minority that withholds cannot fail the request.
    func revealDeadlinePassed(_ record: RequestRecord) {
        guard let quorum = record.quorum else {
            conclude(record, .failed(.noQuorum), certificate: nil)
            return
        }
        if quorum.sender == nodeId, record.memberOrder.contains(where: { record.reveal(of: $0) == nil }) {
            setTimer(.partialResult, record.id, at: record.frame.revealDeadline + config.settleWindow / 2)
        }
        setTimer(.settle, record.id, at: record.frame.revealDeadline + config.settleWindow)
    }

    /// The fixer, some reveals missing: consensus over the judged reveals it holds. It publishes
    /// and concludes only if they agree; otherwise the settle point fails the request everywhere.
    func publishPartialResult(_ record: RequestRecord) {
        guard record.conclusion == nil, record.quorum?.sender == nodeId else { return }
        let judged = record.memberOrder.filter { record.reveal(of: $0) != nil && record.verdicts[$0] != nil }
        guard judged.count < record.memberOrder.count, case .agreed = consensus(record, over: judged) else { return }
        decide(record, over: judged)
    }

    /// The settle point: the last moment to decide. The fixer's result names the reveal set if one
    /// arrived and its reveals are judged here. Without it the request fails, even at a node that
    /// holds every reveal: the fixer may have published a partial set to others, and deciding over
    /// another set could choose another output.
    func settle(_ record: RequestRecord) {
        guard record.conclusion == nil else { return }
        let missing = record.memberOrder.filter { record.reveal(of: $0) == nil }
        if let revealers = fixerRevealers(record) {
            if revealers.allSatisfy({ record.verdicts[$0] != nil }) {
                decide(record, over: revealers)
            } else {
                conclude(record, .failed(.verificationTimedOut), certificate: nil)
            }
            return
        }
        for member in missing {
            effects.append(.notify(.memberFaulted(requestId: record.id, member: member, fault: .withheld)))
        }
        conclude(record, .failed(missing.isEmpty ? .noResultFromFixer : .missingReveals(missing)), certificate: nil)
    }

    /// Consensus over these members' reveals judged valid, each point weighted by the member's seats:
    /// field by field for a structured request (`StructuredConsensus`).
    func consensus(_ record: RequestRecord, over revealers: [NodeID]) -> ConsensusOutcome {
        if let format = record.request.format { return structuredConsensus(record, format: format, over: revealers) }
        let points = revealers.compactMap { member -> ConsensusPoint? in
            guard case let .valid(embedding) = record.verdicts[member], let commit = record.members[member] else { return nil }
            return ConsensusPoint(commitment: commit.commitment, embedding: embedding, seats: record.seats(of: member))
        }
        let frame = record.frame
        return Consensus.decide(requestId: record.id, points: points, bits: record.request.embedding.bits,
                                secDistance: frame.secDistance, secPercentage: frame.secPercentage, quorum: frame.quorum)
    }

    func structuredConsensus(_ record: RequestRecord, format: OutputSchema, over revealers: [NodeID]) -> ConsensusOutcome {
        let bits = record.request.embedding.bits
        let points = revealers.compactMap { member -> StructuredPoint? in
            guard case .valid = record.verdicts[member], let commit = record.members[member],
                  let reveal = record.reveal(of: member)?.reveal
            else { return nil }
            guard let structured = try? reveal.structuredOutput(format: format, bits: bits) else {
                preconditionFailure("a reveal judged valid is a valid structured output")
            }
            return StructuredPoint(commitment: commit.commitment, value: structured.value,
                                   fieldEmbeddings: reveal.fieldEmbeddings, seats: record.seats(of: member))
        }
        return StructuredConsensus.decide(requestId: record.id, format: format, points: points, bits: bits, frame: record.frame)
    }

    /// A certificate from another node: adopt its quorum if it wins, and take its reveals as if
    /// they had arrived directly. This node still verifies and decides for itself.
    func receiveResult(_ envelope: Envelope, _ result: ResultCertificate) throws(PacketRejection) {
        guard let quorum = result.quorum.quorum else { preconditionFailure("the validator admits a result only with its quorum packet") }
        guard let record = track(quorum.request) else { return }
        // Kept as evidence, and for the certificate files this node hands out.
        effects.append(.persist(.packet(envelope)))
        if let conclusion = record.conclusion {
            if conclusion.certificate?.outcome != result.outcome {
                effects.append(.notify(.conflictingResult(requestId: record.id, from: envelope.sender)))
            }
            return
        }
        record.claimedOutcomes.append((envelope.sender, result.outcome))
        let (committee, complete) = try committee(of: quorum, record)
        if QuorumRules.isAdmissible(result.quorum, for: record.request, complete: complete) {
            adopt(result.quorum, committee: committee, complete: complete, record)
        }
        for reveal in result.reveals where record.members[reveal.sender] != nil {
            try receiveReveal(reveal, record)
        }
        keepIfFixerResult(envelope, result, record)
        concludeIfComplete(record)
    }

    /// The adopted quorum's fixer's result names the reveal set every node decides over. One
    /// without every member's reveal counts only if made at or after the reveal deadline. Between
    /// two (an equivocating fixer), the one with more reveals, then the smaller packet id, is kept.
    func keepIfFixerResult(_ envelope: Envelope, _ result: ResultCertificate, _ record: RequestRecord) {
        guard let quorum = record.quorum, result.quorum.id == quorum.id, envelope.sender == quorum.sender,
              result.reveals.count == record.memberOrder.count || envelope.packet.createdAt >= record.frame.revealDeadline
        else { return }
        if let keptEnvelope = record.fixerResult, let kept = keptEnvelope.result {
            guard keptEnvelope.id != envelope.id else { return }
            effects.append(.notify(.conflictingResult(requestId: record.id, from: envelope.sender)))
            let better = result.reveals.count > kept.reveals.count
                || (result.reveals.count == kept.reveals.count && envelope.id < keptEnvelope.id)
            guard better else { return }
        }
        record.fixerResult = envelope
    }
}
