import Foundation
import Logging
import RakisAPI
import RakisCore
import RakisNetwork
import RakisRuntime

/// Seven nodes in one process, on a peer mesh over loopback: three serve SmolLM2, three serve
/// Gemma 3 (two model families, for mixed quorums), the last is a follower. Each has its own
/// identity, store and model instances, as separate machines would; the network is a private one
/// whose allowlist admits the six serving nodes.
struct DemoNetwork {
    static let smolLM2 = "smollm2-135m-instruct"
    static let gemma3 = "gemma3-270m"
    static let embeddingModel = "all-minilm-l6-v2"
    /// What each serving node serves, in order; the follower comes after them.
    static let servedModels = [smolLM2, smolLM2, smolLM2, gemma3, gemma3, gemma3]
    static var modelFiles: [String] { Array(Set(servedModels)).sorted() + [embeddingModel] }

    let name: String
    let runtimes: [NodeRuntime]
    /// Who may call the follower's API: anyone on this machine (the demo listens on loopback),
    /// and whoever holds a key made for the follower's store (`rakis keys api create --data-dir`).
    let followerAccess: APIAccess
    private let loops: [Task<Void, Never>]

    var follower: NodeRuntime { runtimes.last! }

    static func start(directory: String, threads: Int, logger: Logger) async throws -> DemoNetwork {
        let name = "demo-\(Hex.encode((0..<3).map { _ in UInt8.random(in: 0...255) }))"
        var runtimes: [NodeRuntime] = []
        var loops: [Task<Void, Never>] = []
        var followerAccess = APIAccess.anonymous
        var firstAddress: String?
        // The identities come first: the allowlist every node holds names the serving ones.
        let serving = servedModels.count
        let identities = try (0...serving).map { index in
            try FileManager.default.createDirectory(atPath: "\(directory)/node\(index)", withIntermediateDirectories: true)
            return try NodeAssembly.loadIdentity("\(directory)/node\(index)/node.key", logger: logger)
        }
        for index in 0...serving {
            var settings = NodeSettings()
            settings.membership.mode = "allowlist"
            settings.membership.members = identities.prefix(serving).map(\.nodeId.hex)
            settings.network = name
            settings.dataDir = "\(directory)/node\(index)"
            settings.models = index < serving ? [servedModels[index]] : []
            settings.embeddingModel = embeddingModel
            settings.threads = threads
            settings.mesh.listen = "127.0.0.1:0"
            settings.mesh.bootstrap = firstAddress.map { [$0] } ?? []
            settings.apiAccess.mode = "open"
            try settings.validate()
            let assembly = try await NodeAssembly.build(settings, logger: logger, quiet: index > 0)
            let runtime = assembly.runtime
            followerAccess = assembly.apiAccess
            try await runtime.start()
            loops.append(Task { await runtime.run() })
            runtimes.append(runtime)
            if firstAddress == nil, let mesh = runtime.transports.first as? MeshTransport, let address = mesh.listenAddress {
                firstAddress = address.description
            }
        }
        return DemoNetwork(name: name, runtimes: runtimes, followerAccess: followerAccess, loops: loops)
    }

    /// Waits until every node has heard at least two others say they serve each model: a node
    /// sizes its share of the work by the servers it knows of, and the follower's API refuses
    /// models nobody is known to serve.
    func waitUntilEveryoneKnowsTheServers() async -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            var ready = true
            for runtime in runtimes {
                let peers = await runtime.peers()
                for model in Set(Self.servedModels) where peers.filter({ $0.status?.models.contains(model) == true }).count < 2 {
                    ready = false
                }
            }
            if ready { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    func stop() async {
        for runtime in runtimes { await runtime.stop() }
        for loop in loops { await loop.value }
    }
}
