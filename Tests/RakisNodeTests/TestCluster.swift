import RakisCore
@testable import RakisNode

/// A few real nodes wired together in one process, with a hand-driven clock and hooks to drop
/// or rewrite packets, and scripted models. For state-machine tests of specific paths; the
/// simulator covers the network at scale.
final class TestCluster {
    struct Delivery {
        let time: Millis
        let sequence: Int
        let node: Int
        let event: NodeEvent
    }

    static let network = "rakis-test"
    static let model = "test-llm"
    static let embedder = "test-embedder"
    static let start: Millis = 1_700_000_000_000

    var nodes: [Node] = []
    var now = TestCluster.start
    private var pending: [Delivery] = []
    private var sequence = 0
    private var requestCounter = 0

    /// Whether a packet from one node reaches another; default: always.
    var link: (_ from: Int, _ to: Int, _ envelope: Envelope) -> Bool = { _, _, _ in true }
    /// Rewrites what a node broadcasts (for adversarial nodes); default: unchanged.
    var rewrite: (_ from: Int, _ envelope: Envelope) -> Envelope = { _, envelope in envelope }
    /// What a node's model answers; default: the same text everywhere.
    var infer: (_ node: Int, _ job: InferenceJob) -> String = { _, _ in "Four." }
    /// A node's own embedding of its output; default: the true embedding.
    var embedOwn: (_ node: Int, _ text: String) -> BinaryEmbedding = { _, text in TestCluster.embed(text) }
    let inferenceTime: Millis = 200

    var notifications: [(node: Int, notification: NodeNotification)] = []
    /// What each node asked to persist, in order (a node's store, for crash and restart tests).
    var persisted: [Int: [PersistRecord]] = [:]
    /// Crashed nodes: they receive nothing until restarted.
    var down: Set<Int> = []
    var broadcasts: [(node: Int, envelope: Envelope)] = []
    var inferencesStarted: [(node: Int, requestId: Hash256, at: Millis)] = []
    /// Every inference job the nodes started, in order.
    var jobs: [InferenceJob] = []

    /// The serving nodes weigh 1 each in an allowlist, and followers are not admitted; or, with
    /// `openDifficulty`, the network is open and every serving node mints its admission ticket.
    /// Serving node `index` serves `models[index % models.count]` (default: `model`).
    init(serving: Int, followers: Int = 0, openDifficulty: Int? = nil, models: [[String]] = [[TestCluster.model]],
         configure: (inout NodeConfig) -> Void = { _ in }) {
        let identities = (0..<(serving + followers)).map { NodeIdentity(deterministicLabel: "test node \($0)") }
        let membership = openDifficulty.map { try! Membership.open(difficulty: $0) }
            ?? Membership.equalWeights(identities.prefix(serving).map(\.nodeId))
        for index in identities.indices {
            let ticket = openDifficulty.flatMap { difficulty in
                index < serving ? AdmissionTicket.mint(for: identities[index].nodeId, network: Self.network, difficulty: difficulty) : nil
            }
            var config = NodeConfig(network: Self.network, membership: membership, servedModels: index < serving ? models[index % models.count] : [],
                                    embeddingModels: [Self.embedder], ticket: ticket)
            configure(&config)
            let node = Node(identity: identities[index], config: config)
            node.checksInvariants = true
            nodes.append(node)
        }
        for index in nodes.indices { schedule(index, .started, at: now) }
        run(until: now + 100)
    }

    /// A deterministic stand-in embedder: 384 bits from SHA-256 of the text, repeated.
    static func embed(_ text: String) -> BinaryEmbedding {
        let digest = Hash256.of(Array(text.utf8)).bytes
        return BinaryEmbedding(bytes: (0..<48).map { digest[$0 % 32] })
    }

    func spec(quorum: Int = 3, secPercentage: Double = 0.66, commitWindow: Millis = 5_000, revealWindow: Millis = 5_000) -> RequestSpec {
        RequestSpec(input: .prompt("What is 2+2?"), models: [Self.model], embeddingModel: Self.embedder,
                    quorum: quorum, secDistance: 0.1, secPercentage: secPercentage,
                    commitWindow: commitWindow, revealWindow: revealWindow)
    }

    /// A counter, so that two submissions of one spec are two requests.
    func nextNonce() -> String {
        requestCounter += 1
        return Hex.encode((0..<4).map { UInt8(truncatingIfNeeded: requestCounter >> (8 * (3 - $0))) })
    }

    /// Submits a request at `origin` and returns its id.
    func submit(_ spec: RequestSpec, at origin: Int) -> Hash256 {
        let step = nodes[origin].handle(.requestSubmitted(spec, nonce: nextNonce()), now: now)
        apply(step.effects, from: origin)
        guard case let .submitted(id) = step.verdict else { fatalError("submission rejected: \(step.verdict)") }
        return id
    }

    func deliver(_ envelope: Envelope, to node: Int) {
        schedule(node, .packetReceived(envelope, via: "test"), at: now)
    }

    func schedule(_ node: Int, _ event: NodeEvent, at time: Millis) {
        pending.append(Delivery(time: time, sequence: sequence, node: node, event: event))
        sequence += 1
    }

    func run(until end: Millis) {
        while let next = pending.indices.min(by: { (pending[$0].time, pending[$0].sequence) < (pending[$1].time, pending[$1].sequence) }),
              pending[next].time <= end {
            let delivery = pending.remove(at: next)
            now = delivery.time
            if down.contains(delivery.node) { continue }
            apply(nodes[delivery.node].handle(delivery.event, now: now).effects, from: delivery.node)
        }
        now = end
    }

    private func apply(_ effects: [NodeEffect], from index: Int) {
        for effect in effects {
            switch effect {
            case let .broadcast(original):
                let envelope = rewrite(index, original)
                broadcasts.append((index, envelope))
                for receiver in nodes.indices where receiver != index && link(index, receiver, envelope) {
                    schedule(receiver, .packetReceived(envelope, via: "test"), at: now + 10)
                }
            case let .setTimer(timer, time):
                schedule(index, .timerFired(timer), at: max(time, now))
            case let .startInference(job):
                inferencesStarted.append((index, job.requestId, now))
                jobs.append(job)
                schedule(index, .inferenceFinished(job, output: infer(index, job)), at: now + inferenceTime)
            case let .startEmbedding(job):
                let embedding = job.purpose == .own ? embedOwn(index, job.text) : Self.embed(job.text)
                schedule(index, .embeddingFinished(job, embedding, fields: job.fieldTexts.map(Self.embed)), at: now + 5)
            case let .persist(record):
                persisted[index, default: []].append(record)
            case let .notify(notification):
                notifications.append((index, notification))
            }
        }
    }

    // MARK: - Crashes

    /// The node stops at once: its timers, running jobs and incoming packets are lost.
    func crash(_ node: Int) {
        down.insert(node)
        pending.removeAll { $0.node == node }
    }

    /// A new state machine with the same identity and config (changed by `reconfigure`) takes over
    /// from what was persisted.
    func restart(_ node: Int, reconfigure: (inout NodeConfig) -> Void = { _ in }) {
        let old = nodes[node]
        var config = old.config
        reconfigure(&config)
        nodes[node] = Node(identity: old.identity, config: config)
        nodes[node].checksInvariants = true
        down.remove(node)
        schedule(node, .recovered(recovery(of: node)), at: now)
        schedule(node, .started, at: now)
    }

    /// What a store would give back: per unfinished request, its packets in order, own output and last phase.
    func recovery(of node: Int) -> NodeRecovery {
        var order: [Hash256] = []
        var packets: [Hash256: [Envelope]] = [:]
        var phases: [Hash256: RequestPhase] = [:]
        var own: [Hash256: OwnOutput] = [:]
        for record in persisted[node] ?? [] {
            switch record {
            case let .packet(envelope):
                guard let id = envelope.requestId else { continue }
                if packets[id] == nil { order.append(id) }
                if !(packets[id] ?? []).contains(where: { $0.id == envelope.id }) { packets[id, default: []].append(envelope) }
            case let .requestState(id, phase):
                phases[id] = max(phases[id] ?? .seen, phase)
            case let .ownOutput(output):
                own[output.requestId] = output
            case .finished:
                break  // its phase arrives as a request state
            }
        }
        let unfinished = order.filter { !(phases[$0] ?? .seen).isTerminal }.map { id in
            let stored = packets[id]!
            return RecoveredRequest(request: stored.first { $0.request != nil }!, packets: stored.filter { $0.request == nil },
                                    ownOutput: own[id], phase: phases[id] ?? .seen)
        }
        return NodeRecovery(unfinished: unfinished, concluded: order.filter { (phases[$0] ?? .seen).isTerminal })
    }

    // MARK: - Reading outcomes

    /// How the request ended at a node, from its notifications (the node itself forgets a request
    /// once its deadlines have passed).
    func conclusion(_ request: Hash256, at node: Int) -> RequestConclusion? {
        for entry in notifications where entry.node == node {
            if case let .concluded(conclusion) = entry.notification, conclusion.requestId == request { return conclusion }
        }
        return nil
    }

    func outcome(_ request: Hash256, at node: Int) -> RequestConclusion.Outcome? {
        conclusion(request, at: node)?.outcome
    }

    func phases(_ request: Hash256, at node: Int) -> [RequestPhase] {
        notifications.compactMap { entry in
            guard entry.node == node, case let .phaseChanged(id, phase) = entry.notification, id == request else { return nil }
            return phase
        }
    }

    func rejections(at node: Int? = nil) -> [PacketRejection] {
        notifications.compactMap { entry in
            guard node == nil || entry.node == node, case let .packetRejected(rejection, _, _) = entry.notification else { return nil }
            return rejection
        }
    }

    func chosen(_ request: Hash256, at node: Int) -> ChosenOutput? {
        if case let .final(chosen)? = outcome(request, at: node) { return chosen }
        return nil
    }

    func failure(_ request: Hash256, at node: Int) -> RequestFailure? {
        if case let .failed(failure)? = outcome(request, at: node) { return failure }
        return nil
    }
}
