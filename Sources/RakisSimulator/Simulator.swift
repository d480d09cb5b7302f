import RakisCore
import RakisNode

/// Runs N copies of the real node state machine on a virtual clock and a seeded virtual network
/// (latency, loss, duplication, reordering, partitions), with stand-in models and the adversaries
/// of `SimulationConfig.adversaries`. One thread, one random source: the same config gives the
/// same run and the same report.
public final class Simulator {
    /// Small on purpose: millions pass through the queue. Deliveries, the bulk, carry just a
    /// node index and a shared envelope; other node events are boxed.
    private enum Event {
        case deliver(node: Int, Envelope)
        indirect case node(Int, NodeEvent)
        case submit(Int)
        /// An outside adversary's (flood, spam) next round.
        case adversaryRound(Int)
        /// A replayer sends a packet it received again.
        case replay(node: Int, Envelope)
        /// A malicious origin's quorum packets for its request, at the commit deadline.
        case maliciousQuorum(node: Int, Hash256)
    }

    public let config: SimulationConfig
    private var random: SeededRandom
    private var queue = EventQueue<Event>(start: Simulator.startTime)
    private var nodes: [Node] = []
    /// Nodes whose outputs are forgeries that do not cluster (`SimulationConfig.adversarial`).
    private var forgers: [Bool] = []
    /// Each node's adversary kind, nil for honest nodes and forgers.
    private var behaviour: [AdversaryKind?] = []
    private var followers: [Bool] = []
    private var indexOf: [NodeID: Int] = [:]
    private var membership: Membership!
    private let models: StandInModels
    private var now: Millis
    private var tally = SimulationTally()
    /// Every request and commit any node broadcast: the adversary sees every packet.
    private var requestsSeen: [Hash256: Envelope] = [:]
    private var commitsSeen: [Hash256: [Envelope]] = [:]
    private var freshKeys = 0
    /// Sees every effect every node produces, in order: for narrating a run (`rakis demo`).
    public var onEffect: ((_ time: Millis, _ node: Int, _ effect: NodeEffect) -> Void)?

    /// Virtual time starts at a realistic Unix time, so packet clocks look like real ones.
    static let startTime: Millis = 1_700_000_000_000
    static let warmUp: Millis = 2_000
    static let transport: TransportName = "sim"
    /// Everyone's weight when a Sybil swarm splits its weight into identities of weight 1.
    static let sybilSplit = 20

    public init(config: SimulationConfig) {
        precondition(config.nodes >= 1 && config.requests >= 0, "a simulation needs nodes")
        self.config = config
        random = SeededRandom(seed: config.seed)
        models = StandInModels(paraphrases: config.paraphrases, flipRate: config.flipRate)
        now = Self.startTime
        buildNodes()
    }

    /// Lays out the nodes: the first `nodes` are honest servers, forgers, followers and the
    /// weighted adversaries that take honest servers' places; Sybil identities and outside
    /// adversaries (flood, replay, spam) come after them.
    private func buildNodes() {
        let count = config.nodes
        var order = Array(0..<count)
        order.shuffle(using: &random)
        let forgerSet = Set(order.prefix(Int((config.adversarial * Double(count)).rounded())))
        let followerCount = Int((config.followers * Double(count)).rounded())
        let followerSet = Set(order.dropFirst(forgerSet.count).prefix(followerCount))
        var kinds = [AdversaryKind?](repeating: nil, count: count)
        var servers = order.dropFirst(forgerSet.count + followerCount)
        let serving = servers.count + forgerSet.count
        for spec in config.adversaries where spec.kind.isWeighted && spec.kind != .sybil {
            for index in servers.prefix(Int((spec.share * Double(serving)).rounded())) { kinds[index] = spec.kind }
            servers = servers.dropFirst(Int((spec.share * Double(serving)).rounded()))
        }
        let sybilShare = config.adversaries.first { $0.kind == .sybil }?.share ?? 0
        let baseWeight = sybilShare > 0 ? Self.sybilSplit : 1
        // Sybil identities of weight 1 whose total is `sybilShare` of all the weight.
        let sybils = sybilShare >= 1 ? 0 : Int((Double(baseWeight * serving) * sybilShare / (1 - sybilShare)).rounded())
        for _ in 0..<sybils { kinds.append(.sybil) }
        for spec in config.adversaries where !spec.kind.isWeighted {
            for _ in 0..<max(1, Int((spec.share * Double(count)).rounded())) { kinds.append(spec.kind) }
        }

        let identities = kinds.indices.map { NodeIdentity(deterministicLabel: "rakis-sim/\(config.seed)/\($0)") }
        var weights: [NodeID: Int] = [:]
        for index in kinds.indices {
            if index < count ? !followerSet.contains(index) : kinds[index] == .sybil {
                weights[identities[index].nodeId] = kinds[index] == .sybil ? 1 : baseWeight
            }
        }
        // Force-try is safe: at least one node serves unless every node follows, which the options refuse.
        membership = try! Membership.table(.allowlist, weights: weights)
        let cache = SharedValidationCache()
        for index in kinds.indices {
            let serves = index < count ? !followerSet.contains(index) : kinds[index] == .sybil
            var nodeConfig = NodeConfig(
                network: SimulationConfig.network, membership: membership,
                servedModels: serves ? [SimulationConfig.model] : [],
                embeddingModels: [SimulationConfig.embeddingModel]
            )
            nodeConfig.workerRedundancy = config.workerRedundancy
            nodeConfig.peerStatusInterval = config.peerStatusInterval
            if kinds[index]?.colludes == true {
                // Colluders answer every request at once.
                nodeConfig.workerRedundancy = 1_000_000
                nodeConfig.maxConcurrentJobs = 64
            }
            let node = Node(identity: identities[index], config: nodeConfig, validationCache: cache)
            node.checksInvariants = config.checksInvariants
            indexOf[node.nodeId] = index
            nodes.append(node)
            forgers.append(forgerSet.contains(index))
            followers.append(index < count && followerSet.contains(index))
            behaviour.append(kinds[index])
        }
    }

    public func run() -> SimulationReport {
        for index in nodes.indices {
            queue.push(.node(index, .started), at: now + random.int(in: 0...500))
            if behaviour[index] == .flood || behaviour[index] == .spam {
                queue.push(.adversaryRound(index), at: now + Self.warmUp)
            }
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
                if behaviour[index] == .replay, random.chance(0.05) {
                    queue.push(.replay(node: index, envelope), at: now + random.int(in: 1_000...20_000))
                }
                apply(nodes[index].handle(.packetReceived(envelope, via: Self.transport), now: now).effects, from: index)
            case let .node(index, nodeEvent):
                apply(nodes[index].handle(nodeEvent, now: now).effects, from: index)
            case let .adversaryRound(index):
                adversaryRound(index)
                if now + 1_000 <= end { queue.push(.adversaryRound(index), at: now + 1_000) }
            case let .replay(index, envelope):
                broadcast(envelope, from: index)
            case let .maliciousQuorum(index, requestId):
                fixBadly(requestId, at: index)
            }
        }
        tally.stuck = nodes.indices.filter(isHonest).reduce(0) { $0 + nodes[$1].openRequests.count }
        tallyDecidability()
        return SimulationReport(config: config, tally: tally, adversarial: forgers.filter { $0 }.count,
                                followers: followers.filter { $0 }.count,
                                adversaries: behaviour.compactMap { $0 }, weightShares: adversaryWeightShares())
    }

    private func submit(_ request: Int) {
        let maliciousShare = config.adversaries.first { $0.kind == .origin }?.share ?? 0
        let malicious = nodes.indices.filter { behaviour[$0] == .origin }
        let honest = nodes.indices.filter(isHonest)
        let useMalicious = !malicious.isEmpty && random.chance(maliciousShare)
        let pool = useMalicious ? malicious : honest
        guard !pool.isEmpty else { return }
        let origin = pool[Int(random.int(in: 0...Int64(pool.count - 1)))]
        let nonce = Hex.encode((0..<8).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        var spec = RequestSpec(
            input: .prompt("simulated prompt \(request)"), models: [SimulationConfig.model], temperature: 0.7,
            maxTokens: 128, seed: request, embeddingModel: SimulationConfig.embeddingModel, embeddingBits: config.embeddingBits,
            quorum: config.quorum, secDistance: config.secDistance, secPercentage: config.secPercentage,
            commitWindow: config.commitWindow, revealWindow: config.revealWindow
        )
        if config.structuredShare > 0, random.chance(config.structuredShare) { spec.format = StandInModels.format }
        let step = nodes[origin].handle(.requestSubmitted(spec, nonce: nonce), now: now)
        if case let .submitted(requestId) = step.verdict {
            tally.requestIndex[requestId] = tally.requests.count
            tally.requests.append(RequestTally(id: requestId, origin: origin, honestOrigin: !useMalicious, submittedAt: now))
            if useMalicious { queue.push(.maliciousQuorum(node: origin, requestId), at: now + config.commitWindow) }
        }
        apply(step.effects, from: origin)
    }

    /// The simulated nodes' ids, by index.
    public var nodeIds: [NodeID] { nodes.map(\.nodeId) }
    public func isAdversarial(_ index: Int) -> Bool { forgers[index] || behaviour[index] != nil }
    public func isFollower(_ index: Int) -> Bool { followers[index] }
    private func isHonest(_ index: Int) -> Bool { !isAdversarial(index) }
    /// Nodes whose outputs are not the honest answer: forgers and colluders.
    private func answersBadly(_ index: Int) -> Bool { forgers[index] || behaviour[index]?.colludes == true }

    private func apply(_ effects: [NodeEffect], from index: Int) {
        for effect in effects {
            onEffect?(now, index, effect)
            switch effect {
            case let .broadcast(envelope):
                send(envelope, from: index)
            case let .setTimer(timer, time):
                queue.push(.node(index, .timerFired(timer)), at: max(time, now))
            case let .startInference(job):
                let output: String
                let structured = job.format != nil
                var delay = random.int(in: config.inferenceTime)
                if behaviour[index]?.colludes == true {
                    output = models.adversarialOutput(requestId: job.requestId, node: -1, structured: structured)
                    delay = 0
                } else if forgers[index] {
                    output = models.adversarialOutput(requestId: job.requestId, node: index, structured: structured)
                } else {
                    output = models.honestOutput(requestId: job.requestId, paraphrase: Int(random.int(in: 0...Int64(config.paraphrases - 1))),
                                                 structured: structured)
                }
                queue.push(.node(index, .inferenceFinished(job, output: output)), at: now + delay)
            case let .startEmbedding(job):
                var embedding = models.embed(job.text, bits: job.bits)
                var fields = job.fieldTexts.map { models.embed($0, bits: job.bits) }
                if behaviour[index] == .garbage, case .own = job.purpose {
                    embedding = BinaryEmbedding(bytes: embedding.bytes.map { ~$0 })
                    fields = fields.map { BinaryEmbedding(bytes: $0.bytes.map { ~$0 }) }
                }
                let delay = random.int(in: config.embeddingTime)
                if delay == 0 {
                    // Instant embeddings skip the queue: millions of verifications pass through here.
                    apply(nodes[index].handle(.embeddingFinished(job, embedding, fields: fields), now: now).effects, from: index)
                } else {
                    queue.push(.node(index, .embeddingFinished(job, embedding, fields: fields)), at: now + delay)
                }
            case .persist:
                tally.persisted += 1
            case let .notify(notification):
                observe(notification, at: index)
            }
        }
    }

    /// A node's broadcast as its adversary kind rewrites it.
    private func send(_ envelope: Envelope, from index: Int) {
        if let commit = envelope.commit { commitsSeen[commit.requestId, default: []].append(envelope) }
        if let request = envelope.request { requestsSeen[request.id] = envelope }
        let own = envelope.sender == nodes[index].nodeId
        switch behaviour[index] {
        case .withhold? where own && envelope.reveal != nil:
            return
        case .origin? where own && (envelope.quorum != nil || envelope.result != nil):
            // Its quorums are `fixBadly`'s, and it publishes no result.
            return
        case .equivocate? where own:
            broadcast(envelope, from: index)
            if let twin = twin(of: envelope, by: index) { broadcast(twin, from: index) }
            return
        default:
            broadcast(envelope, from: index)
        }
    }

    /// An equivocator's second commit (another commitment) or second reveal (another output).
    private func twin(of envelope: Envelope, by index: Int) -> Envelope? {
        let body: PacketBody
        if let commit = envelope.commit {
            body = .commit(Commit(requestId: commit.requestId, inferenceId: commit.inferenceId, model: commit.model,
                                  commitment: Hash256.of(commit.commitment.bytes)))
        } else if let reveal = envelope.reveal {
            body = .reveal(Reveal(requestId: reveal.requestId, inferenceId: reveal.inferenceId, model: reveal.model,
                                  output: reveal.output + " (or not)", salt: reveal.salt, embedding: reveal.embedding))
        } else {
            return nil
        }
        return Envelope(signing: Packet(body, createdAt: now), network: SimulationConfig.network, identity: nodes[index].identity)
    }

    /// Flooders announce fresh weightless keys; spammers send packets with forged signatures.
    private func adversaryRound(_ index: Int) {
        for _ in 0..<5 {
            freshKeys += 1
            let fresh = NodeIdentity(deterministicLabel: "rakis-sim/\(config.seed)/fresh/\(freshKeys)")
            let body: PacketBody = behaviour[index] == .flood
                ? .peerStatus(PeerStatus(models: [SimulationConfig.model], embeddingModels: [SimulationConfig.embeddingModel],
                                         activeJobs: 0, queuedJobs: 0))
                : .commit(Commit(requestId: Hash256.of([UInt8(truncatingIfNeeded: freshKeys)]),
                                 inferenceId: Hash256.of([0]), model: SimulationConfig.model, commitment: Hash256.of([1])))
            let signed = Envelope(signing: Packet(body, createdAt: now), network: SimulationConfig.network, identity: fresh)
            broadcast(behaviour[index] == .spam ? forged(signed) : signed, from: index)
        }
    }

    /// The same packet under another (random) signature.
    private func forged(_ envelope: Envelope) -> Envelope {
        guard case var .object(fields) = envelope.json else { return envelope }
        fields["sig"] = .string(Hex.encode((0..<64).map { _ in UInt8(truncatingIfNeeded: random.next()) }))
        return (try? Envelope.decode(JSONValue.object(fields).canonicalBytes())) ?? envelope
    }

    /// A malicious origin at the commit deadline: the worst-ranked committee it can make (its
    /// colluders' commits first) to half of the network, the next worst to the other half.
    private func fixBadly(_ requestId: Hash256, at index: Int) {
        guard let request = requestsSeen[requestId] else { return }
        let frame = request.request!.frame
        var bySender: [NodeID: Envelope] = [:]
        for commit in commitsSeen[requestId] ?? [] where bySender[commit.sender] == nil { bySender[commit.sender] = commit }
        func firstSeat(_ node: NodeID) -> SeatScore {
            SeatRank.firstSeat(requestId: requestId, node: node, weight: membership.weights[node]!)
        }
        let preferred = bySender.keys.sorted { a, b in
            let (ca, cb) = (behaviour[indexOf[a]!]?.colludes == true, behaviour[indexOf[b]!]?.colludes == true)
            return ca != cb ? ca : firstSeat(a) > firstSeat(b)
        }
        var quorums: [Envelope] = []
        for skip in 0..<2 {
            let candidates = Array(preferred.dropFirst(skip))
            for size in frame.quorum...max(frame.quorum, candidates.count) where size <= candidates.count {
                let chosen = candidates.prefix(size).map { (node: $0, weight: membership.weights[$0]!) }
                guard let committee = Committee(requestId: requestId, candidates: chosen, quorum: frame.quorum) else { continue }
                let decision = QuorumDecision(request: request, commits: committee.members.map { bySender[$0]! })
                quorums.append(Envelope(signing: Packet(.quorum(decision), createdAt: now), network: SimulationConfig.network,
                                        identity: nodes[index].identity))
                break
            }
        }
        for (half, quorum) in quorums.enumerated() {
            for receiver in nodes.indices where receiver != index && (receiver % 2 == half || quorums.count == 1) {
                deliver(quorum, from: index, to: receiver, size: quorum.wireBytes.count)
            }
        }
    }

    private func broadcast(_ envelope: Envelope, from sender: Int) {
        tally.broadcasts += 1
        let size = envelope.wireBytes.count
        for receiver in nodes.indices where receiver != sender {
            deliver(envelope, from: sender, to: receiver, size: size)
        }
    }

    private func deliver(_ envelope: Envelope, from sender: Int, to receiver: Int, size: Int) {
        guard !partitioned(sender, receiver) else {
            tally.partitionDrops += 1
            return
        }
        if random.chance(config.loss) {
            tally.lost += 1
            return
        }
        let copies = random.chance(config.duplication) ? 2 : 1
        for _ in 0..<copies {
            tally.deliveries += 1
            tally.bytes += size
            queue.push(.deliver(node: receiver, envelope), at: now + latency())
        }
    }

    private func latency() -> Millis {
        config.latencyBase + Millis(random.exponential(mean: config.latencyTailMean))
    }

    private func partitioned(_ a: Int, _ b: Int) -> Bool {
        let elapsed = now - Self.startTime
        for partition in config.partitions where partition.start <= elapsed && elapsed < partition.end {
            let boundary = Int(partition.fraction * Double(config.nodes))
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
        guard isHonest(index) else { return }
        if request.firstHonestOutcome == nil {
            request.firstHonestOutcome = conclusion.outcome
            request.firstHonestConcludedAt = conclusion.concludedAt
        }
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

    /// With honest seats enough to carry consensus inside the committee, the chosen output must
    /// not be a forgery or the colluders' answer. Also tallies the adversaries' seats.
    private func checkValidity(_ chosen: ChosenOutput, certificate: ResultCertificate) {
        let quorum = certificate.quorum.quorum!
        let frame = quorum.request.request!.frame
        guard let committee = QuorumRules.committee(of: quorum, membership: membership, network: SimulationConfig.network) else {
            preconditionFailure("an honest node finalized under a quorum that is no committee")
        }
        let adversarySeats = committee.seats.filter { isAdversarial(indexOf[$0.node]!) }.count
        tally.adversarySeats += adversarySeats
        tally.seatsCounted += committee.seats.count
        let required = Consensus.requiredClusterSize(secPercentage: frame.secPercentage, quorum: frame.quorum)
        if answersBadly(indexOf[chosen.node]!) {
            if committee.seats.count - adversarySeats >= required { tally.validityViolations += 1 } else { tally.adversaryDecided += 1 }
        }
    }

    /// For each request an honest origin brought in, the committee the rank rule draws from every
    /// commit made (each sender's first): if its honest seats reach the threshold alone, the request
    /// should finalize. (A malicious origin can fail its own requests, as it could by never sending
    /// them; it cannot make them finalize a wrong output, which the safety checks cover.)
    private func tallyDecidability() {
        for request in tally.requests where request.honestOrigin {
            var senders = Set<NodeID>()
            for commit in commitsSeen[request.id] ?? [] { senders.insert(commit.sender) }
            let candidates = senders.sorted().map { (node: $0, weight: membership.weights[$0]!) }
            guard let committee = Committee(requestId: request.id, candidates: candidates, quorum: config.quorum) else { continue }
            let honestSeats = committee.seats.filter { isHonest(indexOf[$0.node]!) }.count
            guard honestSeats >= Consensus.requiredClusterSize(secPercentage: config.secPercentage, quorum: config.quorum) else { continue }
            tally.honestlyDecidable += 1
            if case (.final, _)? = request.outcome { tally.honestlyDecidableFinalized += 1 }
        }
    }

    /// Each weighted adversary kind's share of the membership's weight.
    private func adversaryWeightShares() -> [AdversaryKind: Double] {
        let total = Double(membership.totalWeight)
        var shares: [AdversaryKind: Double] = [:]
        for (node, weight) in membership.weights {
            if let kind = behaviour[indexOf[node]!] { shares[kind, default: 0] += Double(weight) / total }
        }
        return shares
    }
}
