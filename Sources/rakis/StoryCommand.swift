import ArgumentParser
import RakisCore
import RakisNode
import RakisSimulator

struct Story: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch a small simulated network, with an adversarial node, serve a few requests step by step.",
        discussion: """
        Runs a small simulated network (the real node state machine, a virtual network and stand-in \
        models) and tells each request's story: who committed, who fixed the quorum, who revealed, \
        and which output consensus chose. One node is adversarial and one is a follower.
        """
    )

    @Option(help: "Number of nodes.") var nodes = 6
    @Option(help: "Number of requests.") var requests = 3
    @Option(help: "Seed for the simulated network.") var seed: UInt64 = 7

    func validate() throws {
        guard (4...32).contains(nodes) else { throw ValidationError("--nodes must be in 4...32 for a readable demo") }
        guard (1...10).contains(requests) else { throw ValidationError("--requests must be in 1...10") }
    }

    func run() throws {
        var config = SimulationConfig()
        config.nodes = nodes
        config.requests = requests
        config.seed = seed
        config.adversarial = 1.0 / Double(nodes)
        config.followers = 1.0 / Double(nodes)
        config.requestIntervalMean = 3_000
        config.workerRedundancy = Double(nodes)
        let simulator = Simulator(config: config)
        var narrator = StoryNarrator(simulator: simulator)
        simulator.onEffect = { time, node, effect in narrator.observe(time: time, node: node, effect: effect) }
        let report = simulator.run()
        print(narrator.introduction())
        print(narrator.narration())
        print(report.text, terminator: "")
    }
}

/// Turns a simulation's effects into one short story per request.
struct StoryNarrator {
    private let ids: [NodeID]
    private let roles: [String]
    private var order: [Hash256] = []
    private var stories: [Hash256: [String]] = [:]
    private var started: [Hash256: Millis] = [:]
    private var origins: [Hash256: Int] = [:]
    private var outcomes: [Hash256: [Int: RequestConclusion.Outcome]] = [:]

    init(simulator: Simulator) {
        ids = simulator.nodeIds
        roles = ids.indices.map { index in
            simulator.isAdversarial(index) ? "adversarial" : simulator.isFollower(index) ? "follower" : "honest"
        }
    }

    func introduction() -> String {
        var lines = ["A simulated Rakis network of \(ids.count) nodes:"]
        for (index, id) in ids.enumerated() {
            lines.append("  node \(index)  \(id.short)…  \(roles[index])")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    mutating func observe(time: Millis, node: Int, effect: NodeEffect) {
        switch effect {
        case let .broadcast(envelope):
            switch envelope.packet.body {
            case let .request(request) where envelope.sender == ids[node]:
                order.append(request.id)
                started[request.id] = time
                origins[request.id] = node
                let prompt: String = if case let .prompt(text) = request.input { text } else { "(chat)" }
                stories[request.id] = ["Request \(order.count) (\(request.id.hex.prefix(8))…) from node \(node): \"\(prompt)\", quorum \(request.frame.quorum), secDistance \(request.frame.secDistance), secPercentage \(request.frame.secPercentage)"]
            case let .commit(commit):
                add(commit.requestId, time, "node \(node) commits to its output (commitment \(commit.commitment.hex.prefix(8))…)")
            case let .quorum(quorum) where envelope.sender == ids[node]:
                let members = quorum.commits.map { "node \(index(of: $0.sender))" }.joined(separator: ", ")
                add(quorum.requestId, time, "node \(node) fixes the quorum: \(members); they reveal")
            case let .reveal(reveal) where envelope.sender == ids[node]:
                add(reveal.requestId, time, "node \(node) reveals \"\(reveal.output)\"")
            case let .result(result):
                add(result.requestId, time, "node \(node) publishes the result certificate")
            default:
                break
            }
        case let .notify(.concluded(conclusion)):
            outcomes[conclusion.requestId, default: [:]][node] = conclusion.outcome
            guard node == origins[conclusion.requestId] else { return }
            switch conclusion.outcome {
            case let .final(chosen):
                add(conclusion.requestId, time, "node \(node) (origin) verified every reveal and concludes: output of node \(index(of: chosen.node)), \"\(chosen.output)\", cluster of \(chosen.cluster.count)")
            case let .failed(failure):
                add(conclusion.requestId, time, "node \(node) (origin) concludes: failed, \(failure)")
            }
        default:
            break
        }
    }

    func narration() -> String {
        order.map { id in
            var lines = stories[id] ?? []
            let finals = (outcomes[id] ?? [:]).filter { if case .final = $0.value { true } else { false } }
            let chosen = Set(finals.values.compactMap { if case let .final(output) = $0 { output.commitment } else { nil } })
            lines.append("  => \(finals.count) of \(ids.count) nodes concluded final, \(chosen.count == 1 ? "all on the same output" : "on \(chosen.count) different outputs")")
            return lines.joined(separator: "\n")
        }.joined(separator: "\n\n") + "\n"
    }

    private func index(of node: NodeID) -> Int { ids.firstIndex(of: node) ?? -1 }

    private mutating func add(_ request: Hash256, _ time: Millis, _ text: String) {
        guard let start = started[request] else { return }
        let offset = "+\(time - start) ms"
        let padded = offset + String(repeating: " ", count: max(1, 10 - offset.count))
        stories[request, default: []].append("  \(padded)\(text)")
    }
}
