import RakisCore

/// The invariants the state machine's code relies on (its force-unwraps, its counters), checked
/// when `checksInvariants` is on: in debug builds and in every test harness. After each event the
/// node checks its counters and the record of the event's request (an event touches no other);
/// every housekeeping round, and after a recovery, it checks every record. Release builds skip it.
extension Node {
    #if DEBUG
    public static let checksInvariantsByDefault = true
    #else
    public static let checksInvariantsByDefault = false
    #endif

    func checkInvariants(after event: NodeEvent, everyRecord: Bool) {
        precondition((0...config.maxConcurrentJobs).contains(activeJobs),
                     "\(activeJobs) jobs running, limit \(config.maxConcurrentJobs)")
        precondition(workQueue.count <= config.maxQueuedJobs, "\(workQueue.count) requests queued, limit \(config.maxQueuedJobs)")
        for id in workQueue {
            // A queued request whose quorum formed meanwhile is abandoned, and skipped when its turn comes.
            let work = records[id]?.work
            precondition(work == .queued || work == .abandoned, "queued request \(id.hex.prefix(8)) is \(work.map { "\($0)" } ?? "unknown")")
        }
        if everyRecord || event.isRecovery {
            var running = 0
            for record in records.values {
                record.checkInvariants()
                if record.work == .inferring || record.work == .embedding { running += 1 }
            }
            precondition(running == activeJobs, "\(running) requests are inferring or embedding, but \(activeJobs) jobs are counted")
        } else if let id = event.requestId ?? verdict.submittedRequest {
            records[id]?.checkInvariants()
        }
    }
}

extension NodeEvent {
    /// The request an event concerns, if any: the only record its handling can change.
    var requestId: Hash256? {
        switch self {
        case let .packetReceived(envelope, _): envelope.requestId
        case let .timerFired(timer): timer.requestId
        case let .inferenceFinished(job, _), let .inferenceFailed(job, _): job.requestId
        case let .embeddingFinished(job, _), let .embeddingFailed(job, _): job.requestId
        case let .attest(attestation): attestation.requestId
        case .started, .requestSubmitted, .recovered, .statusRequested: nil
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
    func checkInvariants() {
        let name = "request \(id.hex.prefix(8))"
        precondition(commits.count == commitArrivalOrder.count && commitArrivalOrder.allSatisfy { commits[$0] != nil },
                     "\(name): \(commits.count) commits, \(commitArrivalOrder.count) in arrival order")
        precondition(members.count == memberOrder.count && memberOrder.allSatisfy { members[$0] != nil },
                     "\(name): \(members.count) member commits, \(memberOrder.count) members in order")
        precondition((quorum == nil) == memberOrder.isEmpty, "\(name): members without a quorum, or a quorum without members")
        precondition(quorum.map { $0.quorum?.requestId == id } ?? true, "\(name): adopted a quorum packet for another request")
        precondition(phase.isTerminal == (conclusion != nil), "\(name): phase \(phase) with\(conclusion == nil ? "out" : "") a conclusion")
        precondition((own != nil) == (work == .committed), "\(name): work \(work) with\(own == nil ? "out" : "") an own output")
        precondition(pendingOutput == nil || work == .embedding, "\(name): an output waits for its embedding while work is \(work)")
        precondition(retransmissions <= Self.maxRetransmissions, "\(name): \(retransmissions) retransmissions")
        for (commitment, reveal) in reveals {
            precondition(reveal.revealedCommitment == commitment, "\(name): a reveal filed under a commitment it does not re-derive")
        }
    }
}
