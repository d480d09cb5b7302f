import RakisCore

/// The node's state machine: `handle(event, now)` returns its verdict on the event and the
/// effects the runtime must carry out.
///
/// It owns no socket, clock, thread or random source. Time comes in with each event; work goes
/// out as effects. The real runtime and the simulator drive the same code.
///
/// A request's life at one node: seen -> inferring -> committed -> quorum fixed -> revealed ->
/// verified -> final | failed. Progress is event-driven (the origin fixes the quorum on the
/// `quorum`-th commit; consensus runs on the last verified reveal); deadlines only end requests
/// that cannot progress, so every request reaches `final` or `failed`.
public final class Node {
    public let identity: NodeIdentity
    /// The node's settings; only the membership's weights change, when a `stake` registry does.
    public private(set) var config: NodeConfig
    public var nodeId: NodeID { identity.nodeId }
    private(set) var validator: PacketValidator
    /// This node's weight in the membership: without weight it neither works nor announces itself.
    public private(set) var ownWeight: Int
    /// The admission ticket this node's commits and announcements carry: only an open network has them.
    var announcedTicket: AdmissionTicket? { config.membership.kind == .open ? config.ticket : nil }

    var records: [Hash256: RequestRecord] = [:]
    /// Requests this node concluded and forgot the details of; late packets for them are refused.
    /// Kept for the longest a request can live, after which its packets are stale anyway.
    var forgotten = RecentSet(generation: Limits.maxRequestLifetime)
    var nextHousekeeping: Millis = 0
    /// Packet ids seen recently, to drop duplicates and replays.
    var seenPackets = RecentSet()
    var orphans: OrphanBuffer
    var workQueue: [Hash256] = []
    var activeJobs = 0
    var peers = PeerDirectory()
    var chatLimit = ChatRateLimit()

    /// Effects produced by the event being handled.
    var effects: [NodeEffect] = []
    /// The verdict on the event being handled; set once, by the handler of a packet or a submission.
    var verdict: NodeVerdict = .handled
    var now: Millis = 0
    /// Whether every event ends with a check of the node's invariants (`Node+Invariants`).
    public var checksInvariants = Node.checksInvariantsByDefault

    public init(identity: NodeIdentity, config: NodeConfig, validationCache: (any ValidationCache)? = nil) {
        self.identity = identity
        self.config = config
        validator = PacketValidator(network: config.network, membership: config.membership, maxClockSkew: config.maxClockSkew,
                                    cache: validationCache)
        ownWeight = config.membership.weight(of: identity.nodeId, ticket: config.ticket, network: config.network)
        // Packets older than twice the skew window are rejected as stale, so remembering ids for
        // between two and four skew windows is enough to catch every replay.
        seenPackets = RecentSet(generation: 2 * config.maxClockSkew)
        orphans = OrphanBuffer(capacity: config.maxOrphans)
    }

    public func handle(_ event: NodeEvent, now: Millis) -> NodeStep {
        self.now = now
        effects = []
        verdict = .handled
        let housekeeping = now >= nextHousekeeping
        if housekeeping { forgetFinishedRequests() }
        switch event {
        case .started:
            announceStatus()
        case let .packetReceived(envelope, via):
            receive(envelope, via: via)
        case let .timerFired(timer):
            timerFired(timer)
        case let .inferenceFinished(job, output):
            inferenceFinished(job, output: output)
        case let .inferenceFailed(job, _):
            releaseJob(job.requestId, abandon: true)
        case let .embeddingFinished(job, embedding, fields):
            embeddingFinished(job, embedding: embedding, fields: fields)
        case let .embeddingFailed(job, reason):
            embeddingFailed(job, reason: reason)
        case let .requestSubmitted(spec, nonce):
            submit(spec, nonce: nonce)
        case let .recovered(recovery):
            recover(recovery)
        case .statusRequested:
            broadcastStatus()
        case let .attest(attestation):
            publish(attestation)
        case let .membershipChanged(membership):
            adopt(membership)
        case let .chatSubmitted(text):
            postChat(text)
        }
        if checksInvariants { checkInvariants(after: event, everyRecord: housekeeping) }
        return NodeStep(verdict: verdict, effects: effects)
    }

    /// The phase of a request at this node, while it holds the request (it forgets a concluded
    /// request once the request's deadlines have passed; `persist` effects keep the history).
    public func phase(of requestId: Hash256) -> RequestPhase? {
        records[requestId]?.phase
    }

    /// The request this node holds for a contract's request (the first brought in, if several were).
    public func request(from chain: ChainCoordinates) -> Hash256? {
        records.values.filter { $0.request.origin.chain == chain }.min { $0.request.createdAt < $1.request.createdAt }?.id
    }

    /// Requests known and not yet final or failed.
    public var openRequests: [Hash256] {
        records.values.filter { !$0.phase.isTerminal }.map(\.id).sorted()
    }

    // MARK: - Effects

    func broadcast(_ body: PacketBody) -> Envelope {
        let envelope = Envelope(signing: Packet(body, createdAt: now), network: config.network, identity: identity)
        seenPackets.insert(envelope.id, now: now)
        effects.append(.broadcast(envelope))
        return envelope
    }

    func setTimer(_ kind: NodeTimer.Kind, _ requestId: Hash256?, at time: Millis) {
        effects.append(.setTimer(NodeTimer(kind, requestId), at: time))
    }

    func advance(_ record: RequestRecord, to phase: RequestPhase) {
        guard phase > record.phase, !record.phase.isTerminal else { return }
        record.phase = phase
        effects.append(.persist(.requestState(requestId: record.id, phase: phase)))
        effects.append(.notify(.phaseChanged(requestId: record.id, phase: phase)))
    }

    func conclude(_ record: RequestRecord, _ outcome: RequestConclusion.Outcome, certificate: ResultCertificate?) {
        guard record.conclusion == nil else { return }
        let conclusion = RequestConclusion(requestId: record.id, outcome: outcome, certificate: certificate, concludedAt: now)
        record.conclusion = conclusion
        if case .final = outcome { advance(record, to: .final) } else { advance(record, to: .failed) }
        effects.append(.persist(.finished(conclusion)))
        effects.append(.notify(.concluded(conclusion)))
        workQueue.removeAll { $0 == record.id }
        record.releaseWorkingState()
    }

    // MARK: - Local submissions

    func submit(_ spec: RequestSpec, nonce: String) {
        guard let embeddingModel = spec.embeddingModel ?? config.embeddingModels.first else {
            verdict = .submissionRejected(.outOfRange(field: "request.embedding.model",
                                                      detail: "the request names no embedding model and this node has none"))
            return
        }
        let request = InferenceRequest(
            input: spec.input, models: spec.models, temperature: spec.temperature, maxTokens: spec.maxTokens,
            seed: spec.seed, embedding: EmbeddingSpec(model: embeddingModel, bits: spec.embeddingBits),
            frame: SecurityFrame(quorum: spec.quorum, secDistance: spec.secDistance, secPercentage: spec.secPercentage,
                                 commitDeadline: now + spec.commitWindow, revealDeadline: now + spec.commitWindow + spec.revealWindow,
                                 numberTolerance: spec.numberTolerance, partial: spec.partial),
            origin: RequestOrigin(kind: spec.originKind, node: nodeId, chain: spec.chain),
            createdAt: now, nonce: nonce, format: spec.format, topP: spec.topP, stop: spec.stop
        )
        do {
            try PacketValidator.validate(request)
        } catch {
            verdict = .submissionRejected(error)
            return
        }
        let envelope = broadcast(.request(request))
        verdict = .submitted(requestId: request.id)
        if let record = track(envelope) { scheduleResend(record) }
    }

    // MARK: - Receiving packets

    func receive(_ envelope: Envelope, via: TransportName) {
        do throws(PacketRejection) {
            guard !seenPackets.contains(envelope.id) else {
                answerRetransmission(envelope)
                throw .duplicate
            }
            try validator.validate(envelope, now: now)
            seenPackets.insert(envelope.id, now: now)
            try accept(envelope, via: via)
            verdict = .accepted
        } catch {
            verdict = .rejected(error)
            effects.append(.notify(.packetRejected(error, sender: envelope.sender, via: via)))
        }
    }

    /// Dispatches a packet whose signature and ranges are valid.
    func accept(_ envelope: Envelope, via: TransportName) throws(PacketRejection) {
        switch envelope.packet.body {
        case .request:
            track(envelope)
        case let .commit(commit):
            guard let record = try record(for: commit.requestId, envelope, via: via) else { return }
            try receiveCommit(envelope, commit, record)
        case let .quorum(quorum):
            try receiveQuorum(envelope, quorum)
        case let .reveal(reveal):
            guard let record = try record(for: reveal.requestId, envelope, via: via) else { return }
            try receiveReveal(envelope, record)
        case let .result(result):
            try receiveResult(envelope, result)
        case let .peerStatus(status):
            // The validator refused the announcements of identities without weight.
            let weight = config.membership.weight(of: envelope.sender, ticket: status.ticket, network: config.network)
            peers.record(envelope.sender, status: status, weight: weight, at: now)
            effects.append(.notify(.peerSeen(envelope.sender, status)))
        case let .attestation(attestation):
            guard let record = try record(for: attestation.requestId, envelope, via: via) else { return }
            try receiveAttestation(envelope, record)
        case .chat:
            try receiveChat(envelope, via: via)
        }
    }

    /// The record a packet refers to. A packet that outruns its request is held as an orphan.
    func record(for requestId: Hash256, _ envelope: Envelope, via: TransportName) throws(PacketRejection) -> RequestRecord? {
        if let record = records[requestId] { return record }
        if forgotten.contains(requestId) { throw .late("request \(requestId.hex.prefix(8)) is already concluded") }
        orphans.hold(envelope, for: requestId, via: via)
        return nil
    }

    /// Starts tracking a request (received, submitted locally, or embedded in a quorum packet).
    @discardableResult
    func track(_ envelope: Envelope) -> RequestRecord? {
        guard let request = envelope.request else { preconditionFailure("only a request packet starts a record") }
        if let record = records[request.id] { return record }
        guard now <= request.frame.revealDeadline, !forgotten.contains(request.id) else { return nil }
        let record = RequestRecord(envelope: envelope, workScore: WorkDraw.score(requestId: request.id, nodeId: nodeId))
        records[request.id] = record
        effects.append(.persist(.packet(envelope)))
        effects.append(.persist(.requestState(requestId: record.id, phase: .seen)))
        effects.append(.notify(.phaseChanged(requestId: record.id, phase: .seen)))
        let frame = request.frame
        // One timer per request in the common case: requests usually conclude before their commit
        // deadline, and the later timers are set only for those that have not.
        setTimer(.commitDeadline, record.id, at: frame.commitDeadline)
        if !considerWork(record, redundancy: config.workerRedundancy),
           wouldWork(record, redundancy: config.workerRedundancy * config.backupRedundancyFactor) {
            record.mayBackUp = true
            setTimer(.backupWork, record.id, at: request.createdAt + (frame.commitDeadline - request.createdAt) / 3)
        }

        replayOrphans(of: record)
        return record
    }

    /// Packets that arrived before what they depend on (their request, or the sender's commit)
    /// get another chance whenever the request's record grows.
    func replayOrphans(of record: RequestRecord) {
        for orphan in orphans.release(record.id) {
            do throws(PacketRejection) {
                try accept(orphan.envelope, via: orphan.via)
            } catch {
                effects.append(.notify(.packetRejected(error, sender: orphan.envelope.sender, via: orphan.via)))
            }
        }
    }

    // MARK: - Timers

    func timerFired(_ timer: NodeTimer) {
        if timer.kind == .peerStatus {
            announceStatus()
            return
        }
        guard let requestId = timer.requestId, let record = records[requestId] else { return }
        if timer.kind == .retransmit {
            retransmit(record)
            return
        }
        guard record.conclusion == nil else { return }
        switch timer.kind {
        case .backupWork:
            // No quorum a third of the way in: a complete committee has not formed. A node drawn for
            // backup works if the commits it holds fill no committee, or if its own first seat would
            // take a place in theirs; counting commits would not do, since colluders that commit at
            // once to everything would hold back the honest nodes that outrank them.
            if record.quorum == nil, wouldImproveCommittee(record) {
                considerWork(record, redundancy: config.workerRedundancy * config.backupRedundancyFactor)
            }
        case .resend:
            resend(record)
        case .commitDeadline:
            commitDeadlinePassed(record)
        case .fallbackQuorum:
            fallbackWindowOpened(record)
        case .fallbackSettled:
            concludeIfComplete(record)
        case .revealDeadline:
            revealDeadlinePassed(record)
        case .partialResult:
            publishPartialResult(record)
        case .settle:
            settle(record)
        case .peerStatus, .retransmit:
            break
        }
    }

    /// A `stake` registry changed: weights from now on are the new table's. Requests in flight
    /// keep what they adopted (a commit whose sender lost its weight ranks last, as after a
    /// restart); peers without weight are forgotten; a node that gained weight announces itself.
    func adopt(_ membership: Membership) {
        precondition(config.membership.kind == .stake && membership.kind == .stake, "only a stake registry changes, and a network's mode never does")
        let weightBefore = ownWeight
        config.membership = membership
        validator = PacketValidator(network: config.network, membership: membership, maxClockSkew: config.maxClockSkew,
                                    cache: validator.cache)
        ownWeight = membership.weight(of: identity.nodeId, ticket: config.ticket, network: config.network)
        peers.reweigh { membership.weight(of: $0, ticket: nil, network: config.network) }
        if weightBefore == 0, ownWeight > 0 { broadcastStatus() }
    }

    /// The periodic announcement: status now, and again after `peerStatusInterval`.
    func announceStatus() {
        broadcastStatus()
        setTimer(.peerStatus, nil, at: now + config.peerStatusInterval)
    }

    /// Only a weighted identity announces itself: anyone else's announcement is refused by its
    /// receivers (and counted against it), and it has no work to draw anyway.
    func broadcastStatus() {
        guard ownWeight > 0 else { return }
        let status = PeerStatus(models: config.servedModels, embeddingModels: config.embeddingModels,
                                activeJobs: activeJobs, queuedJobs: workQueue.count,
                                ticket: announcedTicket)
        _ = broadcast(.peerStatus(status))
        peers.record(nodeId, status: status, weight: ownWeight, at: now)
    }

    /// Keeps memory bounded: a concluded request is forgotten once its reveal deadline and settle
    /// window have passed, as nothing can change it then (the store keeps the details).
    func forgetFinishedRequests() {
        nextHousekeeping = now + Self.housekeepingInterval
        let finished = records.values.filter { record in
            record.conclusion != nil && record.frame.revealDeadline + config.settleWindow < now
        }
        for record in finished {
            records[record.id] = nil
            forgotten.insert(record.id, now: now)
        }
        peers.forgetSilent(before: now - 3 * config.peerStatusInterval)
    }

    static let housekeepingInterval: Millis = 10_000
}
