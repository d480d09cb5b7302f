import RakisCore

/// Commits and quorums: who is in, and the canonical rule when two quorum packets disagree.
extension Node {
    func receiveCommit(_ envelope: Envelope, _ commit: Commit, _ record: RequestRecord) throws(PacketRejection) {
        guard envelope.packet.createdAt <= record.frame.commitDeadline else {
            throw .late("commit made after the commit deadline")
        }
        guard record.conclusion == nil else { return }
        guard record.request.models.contains(commit.model) else {
            throw .inconsistent("model \"\(commit.model)\" is not accepted by the request")
        }
        guard needsCommits(record) else { return }
        if let known = record.commits[envelope.sender] {
            // The same commit may arrive again inside a quorum packet; a different one is equivocation.
            guard known.id == envelope.id else { throw .inconsistent("a second commit from \(envelope.sender.short)") }
            return
        }
        if record.commits.count >= RequestRecord.maxCommits {
            try makeRoom(for: envelope, commit, record)
        }
        effects.append(.persist(.packet(envelope)))
        addCommit(envelope, commit, record)
    }

    /// A request holds at most `RequestRecord.maxCommits` commits. Only the best seats can matter,
    /// so a newcomer takes the place of the commit with the worst first seat if it ranks better
    /// (never the adopted quorum's members' or this node's own); otherwise it is refused. A flood of
    /// commits from admitted identities cannot crowd out the ones that rank.
    func makeRoom(for envelope: Envelope, _ commit: Commit, _ record: RequestRecord) throws(PacketRejection) {
        func firstSeat(_ sender: NodeID, _ ticket: AdmissionTicket?) -> SeatScore {
            // A commit replayed from the store after the membership changed may have no weight: it ranks last.
            let weight = config.membership.weight(of: sender, ticket: ticket, network: config.network)
            guard weight > 0 else { return SeatScore(score: .infinity, node: sender, ticket: 0) }
            return SeatRank.firstSeat(requestId: record.id, node: sender, weight: weight)
        }
        let evictable = record.commits.filter { $0.key != nodeId && record.members[$0.key] == nil }
        guard let worst = evictable.map({ firstSeat($0.key, $0.value.commit?.ticket) }).max(),
              firstSeat(envelope.sender, commit.ticket) < worst
        else { throw .inconsistent("\(RequestRecord.maxCommits) better-ranked commits are already held for this request") }
        record.commits[worst.node] = nil
    }

    /// Whether this node needs individual commits: to fix a quorum (the origin, or a worker that may
    /// fix a fallback one) or to decide on backup work. Every other node learns the commits that
    /// matter from the quorum packet, which carries them, and skips the rest.
    func needsCommits(_ record: RequestRecord) -> Bool {
        isOrigin(of: record) || record.work != .none || record.mayBackUp
    }

    func addCommit(_ envelope: Envelope, _ commit: Commit, _ record: RequestRecord) {
        record.commits[envelope.sender] = envelope
        replayOrphans(of: record)
        // Event-driven: the origin fixes the quorum as soon as its commits make a complete committee.
        if isOrigin(of: record), record.quorum == nil, let committee = bestCommittee(record),
           committee.isComplete(requestId: record.id, membership: config.membership) {
            fixQuorum(record, committee)
        }
    }

    func isOrigin(of record: RequestRecord) -> Bool { record.request.origin.node == nodeId }

    /// The committee of the commits this node holds (those of the adopted quorum included), nil
    /// if they fill fewer seats than the quorum. Arrival order plays no part.
    func bestCommittee(_ record: RequestRecord) -> Committee? {
        // Commits are admitted from weighted identities only (`PacketValidator`); the filter keeps out
        // commits replayed from the store after the membership changed.
        let candidates = record.commits.keys.sorted().map { sender in
            (node: sender, weight: config.membership.weight(of: sender, ticket: record.commits[sender]!.commit!.ticket,
                                                            network: config.network))
        }.filter { $0.weight > 0 }
        return Committee(requestId: record.id, candidates: candidates, quorum: record.frame.quorum)
    }

    /// Signs and adopts a quorum of the committee's members' commits.
    func fixQuorum(_ record: RequestRecord, _ committee: Committee) {
        let chosen = committee.members.map { member in
            guard let commit = record.commits[member] else { preconditionFailure("committee member \(member.short) has no commit here") }
            return commit
        }
        let envelope = broadcast(.quorum(QuorumDecision(request: record.envelope, commits: chosen)))
        effects.append(.persist(.packet(envelope)))
        adopt(envelope, committee: committee, complete: committee.isComplete(requestId: record.id, membership: config.membership), record)
    }

    /// Past the commit deadline the request needs its reveal-deadline timer. The origin that has
    /// not found a complete committee fixes the best one it holds now; nodes that hold commits
    /// look again when the fallback window opens, to fix a quorum if there is none or a better one
    /// than an incomplete committee adopted.
    func commitDeadlinePassed(_ record: RequestRecord) {
        setTimer(.revealDeadline, record.id, at: record.frame.revealDeadline)
        if record.quorum == nil, isOrigin(of: record), let committee = bestCommittee(record) {
            fixQuorum(record, committee)
        }
        if !record.quorumIsFinal {
            setTimer(.fallbackQuorum, record.id, at: QuorumRules.fallbackOpens(record.frame))
        }
    }

    /// The fallback window: a node that committed (or the origin) fixes a quorum from the commits
    /// it holds if there is none, or if they make a better committee than the incomplete one
    /// adopted (a fixer that left out better-ranked commits is outranked here). A node that does
    /// not track commits cannot judge them: it waits for a quorum packet until the reveal deadline.
    func fallbackWindowOpened(_ record: RequestRecord) {
        guard !record.quorumIsFinal, needsCommits(record) else { return }
        guard let best = bestCommittee(record) else {
            if record.quorum == nil {
                let seats = record.commits.count
                conclude(record, .failed(.notEnoughCommits(have: seats, need: record.frame.quorum)), certificate: nil)
            }
            return
        }
        guard record.own != nil || isOrigin(of: record) else { return }
        if let adopted = record.committee, !best.isBetter(than: adopted) { return }
        fixQuorum(record, best)
    }

    func receiveQuorum(_ envelope: Envelope, _ quorum: QuorumDecision) throws(PacketRejection) {
        guard let record = track(quorum.request) else {
            throw .late("quorum for a request past its reveal deadline or already concluded")
        }
        let (committee, complete) = try committee(of: quorum, record)
        guard QuorumRules.isAdmissible(envelope, for: record.request, complete: complete) else {
            throw .senderMismatch("an incomplete committee is fixed by the origin from the commit deadline on, by others only inside the fallback window")
        }
        effects.append(.persist(.packet(envelope)))
        adopt(envelope, committee: committee, complete: complete, record)
    }

    /// The committee a received quorum packet claims, and whether it is complete. The validator
    /// admits a quorum packet only with a committee under the rank rule; one replayed from the
    /// store after the membership changed may no longer make one.
    func committee(of quorum: QuorumDecision, _ record: RequestRecord) throws(PacketRejection) -> (Committee, complete: Bool) {
        guard let committee = QuorumRules.committee(of: quorum, membership: config.membership, network: config.network) else {
            throw .notAdmitted("quorum: its members are not a committee under this node's membership")
        }
        return (committee, committee.isComplete(requestId: record.id, membership: config.membership))
    }

    /// Adopts a quorum packet unless the one already adopted wins under the canonical rule.
    /// Conflicts are answered by relaying the winner, so a node that missed it learns of it.
    func adopt(_ envelope: Envelope, committee: Committee, complete: Bool, _ record: RequestRecord) {
        guard let decision = envelope.quorum else { preconditionFailure("only a quorum packet is adopted as a quorum") }
        if let current = record.quorum, let currentCommittee = record.committee {
            guard current.id != envelope.id else { return }
            let winner = QuorumRules.preferred((current, currentCommittee), (envelope, committee), for: record.request)
            effects.append(.notify(.conflictingQuorum(requestId: record.id, adopted: winner.id)))
            guard winner === envelope, record.conclusion == nil else {
                relayOnce(current, record)
                return
            }
        }
        record.quorum = envelope
        record.committee = committee
        record.fixerResult = nil
        record.quorumIsFinal = complete && isFromOrigin(envelope, record)
        let previous = record.members
        record.members = [:]
        record.memberOrder = decision.commits.map(\.sender)
        for commit in decision.commits {
            // The validator admitted the quorum packet only with a commit packet in every place.
            guard let member = commit.commit else { preconditionFailure("a quorum packet holds commit packets only") }
            record.members[commit.sender] = member
            if record.commits[commit.sender] == nil { record.commits[commit.sender] = commit }
            // An equivocating member's commit can differ between two quorums: what was judged of its
            // reveal under the old commitment says nothing of the new one.
            if let before = previous[commit.sender], before.commitment != member.commitment {
                record.verdicts[commit.sender] = nil
                record.verificationsStarted.remove(commit.sender)
            }
        }
        // Quorums that may still be replaced are relayed by everyone, so that all honest nodes choose
        // among the same candidates before they decide at the settle point. (The origin's complete
        // one cannot be; the origin re-sends it while it waits for reveals.)
        if !record.quorumIsFinal {
            relayOnce(envelope, record)
            setTimer(.fallbackSettled, record.id, at: QuorumRules.fallbackSettles(record.frame))
        }
        replayOrphans(of: record)
        // Verdicts and pending embeddings of the previous quorum's members are kept: a reveal's
        // validity does not depend on which quorum it is judged in.
        advance(record, to: .quorumFixed)
        if record.retransmissions == 0 { scheduleRetransmit(record) }
        if record.work == .queued { record.work = .abandoned }
        revealIfMember(record)
        for member in record.memberOrder where record.reveal(of: member) != nil {
            startVerification(record, member: member)
        }
        concludeIfComplete(record)
    }

    func isFromOrigin(_ quorum: Envelope, _ record: RequestRecord) -> Bool {
        quorum.sender == record.request.origin.node
    }

    /// Forwards another node's packet unchanged, at most once per packet.
    func relayOnce(_ envelope: Envelope, _ record: RequestRecord) {
        guard record.relayed.insert(envelope.id).inserted else { return }
        effects.append(.broadcast(envelope))
    }
}
