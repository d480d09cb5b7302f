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
        effects.append(.persist(.packet(envelope)))
        addCommit(envelope, commit, record)
    }

    /// Whether this node needs individual commits: to fix a quorum (the origin, or a worker that may
    /// fix a fallback one) or to decide on backup work. Every other node learns the commits that
    /// matter from the quorum packet, which carries them, and skips the rest.
    func needsCommits(_ record: RequestRecord) -> Bool {
        isOrigin(of: record) || record.work != .none || record.mayBackUp
    }

    func addCommit(_ envelope: Envelope, _ commit: Commit, _ record: RequestRecord) {
        record.commits[envelope.sender] = envelope
        record.commitArrivalOrder.append(envelope.sender)
        replayOrphans(of: record)
        // Event-driven: the origin fixes the quorum on the quorum-th commit, not at the deadline.
        if isOrigin(of: record), record.quorum == nil, record.commits.count >= record.frame.quorum {
            fixQuorum(record)
        }
    }

    func isOrigin(of record: RequestRecord) -> Bool { record.request.origin.node == nodeId }

    /// Signs and adopts a quorum of the first `quorum` commits that arrived.
    func fixQuorum(_ record: RequestRecord) {
        precondition(record.commits.count >= record.frame.quorum,
                     "a quorum of \(record.frame.quorum) fixed from \(record.commits.count) commits")
        let chosen = record.commitArrivalOrder.prefix(record.frame.quorum).compactMap { record.commits[$0] }
        let envelope = broadcast(.quorum(QuorumDecision(request: record.envelope, commits: chosen)))
        effects.append(.persist(.packet(envelope)))
        adopt(envelope, record)
    }

    /// Past the commit deadline the request needs its reveal-deadline timer. The origin fixes the
    /// quorum as soon as it can, so a request without one waits out the fallback window, in which
    /// the origin's late quorum packet may still arrive, before anyone else steps in.
    func commitDeadlinePassed(_ record: RequestRecord) {
        setTimer(.revealDeadline, record.id, at: record.frame.revealDeadline)
        if record.quorum == nil {
            setTimer(.fallbackQuorum, record.id, at: QuorumRules.fallbackOpens(record.frame))
        }
    }

    /// Still no quorum: a node that committed (or the origin) fixes one from the commits it holds.
    /// A node that does not track commits cannot judge their number: it waits for a quorum packet
    /// until the reveal deadline.
    func fallbackWindowOpened(_ record: RequestRecord) {
        guard record.quorum == nil, needsCommits(record) else { return }
        if record.commits.count < record.frame.quorum {
            conclude(record, .failed(.notEnoughCommits(have: record.commits.count, need: record.frame.quorum)), certificate: nil)
        } else if record.own != nil || isOrigin(of: record) {
            fixQuorum(record)
        }
    }

    func receiveQuorum(_ envelope: Envelope, _ quorum: QuorumDecision) throws(PacketRejection) {
        guard let record = track(quorum.request) else {
            throw .late("quorum for a request past its reveal deadline or already concluded")
        }
        guard QuorumRules.isAdmissible(envelope, for: record.request) else {
            throw .senderMismatch("only the origin may fix the quorum outside the fallback window")
        }
        effects.append(.persist(.packet(envelope)))
        adopt(envelope, record)
    }

    /// Adopts a quorum packet unless the one already adopted wins under the canonical rule.
    /// Conflicts are answered by relaying the winner, so a node that missed it learns of it.
    func adopt(_ envelope: Envelope, _ record: RequestRecord) {
        guard let decision = envelope.quorum else { preconditionFailure("only a quorum packet is adopted as a quorum") }
        if let current = record.quorum {
            guard current.id != envelope.id else { return }
            let winner = QuorumRules.preferred(current, envelope, for: record.request)
            effects.append(.notify(.conflictingQuorum(requestId: record.id, adopted: winner.id)))
            guard winner === envelope, record.conclusion == nil else {
                relayOnce(current, record)
                return
            }
        }
        record.quorum = envelope
        record.members = [:]
        record.memberOrder = decision.commits.map(\.sender)
        for commit in decision.commits {
            // The validator admitted the quorum packet only with a commit packet in every place.
            guard let member = commit.commit else { preconditionFailure("a quorum packet holds commit packets only") }
            record.members[commit.sender] = member
            if record.commits[commit.sender] == nil {
                record.commits[commit.sender] = commit
                record.commitArrivalOrder.append(commit.sender)
            }
        }
        // Fallback quorums are relayed by everyone, so that all honest nodes choose among the same
        // candidates. (The origin's is re-sent by the origin while it waits for reveals.)
        if !isFromOrigin(envelope, record) {
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
