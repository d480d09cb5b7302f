import Foundation
import Logging
import RakisCore
import RakisNetwork
import RakisNode
import RakisStore

/// Runs a node's state machine for real: packets from the transports, timers on the wall clock,
/// jobs on the model workers, records in the store.
///
/// Everything the state machine sees goes through one ordered stream and is handled on this
/// actor, one input at a time. For each batch of effects, the store is written first (one
/// transaction), then packets go out, jobs start and timers are armed: a node never announces
/// what a crash could make it forget.
public actor NodeRuntime {
    public struct Configuration: Sendable {
        public var node: NodeConfig
        public var identity: NodeIdentity
        public var transports: [any Transport]
        public var store: NodeStore
        public var workers: ModelWorkers
        /// Finished requests kept in the store; older ones are pruned.
        public var retainedRequests: Int
        public var logger: Logger

        public init(node: NodeConfig, identity: NodeIdentity, transports: [any Transport], store: NodeStore,
                    workers: ModelWorkers, retainedRequests: Int = 10_000, logger: Logger) {
            self.node = node
            self.identity = identity
            self.transports = transports
            self.store = store
            self.workers = workers
            self.retainedRequests = retainedRequests
            self.logger = logger
        }
    }

    private enum Input: Sendable {
        case packet(ReceivedPacket)
        case event(NodeEvent)
        case timer(NodeTimer, id: Int)
        /// The network changed: announce this node's status (rate-limited).
        case statusWanted
    }

    public nonisolated let nodeId: NodeID
    public nonisolated let metrics = RuntimeMetrics()
    public nonisolated let transports: [any Transport]
    private let configuration: Configuration
    private let node: Node
    private var logger: Logger
    private let inputs: AsyncStream<Input>
    private let inbox: AsyncStream<Input>.Continuation
    private var deliveries: DeliveryLog
    private var timers: [Int: Task<Void, Never>] = [:]
    private var nextTimerId = 0
    private var conclusions = RecentConclusions()
    private var chat = RecentChat()
    private var conclusionsSincePrune = 0
    /// When each running inference started, to log and measure how long it took.
    private var inferenceStarts: [Hash256: ContinuousClock.Instant] = [:]
    private var heardPeers = HeardPeers()
    private var discipline = SenderDiscipline()
    private var statusLimit = StatusRateLimit()
    private var connectionWatch: Task<Void, Never>?
    private nonisolated let hub = EventHub()
    /// Conclusions of chain requests and received attestations, for the chain connector. Unlike
    /// the hub, it never drops anything: a lost attestation could leave a request unsubmitted.
    public nonisolated let chainSignals: AsyncStream<ChainSignal>
    private nonisolated let chainSignalSink: AsyncStream<ChainSignal>.Continuation
    public nonisolated let startedAt = NodeRuntime.now()
    /// What clients ask about requests, answered from the store.
    public nonisolated let queries: NodeQueries
    private var stopped = false

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        nodeId = configuration.identity.nodeId
        transports = configuration.transports
        node = Node(identity: configuration.identity, config: configuration.node)
        logger = configuration.logger
        logger[metadataKey: "node"] = "\(configuration.identity.nodeId.short)"
        queries = NodeQueries(store: configuration.store, network: configuration.node.network)
        deliveries = DeliveryLog(generation: 2 * configuration.node.maxClockSkew)
        (inputs, inbox) = AsyncStream.makeStream(of: Input.self)
        (chainSignals, chainSignalSink) = AsyncStream.makeStream(of: ChainSignal.self)
    }

    /// Takes up what the store kept, announces the node, and connects the transports. Then call `run()`.
    public func start() async throws {
        let store = configuration.store
        let stored = try store.unfinishedRequests()
        for packet in stored.unreadable { logger.error("store: \(packet)") }
        let recovery = NodeRecovery(
            unfinished: stored.requests.map {
                RecoveredRequest(request: $0.request, packets: $0.packets, ownOutput: $0.ownOutput, phase: $0.phase)
            },
            concluded: try store.finishedRequests(revealDeadlineSince: Self.now() - Limits.maxRequestLifetime)
        )
        if !recovery.unfinished.isEmpty {
            logger.info("taking up \(recovery.unfinished.count) unfinished request(s) from the store")
        }
        execute(node.handle(.recovered(recovery), now: Self.now()).effects)
        execute(node.handle(.started, now: Self.now()).effects)
        metrics.membership(ownWeight: node.ownWeight, totalWeight: node.config.membership.totalWeight)
        let inbox = inbox
        for transport in transports {
            try await transport.start { packet in inbox.yield(.packet(packet)) }
            logger.info("transport \(transport.name) started")
        }
        connectionWatch = Task { [transports] in
            // A new connection may lead to nodes that have not heard this one: tell them what it serves.
            var known = 0
            while !Task.isCancelled {
                let connections = transports.reduce(0) { $0 + $1.statistics.connections }
                if connections > known { inbox.yield(.statusWanted) }
                known = connections
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    /// Handles inputs until `stop()`.
    public func run() async {
        for await input in inputs {
            switch input {
            case let .packet(packet):
                receive(packet)
            case let .event(event):
                measure(event)
                execute(node.handle(event, now: Self.now()).effects)
            case let .timer(timer, id):
                timers[id] = nil
                execute(node.handle(.timerFired(timer), now: Self.now()).effects)
            case .statusWanted:
                statusLimit.clearDue()
                announceStatus()
            }
        }
    }

    /// Closes the transports and ends `run()`. Work in flight is dropped; the store has everything
    /// needed to take it up again.
    public func stop() async {
        guard !stopped else { return }
        stopped = true
        connectionWatch?.cancel()
        for transport in transports { await transport.stop() }
        for task in timers.values { task.cancel() }
        timers = [:]
        inbox.finish()
        hub.finish()
        chainSignalSink.finish()
        conclusions.endWaits()
        logger.info("stopped")
    }

    // MARK: - Local clients

    /// Signs and sends a request with this node as its origin.
    public func submit(_ spec: RequestSpec) throws(PacketRejection) -> Hash256 {
        let step = node.handle(.requestSubmitted(spec, nonce: RequestNonce.draw()), now: Self.now())
        execute(step.effects)
        switch step.verdict {
        case let .submitted(requestId):
            logger.info("submitted request \(requestId.hex.prefix(8))")
            return requestId
        case let .submissionRejected(rejection):
            logger.warning("submission rejected: \(rejection)")
            throw rejection
        case .accepted, .rejected, .handled, .chatPosted:
            preconditionFailure("a submission is either accepted or rejected, not \(step.verdict)")
        }
    }

    /// Signs and sends a chat message; returns it as the chat now holds it (no deliveries yet).
    public func post(_ text: String) throws(PacketRejection) -> ChatEntry {
        let step = node.handle(.chatSubmitted(text: text), now: Self.now())
        execute(step.effects)
        switch step.verdict {
        case let .chatPosted(packetId):
            guard let entry = chat.entry(packetId) else { preconditionFailure("a posted chat message is in the chat") }
            return entry
        case let .submissionRejected(rejection):
            throw rejection
        case .accepted, .rejected, .handled, .submitted:
            preconditionFailure("a chat message is either posted or refused, not \(step.verdict)")
        }
    }

    /// The last chat messages, oldest first, with the transports that brought each one.
    public func chatMessages(limit: Int) -> [ChatEntry] { chat.recent(limit: limit) }

    /// Each transport's latency percentiles and loss over the recent traffic.
    public nonisolated func transportDeliveries() -> TransportDeliveryReport {
        metrics.transportDeliveries(of: transports.map(\.name), now: Self.now())
    }

    /// Waits until the request concludes at this node; nil if the node stops first.
    /// Nil also when too many local clients wait already (`RecentConclusions.maxWaiters`).
    public func conclusion(of requestId: Hash256) async -> RequestConclusion? {
        if let conclusion = conclusions[requestId] { return conclusion }
        guard !stopped else { return nil }
        return await withCheckedContinuation { conclusions.wait(for: requestId, $0) }
    }

    public func phase(of requestId: Hash256) -> RequestPhase? { node.phase(of: requestId) }

    // MARK: - The chain connector

    /// The request this node holds for a contract's request, if any node brought it in.
    public func request(from chain: ChainCoordinates) -> Hash256? { node.request(from: chain) }

    /// Publishes this node's attestation for a chain request it concluded as a quorum member.
    public func attest(_ attestation: ChainAttestation) {
        execute(node.handle(.attest(attestation), now: Self.now()).effects)
    }

    /// Takes the oracle registry's weights as the network's `stake` membership.
    public func adopt(_ membership: Membership) {
        execute(node.handle(.membershipChanged(membership), now: Self.now()).effects)
        metrics.membership(ownWeight: node.ownWeight, totalWeight: membership.totalWeight)
    }

    /// This node's weight in the membership it holds now.
    public var ownWeight: Int { node.ownWeight }

    // MARK: - Watching

    /// Live events from now on, until the runtime stops or the stream is dropped.
    public nonisolated func events() -> AsyncStream<RuntimeEvent> { hub.subscribe() }

    public nonisolated var network: String { configuration.node.network }
    public nonisolated var followsRegistry: Bool { configuration.node.membership.kind == .stake }
    public nonisolated var servedModels: [String] { configuration.node.servedModels }
    public nonisolated var embeddingModels: [String] { configuration.node.embeddingModels }
    /// The node's models, for what the API computes without the network (token counts, embeddings).
    public nonisolated var workers: ModelWorkers { configuration.workers }

    /// The nodes heard from, with the transports that reach them.
    public func peers() -> [PeerInfo] { heardPeers.all }

    /// LLMs this node or a peer it heard from serves.
    public func networkModels() -> Set<String> { heardPeers.servedModels.union(configuration.node.servedModels) }

    // MARK: - Receiving

    private func receive(_ packet: ReceivedPacket) {
        let now = Self.now()
        let source = packet.source
        let envelope: Envelope
        do {
            envelope = try Envelope.decode(packet.bytes)
        } catch {
            metrics.packet(source.transport, .malformed)
            logger.warning("malformed packet from \(source): \(error)")
            transport(source.transport)?.report(source, .malformed)
            return
        }
        // Our own packets come back (brokers echo publishes, neighbours relay): the node knows them.
        // An own chat message's echo still shows that the transport carried it.
        guard envelope.sender != nodeId else {
            metrics.packet(source.transport, .duplicate)
            if envelope.chat != nil { chatDelivered(envelope.id, over: source.transport, at: now) }
            return
        }
        switch deliveries.arrival(envelope.id, from: source, now: now) {
        case .first:
            break
        case let .copy(newTransport):
            metrics.packet(source.transport, .duplicate)
            heardPeers.heard(from: envelope.sender, over: source.transport, at: now)
            if newTransport {
                record(delivery: envelope.id, over: source.transport, now: now)
                metrics.delivered(copy: envelope, over: source.transport, at: now)
                if envelope.chat != nil { chatDelivered(envelope.id, over: source.transport, at: now) }
            }
            return
        case .resent:
            // The state machine drops it as a duplicate, and answers it if it is a retransmission.
            metrics.packet(source.transport, .duplicate)
            execute(node.handle(.packetReceived(envelope, via: source.transport), now: now).effects)
            return
        case .replay:
            metrics.packet(source.transport, .replay)
            logger.warning("\(source) replays packet \(envelope.id.hex.prefix(8)) more than \(DeliveryLog.maxResends) times")
            transport(source.transport)?.report(source, .replay)
            return
        }
        switch discipline.admit(envelope.sender, at: now) {
        case .pass:
            break
        case .banned:
            metrics.packet(source.transport, .senderBanned)
            return
        case .overRate:
            metrics.packet(source.transport, .senderOverRate)
            return
        }
        let step = node.handle(.packetReceived(envelope, via: source.transport), now: now)
        if Self.signatureVerified(step.verdict),
           discipline.count(envelope.sender, misbehaved: Self.isSignedMisbehaviour(step.verdict), at: now) {
            logger.warning("banned node \(envelope.sender.short) on every transport for \(SenderDiscipline.banLength / 60_000) minutes: its signed packets break the rules")
        }
        if case let .rejected(rejection) = step.verdict {
            metrics.packet(source.transport, .rejected)
            if Self.isMisbehaviour(rejection) { transport(source.transport)?.report(source, .invalid) }
            if case .badSignature = rejection { deliveries.forget(envelope.id) }
        } else {
            metrics.packet(source.transport, .accepted)
            metrics.delivered(first: envelope, over: source.transport, at: now)
            heardPeers.heard(from: envelope.sender, over: source.transport, at: now)
            hub.publish(.packet(type: envelope.packet.body.typeName, requestId: envelope.requestId, sender: envelope.sender,
                                transport: source.transport.name, at: now))
            relay(packet.bytes, from: source)
        }
        execute(step.effects)
        record(delivery: envelope.id, over: source.transport, now: now)
    }

    /// Another transport brought a chat message held here: watchers see it with its new delivery.
    private func chatDelivered(_ id: Hash256, over transport: TransportName, at now: Millis) {
        if let entry = chat.delivered(id, over: transport, at: now) { hub.publish(.chat(entry)) }
    }

    /// Gossip: a packet the node accepted goes on over the transports that need their nodes to
    /// relay (the mesh, to its other neighbours). Relays and brokers fan out by themselves, so
    /// nothing is re-published there.
    private func relay(_ bytes: [UInt8], from source: PacketSource) {
        for transport in transports where transport.relaysGossip {
            transport.send(bytes, except: source.transport == transport.name ? source : nil)
            metrics.sent(transport.name, bytes: bytes.count)
        }
    }

    /// Forged or rule-breaking packets count against their source; late or stale ones do not
    /// (honest nodes send them when the network is slow).
    private static func isMisbehaviour(_ rejection: PacketRejection) -> Bool {
        switch rejection {
        case .badSignature, .malformed, .nonCanonical, .tooLarge, .senderMismatch, .outOfRange, .wrongNetwork, .notAdmitted: true
        case .unsupportedVersion, .clockSkew, .duplicate, .inconsistent, .late, .rateLimited: false
        }
    }

    /// Whether the state machine got as far as the packet's signature: accepted, or refused for
    /// what it says rather than for its sender, clock or encoding.
    private static func signatureVerified(_ verdict: NodeVerdict) -> Bool {
        switch verdict {
        case .accepted: return true
        case let .rejected(rejection):
            switch rejection {
            case .senderMismatch, .outOfRange, .inconsistent, .late, .rateLimited: return true
            case .tooLarge, .malformed, .nonCanonical, .unsupportedVersion, .wrongNetwork, .badSignature, .clockSkew,
                 .duplicate, .notAdmitted: return false
            }
        case .handled, .submitted, .chatPosted, .submissionRejected: return false
        }
    }

    /// Rule-breaking packets whose signature verified: held against their sender on every transport.
    private static func isSignedMisbehaviour(_ verdict: NodeVerdict) -> Bool {
        guard case let .rejected(rejection) = verdict else { return false }
        switch rejection {
        case .senderMismatch, .outOfRange: return true
        default: return false
        }
    }

    private func record(delivery packetId: Hash256, over transport: TransportName, now: Millis) {
        do {
            try configuration.store.recordDeliveries([(packetId: packetId, transport: transport.name)], at: now)
        } catch {
            logger.error("store: cannot record a delivery: \(error)")
        }
    }

    private func transport(_ name: TransportName) -> (any Transport)? {
        transports.first { $0.name == name }
    }

    // MARK: - Effects

    private func execute(_ effects: [NodeEffect]) {
        persist(effects)
        for effect in effects {
            switch effect {
            case let .broadcast(envelope):
                deliveries.sent(envelope.id, now: Self.now())
                hub.publish(.packet(type: envelope.packet.body.typeName, requestId: envelope.requestId, sender: nodeId,
                                    transport: nil, at: Self.now()))
                for transport in transports {
                    transport.send(envelope.wireBytes, except: nil)
                    metrics.sent(transport.name, bytes: envelope.wireBytes.count)
                }
            case let .startInference(job):
                metrics.job("inference")
                inferenceStarts[job.requestId] = .now
                let inbox = inbox
                configuration.workers.infer(job) { inbox.yield(.event($0)) }
            case let .startEmbedding(job):
                metrics.job("embedding")
                let inbox = inbox
                configuration.workers.embed(job) { inbox.yield(.event($0)) }
            case let .setTimer(timer, time):
                arm(timer, at: time)
            case .persist:
                break
            case let .notify(notification):
                notify(notification)
            }
        }
    }

    /// Writes the batch's records in one transaction. If the store fails, the node cannot keep
    /// its promises across a crash; it says so loudly and carries on with what it has in memory.
    private func persist(_ effects: [NodeEffect]) {
        let records = effects.compactMap { effect -> PersistRecord? in
            if case let .persist(record) = effect { record } else { nil }
        }
        guard !records.isEmpty else { return }
        do {
            try configuration.store.apply(records, at: Self.now())
        } catch {
            logger.critical("store: cannot write \(records.count) record(s): \(error)")
        }
    }

    private func measure(_ event: NodeEvent) {
        let job: InferenceJob
        switch event {
        case let .inferenceFinished(finished, _): job = finished
        case let .inferenceFailed(failed, _): job = failed
        default: return
        }
        guard let started = inferenceStarts.removeValue(forKey: job.requestId) else { return }
        let milliseconds = (ContinuousClock.now - started) / .milliseconds(1)
        metrics.inference(seconds: milliseconds / 1000)
        logger.info("request \(job.requestId.hex.prefix(8)): inference took \(Int(milliseconds)) ms")
    }

    /// Broadcasts this node's status, or asks again when `StatusRateLimit` allows it.
    private func announceStatus() {
        let now = Self.now()
        switch statusLimit.ask(at: now) {
        case .now:
            execute(node.handle(.statusRequested, now: now).effects)
        case let .later(wait):
            guard !stopped else { return }
            let inbox = inbox
            Task {
                try? await Task.sleep(for: .milliseconds(wait))
                inbox.yield(.statusWanted)
            }
        case .alreadyDue:
            break
        }
    }

    private func arm(_ timer: NodeTimer, at time: Millis) {
        guard !stopped else { return }
        let id = nextTimerId
        nextTimerId += 1
        let delay = max(0, time - Self.now())
        let inbox = inbox
        timers[id] = Task {
            if delay > 0 { try? await Task.sleep(for: .milliseconds(delay)) }
            guard !Task.isCancelled else { return }
            inbox.yield(.timer(timer, id: id))
        }
    }

    private func notify(_ notification: NodeNotification) {
        switch notification {
        case let .packetRejected(rejection, sender, via):
            metrics.rejection(rejection.code)
            let level: Logger.Level = Self.isMisbehaviour(rejection) ? .warning : .debug
            logger.log(level: level, "rejected a packet from \(sender?.short ?? "?") via \(via): \(rejection)")
        case let .phaseChanged(requestId, phase):
            logger.info("request \(requestId.hex.prefix(8)): \(phase)")
            hub.publish(.phase(requestId: requestId, phase: phase, at: Self.now()))
        case let .concluded(conclusion):
            conclude(conclusion)
        case let .conflictingResult(requestId, from):
            logger.warning("request \(requestId.hex.prefix(8)): \(from.short) claims another result")
        case let .conflictingQuorum(requestId, adopted):
            logger.notice("request \(requestId.hex.prefix(8)): two quorum packets; adopted \(adopted.hex.prefix(8))")
        case let .memberFaulted(requestId, member, fault):
            metrics.memberFault(fault)
            logger.warning("request \(requestId.hex.prefix(8)): member \(member.short) \(fault)")
        case let .peerSeen(peer, status):
            // A peer heard for the first time may not know this node either.
            if heardPeers.status(of: peer, status) { announceStatus() }
            do {
                try configuration.store.notePeer(peer, status: status, at: Self.now())
            } catch {
                logger.error("store: cannot note peer \(peer.short): \(error)")
            }
        case let .attestationReceived(envelope):
            chainSignalSink.yield(.attestation(envelope))
        case let .attestationRefused(requestId):
            logger.warning("request \(requestId.hex.prefix(8)): not final here with this node in its quorum; no attestation")
        case let .chat(envelope, via):
            guard let post = envelope.chat else { return }
            hub.publish(.chat(chat.add(envelope, text: post.text, via: via, at: Self.now())))
        }
    }

    private func conclude(_ conclusion: RequestConclusion) {
        switch conclusion.outcome {
        case let .final(chosen):
            metrics.concluded("final")
            logger.info("request \(conclusion.requestId.hex.prefix(8)) final: output of \(chosen.node.short), cluster of \(chosen.cluster.count)")
        case let .failed(failure):
            metrics.concluded("failed")
            logger.warning("request \(conclusion.requestId.hex.prefix(8)) failed: \(failure)")
        }
        hub.publish(.concluded(conclusion))
        if conclusion.certificate?.quorum.quorum?.request.request?.origin.kind == .chain {
            chainSignalSink.yield(.concluded(conclusion))
        }
        conclusions.record(conclusion)
        conclusionsSincePrune += 1
        guard conclusionsSincePrune >= Self.pruneInterval else { return }
        conclusionsSincePrune = 0
        do {
            try configuration.store.prune(keepingFinished: configuration.retainedRequests)
        } catch {
            logger.error("store: cannot prune: \(error)")
        }
    }

    /// Pruning is a query over the whole store, so it runs every this many conclusions.
    static let pruneInterval = 64

    static func now() -> Millis {
        Millis((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
