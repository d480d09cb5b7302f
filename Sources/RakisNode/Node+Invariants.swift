import RakisCore

/// The invariants the state machine's code relies on (its force-unwraps, its counters), checked
/// when `checksInvariants` is on: in debug builds and in every test harness. After each event the
/// node checks its counters and the record of the event's request (an event touches no other);
/// every housekeeping round, and after a recovery, it checks every record. Release builds skip it.
/// A broken invariant stops the node, with every broken one named.
extension Node {
    #if DEBUG
    public static let checksInvariantsByDefault = true
    #else
    public static let checksInvariantsByDefault = false
    #endif

    func checkInvariants(after event: NodeEvent, everyRecord: Bool) {
        let broken = brokenInvariants(after: event, everyRecord: everyRecord)
        precondition(broken.isEmpty, broken.joined(separator: "; "))
    }

    /// Each invariant the node breaks after `event`, described; empty when it holds them all.
    func brokenInvariants(after event: NodeEvent, everyRecord: Bool) -> [String] {
        var broken = InvariantList(subject: "node \(self.nodeId.short)")
        broken.require((0...config.maxConcurrentJobs).contains(activeJobs), "\(activeJobs) jobs running, limit \(config.maxConcurrentJobs)")
        broken.require(workQueue.count <= config.maxQueuedJobs, "\(workQueue.count) requests queued, limit \(config.maxQueuedJobs)")
        for id in workQueue {
            // A queued request whose quorum formed meanwhile is abandoned, and skipped when its turn comes.
            let work = records[id]?.work
            broken.require(work == .queued || work == .abandoned, "queued request \(id.hex.prefix(8)) is \(work.map { "\($0)" } ?? "unknown")")
        }
        var descriptions = broken.descriptions
        if everyRecord || event.isRecovery {
            var running = 0
            for record in records.values {
                descriptions += record.brokenInvariants()
                if record.work == .inferring || record.work == .embedding { running += 1 }
            }
            if running != activeJobs {
                descriptions.append("node \(nodeId.short): \(running) requests are inferring or embedding, but \(activeJobs) jobs are counted")
            }
        } else if let id = event.requestId ?? verdict.submittedRequest, let record = records[id] {
            descriptions += record.brokenInvariants()
        }
        return descriptions
    }
}

/// The invariants one subject breaks, each described only if it is broken, and the subject only
/// named then: the checks run after every event.
struct InvariantList {
    private let subject: () -> String
    private(set) var descriptions: [String] = []

    init(subject: @escaping @autoclosure () -> String) {
        self.subject = subject
    }

    mutating func require(_ holds: Bool, _ description: @autoclosure () -> String) {
        if !holds { descriptions.append("\(subject()): \(description())") }
    }
}

extension NodeEvent {
    /// The request an event concerns, if any: the only record its handling can change.
    var requestId: Hash256? {
        switch self {
        case let .packetReceived(envelope, _): envelope.requestId
        case let .timerFired(timer): timer.requestId
        case let .inferenceFinished(job, _), let .inferenceFailed(job, _): job.requestId
        case let .embeddingFinished(job, _, _), let .embeddingFailed(job, _): job.requestId
        case let .attest(attestation): attestation.requestId
        case .started, .requestSubmitted, .recovered, .statusRequested, .membershipChanged, .chatSubmitted: nil
        }
    }

    var isRecovery: Bool {
        if case .recovered = self { true } else { false }
    }
}

extension NodeVerdict {
    var submittedRequest: Hash256? {
        if case let .submitted(id) = self { id } else { nil }
    }
}

extension RequestRecord {
    /// Each invariant this record breaks, described; empty when it holds them all.
    func brokenInvariants() -> [String] {
        var broken = InvariantList(subject: "request \(self.id.hex.prefix(8))")
        broken.require(commits.allSatisfy { $0.value.sender == $0.key && $0.value.commit?.requestId == id },
                       "a commit filed under another sender or request")
        broken.require(members.count == memberOrder.count && memberOrder.allSatisfy { members[$0] != nil },
                       "\(members.count) member commits, \(memberOrder.count) members in order")
        broken.require((quorum == nil) == memberOrder.isEmpty, "members without a quorum, or a quorum without members")
        broken.require((quorum == nil) == (committee == nil), "a quorum without its committee, or a committee without its quorum")
        if let committee {
            broken.require(Set(committee.members) == Set(memberOrder), "committee members differ from the quorum's members")
            broken.require(committee.seats.count == frame.quorum, "\(committee.seats.count) seats for a quorum of \(frame.quorum)")
        }
        broken.require(quorum.map { $0.quorum?.requestId == id } ?? true, "adopted a quorum packet for another request")
        broken.require(phase.isTerminal == (conclusion != nil), "phase \(phase) with\(conclusion == nil ? "out" : "") a conclusion")
        broken.require((own != nil) == (work == .committed), "work \(work) with\(own == nil ? "out" : "") an own output")
        broken.require(pendingOutput == nil || work == .embedding, "an output waits for its embedding while work is \(work)")
        broken.require(retransmissions <= Self.maxRetransmissions, "\(retransmissions) retransmissions")
        broken.require(resends <= Self.maxResends, "\(resends) resends of the request or commit")
        for (commitment, reveal) in reveals {
            broken.require(reveal.revealedCommitment == commitment, "a reveal filed under a commitment it does not re-derive")
        }
        return broken.descriptions
    }
}
