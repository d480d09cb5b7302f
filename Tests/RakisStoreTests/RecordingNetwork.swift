import Foundation
import RakisCore
import RakisNode

/// Real nodes driven by hand on one clock, recording each effect list's persist records as the
/// runtime would hand them to the store. Gives the store tests real envelopes, phases, own
/// outputs and conclusions.
final class RecordingNetwork {
    /// One effect list's persist records, as one `apply` call.
    struct Batch {
        let node: Int
        let time: Millis
        let records: [PersistRecord]
    }

    private struct Pending {
        let time: Millis
        let order: Int
        let node: Int
        let event: NodeEvent
    }

    static let network = "rakis-store-test"
    static let model = "test-llm"
    static let embedder = "test-embedder"

    let nodes: [Node]
    private(set) var now: Millis = 1_700_000_000_000
    private(set) var batches: [Batch] = []
    private var pending: [Pending] = []
    private var order = 0
    private var submitted = 0

    init(nodes count: Int) {
        let identities = (0..<count).map { NodeIdentity(deterministicLabel: "store test node \($0)") }
        let membership = Membership.equalWeights(identities.map(\.nodeId))
        nodes = identities.map { identity in
            let node = Node(identity: identity, config: NodeConfig(network: Self.network, membership: membership,
                                                                   servedModels: [Self.model], embeddingModels: [Self.embedder]))
            node.checksInvariants = true
            return node
        }
        for index in nodes.indices { schedule(index, .started, at: now) }
        run(for: 100)
    }

    /// Submits a request at node `origin` (quorum: every node) and returns its id.
    func submit(at origin: Int) -> Hash256 {
        submitted += 1
        let spec = RequestSpec(input: .prompt("What is 2+2?"), models: [Self.model], embeddingModel: Self.embedder,
                               quorum: nodes.count, secDistance: 0.1, secPercentage: 0.66, commitWindow: 5_000, revealWindow: 5_000)
        let step = nodes[origin].handle(.requestSubmitted(spec, nonce: String(format: "%08x", submitted)), now: now)
        carryOut(step.effects, of: origin)
        guard case let .submitted(id) = step.verdict else { fatalError("submission rejected: \(step.verdict)") }
        return id
    }

    /// Runs every event due in the next `duration` milliseconds.
    func run(for duration: Millis) {
        let end = now + duration
        while let next = pending.indices.min(by: { (pending[$0].time, pending[$0].order) < (pending[$1].time, pending[$1].order) }),
              pending[next].time <= end {
            let event = pending.remove(at: next)
            now = event.time
            carryOut(nodes[event.node].handle(event.event, now: now).effects, of: event.node)
        }
        now = end
    }

    func batches(of node: Int) -> [Batch] { batches.filter { $0.node == node } }

    private func schedule(_ node: Int, _ event: NodeEvent, at time: Millis) {
        pending.append(Pending(time: time, order: order, node: node, event: event))
        order += 1
    }

    /// Inference takes 200 ms, embedding 5 ms, the network 10 ms; every model answers "Four.".
    private func carryOut(_ effects: [NodeEffect], of node: Int) {
        var records: [PersistRecord] = []
        for effect in effects {
            switch effect {
            case let .broadcast(envelope):
                for receiver in nodes.indices where receiver != node {
                    schedule(receiver, .packetReceived(envelope, via: "test"), at: now + 10)
                }
            case let .setTimer(timer, time):
                schedule(node, .timerFired(timer), at: max(time, now))
            case let .startInference(job):
                schedule(node, .inferenceFinished(job, output: "Four."), at: now + 200)
            case let .startEmbedding(job):
                schedule(node, .embeddingFinished(job, Self.embed(job.text)), at: now + 5)
            case let .persist(record):
                records.append(record)
            case .notify:
                break
            }
        }
        if !records.isEmpty { batches.append(Batch(node: node, time: now, records: records)) }
    }

    /// A stand-in embedder: 384 bits from SHA-256 of the text.
    static func embed(_ text: String) -> BinaryEmbedding {
        let digest = Hash256.of(Array(text.utf8)).bytes
        return BinaryEmbedding(bytes: (0..<48).map { digest[$0 % 32] })
    }
}
