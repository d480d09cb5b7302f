import RakisCore
import RakisNode

/// Runs N copies of the real node state machine on a virtual clock and a seeded virtual network
/// (latency, loss, duplication, reordering, partitions), with stand-in models. One thread, one
/// random source: the same config gives the same run and the same report.
public final class Simulator {
    /// Small on purpose: millions pass through the queue. Deliveries, the bulk, carry just a
    /// node index and a shared envelope; other node events are boxed.
    private enum Event {
        case deliver(node: Int, Envelope)
        indirect case node(Int, NodeEvent)
        case submit(Int)
    }

    public let config: SimulationConfig
    private var random: SeededRandom
    private var queue = EventQueue<Event>(start: Simulator.startTime)
    private var nodes: [Node] = []
    private var adversarial: [Bool] = []
    private var followers: [Bool] = []
    private var indexOf: [NodeID: Int] = [:]
    private let models: StandInModels
    private var now: Millis
    private var tally = SimulationTally()
    /// Sees every effect every node produces, in order: for narrating a run (`rakis demo`).
    public var onEffect: ((_ time: Millis, _ node: Int, _ effect: NodeEffect) -> Void)?

    /// Virtual time starts at a realistic Unix time, so packet clocks look like real ones.
    static let startTime: Millis = 1_700_000_000_000
    static let warmUp: Millis = 2_000
    static let transport: TransportName = "sim"

    public init(config: SimulationConfig) {
        precondition(config.nodes >= 1 && config.requests >= 0, "a simulation needs nodes")
        self.config = config
        random = SeededRandom(seed: config.seed)
        models = StandInModels(paraphrases: config.paraphrases, flipRate: config.flipRate)
        now = Self.startTime
        buildNodes()
    }

    private func buildNodes() {
        let count = config.nodes
        var order = Array(0..<count)
        order.shuffle(using: &random)
        let adversaries = Set(order.prefix(Int((config.adversarial * Double(count)).rounded())))
        let followerCount = Int((config.followers * Double(count)).rounded())
        let followerSet = Set(order.dropFirst(adversaries.count).prefix(followerCount))
        let cache = SharedValidationCache()
        let identities = (0..<count).map { NodeIdentity(deterministicLabel: "rakis-sim/\(config.seed)/\($0)") }
        // Every serving node weighs 1; followers run no model and sit on no committee.
        let membership = Membership.equalWeights(identities.indices.filter { !followerSet.contains($0) }.map { identities[$0].nodeId })
        for index in 0..<count {
            var nodeConfig = NodeConfig(
                network: SimulationConfig.network, membership: membership,
                servedModels: followerSet.contains(index) ? [] : [SimulationConfig.model],
                embeddingModels: [SimulationConfig.embeddingModel]
            )
            nodeConfig.workerRedundancy = config.workerRedundancy
            nodeConfig.peerStatusInterval = config.peerStatusInterval
            let node = Node(identity: identities[index], config: nodeConfig, validationCache: cache)
            node.checksInvariants = config.checksInvariants
            indexOf[node.nodeId] = index
            nodes.append(node)
            adversarial.append(adversaries.contains(index))
            followers.append(followerSet.contains(index))
        }
    }

    public func run() -> SimulationReport {
        for index in nodes.indices {
            queue.push(.node(index, .started), at: now + random.int(in: 0...500))
        }
        var submitAt = Double(Self.startTime + Self.warmUp)
        for request in 0..<config.requests {
            queue.push(.submit(request), at: Millis(submitAt))
            submitAt += random.exponential(mean: config.requestIntervalMean)
        }
        let lastDeadline = Millis(submitAt) + config.commitWindow + config.revealWindow
        let end = lastDeadline + nodes[0].config.settleWindow + 10_000

        while let (time, event) = queue.pop(), time <= end {
            now = time
            switch event {
            case let .submit(request):
                submit(request)
            case let .deliver(index, envelope):
                apply(nodes[index].handle(.packetReceived(envelope, via: Self.transport), now: now).effects, from: index)
            case let .node(index, nodeEvent):
                apply(nodes[index].handle(nodeEvent, now: now).effects, from: index)
            }
        }
        tally.stuck = nodes.reduce(0) { $0 + $1.openRequests.count }
        return SimulationReport(config: config, tally: tally, adversarial: adversarial.filter { $0 }.count,
                                followers: followers.filter { $0 }.count)
    }

    private func submit(_ request: Int) {
        let honest = nodes.indices.filter { !adversarial[$0] }
        guard !honest.isEmpty else { return }
        let origin = honest[Int(random.int(in: 0...Int64(honest.count - 1)))]
        let nonce = Hex.encode((0..<8).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        let spec = RequestSpec(
            input: .prompt("simulated prompt \(request)"), models: [SimulationConfig.model], temperature: 0.7,
            maxTokens: 64, seed: request, embeddingModel: SimulationConfig.embeddingModel, embeddingBits: config.embeddingBits,
            quorum: config.quorum, secDistance: config.secDistance, secPercentage: config.secPercentage,
            commitWindow: config.commitWindow, revealWindow: config.revealWindow
        )
        let step = nodes[origin].handle(.requestSubmitted(spec, nonce: nonce), now: now)
        if case let .submitted(requestId) = step.verdict {
            tally.requestIndex[requestId] = tally.requests.count
            tally.requests.append(RequestTally(id: requestId, origin: origin, submittedAt: now))
        }
        apply(step.effects, from: origin)
    }

    /// The simulated nodes' ids, by index.
    public var nodeIds: [NodeID] { nodes.map(\.nodeId) }
    public func isAdversarial(_ index: Int) -> Bool { adversarial[index] }
    public func isFollower(_ index: Int) -> Bool { followers[index] }

    private func apply(_ effects: [NodeEffect], from index: Int) {
        for effect in effects {
            onEffect?(now, index, effect)
            switch effect {
            case let .broadcast(envelope):
                broadcast(envelope, from: index)
            case let .setTimer(timer, time):
                queue.push(.node(index, .timerFired(timer)), at: max(time, now))
            case let .startInference(job):
                let output = adversarial[index]
                    ? models.adversarialOutput(requestId: job.requestId, node: index)
                    : models.honestOutput(requestId: job.requestId, paraphrase: Int(random.int(in: 0...Int64(config.paraphrases - 1))))
                queue.push(.node(index, .inferenceFinished(job, output: output)), at: now + random.int(in: config.inferenceTime))
            case let .startEmbedding(job):
                let embedding = models.embed(job.text, bits: job.bits)
                let delay = random.int(in: config.embeddingTime)
                if delay == 0 {
                    // Instant embeddings skip the queue: millions of verifications pass through here.
                    apply(nodes[index].handle(.embeddingFinished(job, embedding), now: now).effects, from: index)
                } else {
                    queue.push(.node(index, .embeddingFinished(job, embedding)), at: now + delay)
                }
            case .persist:
                tally.persisted += 1
            case let .notify(notification):
                observe(notification, at: index)
            }
        }
    }

    private func broadcast(_ envelope: Envelope, from sender: Int) {
        tally.broadcasts += 1
        let size = envelope.wireBytes.count
        for receiver in nodes.indices where receiver != sender {
            guard !partitioned(sender, receiver) else {
                tally.partitionDrops += 1
                continue
            }
            if random.chance(config.loss) {
                tally.lost += 1
                continue
            }
            let copies = random.chance(config.duplication) ? 2 : 1
            for _ in 0..<copies {
                tally.deliveries += 1
                tally.bytes += size
                queue.push(.deliver(node: receiver, envelope), at: now + latency())
            }
        }
    }

    private func latency() -> Millis {
        config.latencyBase + Millis(random.exponential(mean: config.latencyTailMean))
    }

    private func partitioned(_ a: Int, _ b: Int) -> Bool {
        let elapsed = now - Self.startTime
        for partition in config.partitions where partition.start <= elapsed && elapsed < partition.end {
            let boundary = Int(partition.fraction * Double(nodes.count))
            if (a < boundary) != (b < boundary) { return true }
        }
        return false
    }

    private func observe(_ notification: NodeNotification, at index: Int) {
        switch notification {
        case let .packetRejected(rejection, _, _):
            tally.rejections[rejection.code, default: 0] += 1
        case let .concluded(conclusion):
            record(conclusion, at: index)
        default:
            break
        }
    }

    private func record(_ conclusion: RequestConclusion, at index: Int) {
        guard let position = tally.requestIndex[conclusion.requestId] else { return }
        var request = tally.requests[position]
        defer { tally.requests[position] = request }
        if index == request.origin {
            request.originOutcome = conclusion.outcome
            request.originConcludedAt = conclusion.concludedAt
        }
        guard !adversarial[index] else { return }
        switch conclusion.outcome {
        case let .final(chosen):
            request.honestFinals += 1
            if let first = request.firstFinal {
                // The output is what clients act on; its certificate's cluster may differ between honest
                // nodes when one decided over the fixer's partial reveal set and another over all of them.
                if first.commitment != chosen.commitment {
                    tally.agreementViolations += 1
                } else if first.cluster != chosen.cluster {
                    tally.clusterDifferences += 1
                }
            } else {
                request.firstFinal = chosen
                checkValidity(chosen, certificate: conclusion.certificate!)
            }
        case let .failed(failure):
            request.honestFailures[failure.code, default: 0] += 1
        }
    }

    /// With an honest cluster large enough to carry consensus inside the quorum, the chosen output
    /// must come from an honest node.
    private func checkValidity(_ chosen: ChosenOutput, certificate: ResultCertificate) {
        let quorum = certificate.quorum.quorum!
        let frame = quorum.request.request!.frame
        let honestMembers = quorum.commits.filter { !adversarial[indexOf[$0.sender]!] }.count
        let required = Consensus.requiredClusterSize(secPercentage: frame.secPercentage, quorum: frame.quorum)
        if honestMembers >= required, adversarial[indexOf[chosen.node]!] {
            tally.validityViolations += 1
        }
    }
}
