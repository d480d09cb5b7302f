import Foundation
import RakisCore
import RakisRuntime
import RakisStore
import RakisTestSupport

/// Real `rakis node` processes on loopback with the real models, talking over the chosen
/// transports, plus `rakis submit` as the requesting client.
final class LoopbackCluster {
    enum TransportKind: String, CaseIterable { case mesh, nostr, mqtt }

    let directory: String
    /// Unique per cluster, so packets a relay kept from other tests are not this network's.
    let network: String
    let transports: Set<TransportKind>
    let serving: Int
    let followers: Int
    let nostrRelay: String
    let mqttBroker: String
    private(set) var nodes: [NodeProcess] = []
    private(set) var metricsPorts: [Int] = []
    private(set) var meshPorts: [Int] = []
    /// The HTTP APIs of nodes 0, 1, ...: as many as the cluster was asked for.
    private(set) var apiPorts: [Int] = []
    /// Node 0's HTTP API, if the cluster was asked for one.
    var apiPort: Int? { apiPorts.first }
    /// The `--api-access` of every node with an API: `open` (the default here: most tests are not about keys) or `keys`.
    let apiAccess: String

    var count: Int { serving + followers }

    /// Node i < serving serves SmolLM2, with the built-in engine or, for the indices in
    /// `backends`, through that OpenAI-compatible URL; the rest are followers (embedding model only).
    let backends: [Int: String]
    /// Another model for serving node i than SmolLM2 (its catalog name, say "gemma3-270m").
    let models: [Int: String]

    /// More flags for node i (a chain, say).
    let extraArguments: [Int: [String]]

    /// Each node's identity (fresh unless given), written to its key file before it starts, so
    /// that the network's allowlist can name the serving nodes (weight 1 each; followers sit on no committee).
    private(set) var identities: [NodeIdentity] = []
    /// Members that are not the cluster's nodes (an adversary's weighted identities, say).
    let extraMembers: [NodeID]
    /// A stake network's nodes read their weights from the oracle their extra arguments name.
    let stake: Bool

    /// The membership flags every node of the cluster, and every client, must share. None when
    /// RAKIS_TEST_BEFORE_MEMBERSHIP is set: the binary under test predates memberships (for the
    /// README's before-and-after latency figures, measured with the same tests).
    var membershipArguments: [String] {
        if ProcessInfo.processInfo.environment["RAKIS_TEST_BEFORE_MEMBERSHIP"] != nil { return [] }
        if stake { return ["--membership", "stake"] }
        return ["--membership", "allowlist"] + (identities.prefix(serving).map(\.nodeId) + extraMembers).flatMap { ["--member", $0.hex] }
    }

    /// `api`: node 0 serves the HTTP API; `apiNodes`: that many nodes, from node 0, do.
    init(serving: Int, followers: Int, transports: Set<TransportKind>, api: Bool = false, apiNodes: Int = 0, apiAccess: String = "open", backends: [Int: String] = [:], models: [Int: String] = [:],
         extraArguments: [Int: [String]] = [:], identities: [NodeIdentity]? = nil, extraMembers: [NodeID] = [], stake: Bool = false,
         network: String = "loopback-\(UInt32.random(in: 0...UInt32.max))", nostrRelay: String = LoopbackCluster.environment.nostr ?? "", mqttBroker: String = LoopbackCluster.environment.mqtt ?? "") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-loopback-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.transports = transports
        self.apiAccess = apiAccess
        self.backends = backends
        self.models = models
        self.extraArguments = extraArguments
        self.extraMembers = extraMembers
        self.stake = stake
        self.network = network
        self.serving = serving
        self.followers = followers
        self.nostrRelay = nostrRelay
        self.mqttBroker = mqttBroker
        metricsPorts = try (0..<count).map { _ in try freeLoopbackPort() }
        meshPorts = try (0..<count).map { _ in try freeLoopbackPort() }
        apiPorts = try (0..<max(apiNodes, api ? 1 : 0)).map { _ in try freeLoopbackPort() }
        self.identities = identities ?? (0..<count).map { _ in NodeIdentity.generate() }
        precondition(self.identities.count == count, "one identity per node")
        for index in 0..<count {
            try FileManager.default.createDirectory(atPath: dataDirectory(index), withIntermediateDirectories: true)
            try KeyStore.write(self.identities[index], to: "\(dataDirectory(index))/node.key", passphrase: nil)
        }
        for index in 0..<count {
            nodes.append(try NodeProcess(name: "node\(index)", arguments: arguments(node: index), directory: directory))
        }
    }

    deinit {
        for node in nodes { node.process.killNow() }
        try? FileManager.default.removeItem(atPath: directory)
    }

    static let environment = (nostr: ProcessInfo.processInfo.environment["RAKIS_TEST_NOSTR"],
                              mqtt: ProcessInfo.processInfo.environment["RAKIS_TEST_MQTT"])
    /// The test command starts a relay and a broker and sets RAKIS_TEST_NOSTR and RAKIS_TEST_MQTT;
    /// by hand, run scripts/services.sh.
    static let rakisBinary = TestRequirement(
        "the release binary (\(NodeProcess.binary); RAKIS_BIN names another)", remedy: "scripts/build.sh rakis",
        isMet: FileManager.default.isExecutableFile(atPath: NodeProcess.binary))

    func dataDirectory(_ index: Int) -> String { "\(directory)/node\(index)" }

    /// Creates an API key for node `index` with `rakis keys api create`, while the node runs, as
    /// an operator would, and returns the key.
    func createAPIKey(at index: Int = 0, name: String, ratePerMinute: Int = 600, maxInFlight: Int = 16) async throws -> String {
        let create = try ChildProcess(executable: NodeProcess.binary,
                                      arguments: ["keys", "api", "create", "--data-dir", dataDirectory(index), "--name", name,
                                                  "--rate-per-minute", String(ratePerMinute), "--max-in-flight", String(maxInFlight)],
                                      logPath: "\(directory)/keys-\(name).log")
        guard await create.waitForExit(timeout: .seconds(30)) == 0,
              let key = create.log.split(separator: "\n").first(where: { $0.hasPrefix("rk_") }) else {
            throw ClusterError("rakis keys api create failed:\n\(create.log)")
        }
        return String(key)
    }

    /// Revokes a key of node `index` with `rakis keys api revoke`.
    func revokeAPIKey(_ key: String, at index: Int = 0) async throws {
        let revoke = try ChildProcess(executable: NodeProcess.binary, arguments: ["keys", "api", "revoke", "--data-dir", dataDirectory(index), key],
                                      logPath: "\(directory)/keys-revoke.log")
        guard await revoke.waitForExit(timeout: .seconds(30)) == 0 else { throw ClusterError("rakis keys api revoke failed:\n\(revoke.log)") }
    }

    private func arguments(node index: Int) -> [String] {
        var arguments = ["node", "--network", network, "--data-dir", dataDirectory(index), "--threads", "1",
                         "--metrics", "127.0.0.1:\(metricsPorts[index])", "--log-level", "info"]
        if let backend = backends[index] {
            arguments += ["--backend", "smollm2-135m-instruct=\(backend)"]
        } else if index < serving {
            arguments += ["--model", models[index] ?? "smollm2-135m-instruct"]
        } else {
            arguments += ["--follower"]
        }
        arguments += transportArguments(meshListen: meshPorts[index], bootstrap: index == 0 ? nil : meshPorts[index - 1])
        if apiPorts.indices.contains(index) { arguments += ["--api", "127.0.0.1:\(apiPorts[index])", "--api-access", apiAccess] }
        return arguments + membershipArguments + (extraArguments[index] ?? [])
    }

    /// A chain of bootstraps (node i dials node i-1): nodes beyond their neighbour are found by peer exchange.
    func transportArguments(meshListen: Int, bootstrap: Int?) -> [String] {
        var arguments: [String] = []
        if transports.contains(.mesh) {
            arguments += ["--mesh-listen", "127.0.0.1:\(meshListen)"]
            if let bootstrap { arguments += ["--bootstrap", "127.0.0.1:\(bootstrap)"] }
        }
        if transports.contains(.nostr) { arguments += ["--nostr-relay", nostrRelay] }
        if transports.contains(.mqtt) { arguments += ["--mqtt-broker", mqttBroker] }
        return arguments
    }

    /// Waits until every node serves metrics and every transport of every node is connected;
    /// over the mesh, until every node has found every other one.
    func waitUntilConnected(timeout: Duration = .seconds(180)) async -> Bool {
        await eventually(timeout: timeout) {
            for port in metricsPorts {
                guard let metrics = await scrapeMetrics(port: port) else { return false }
                let connected = transports.allSatisfy { metrics["rakis_transport_connected{transport=\"\($0.rawValue)\"}"] == 1 }
                let meshFull = !transports.contains(.mesh) || metrics["rakis_transport_connections{transport=\"mesh\"}"] ?? 0 >= Double(count - 1)
                if !connected || !meshFull { return false }
            }
            return true
        }
    }

    func metrics(_ index: Int) async -> [String: Double] { await scrapeMetrics(port: metricsPorts[index]) ?? [:] }

    /// Runs `rakis submit --json` as its own follower node and returns its parsed output.
    /// `whileRunning` runs alongside it, to break things mid-request.
    func submit(_ prompt: String, quorum: Int = 3, maxTokens: Int = 24, extra: [String] = [],
                whileRunning: @escaping () async -> Void = {}) async throws -> SubmitOutcome {
        let port = try freeLoopbackPort()
        let name = "submit-\(UUID().uuidString.prefix(8))"
        let arguments = ["submit", "--network", network, "--data-dir", "\(directory)/\(name)",
                         "--json", "--quorum", "\(quorum)", "--max-tokens", "\(maxTokens)", "--log-level", "warning"]
            + transportArguments(meshListen: port, bootstrap: meshPorts.last) + membershipArguments + extra + [prompt]
        let client = try NodeProcess(name: name, arguments: arguments, directory: directory)
        await whileRunning()
        guard let status = await client.process.waitForExit(timeout: .seconds(240)) else {
            await client.kill()
            throw ClusterError("rakis submit did not finish within 240 s; log:\n\(client.log)")
        }
        guard let line = client.log.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { throw ClusterError("rakis submit exited \(status) without a JSON result; log:\n\(client.log)") }
        return SubmitOutcome(json: json)
    }

    /// The node's stored result for a request, once it has one (the store is read while the node runs).
    func result(of requestId: String, at index: Int, timeout: Duration = .seconds(60)) async -> StoredResult? {
        guard let id = Hash256(hex: requestId) else { return nil }
        var found: StoredResult?
        _ = await eventually(timeout: timeout) {
            found = try? NodeStore(path: "\(dataDirectory(index))/rakis.sqlite").result(of: id)
            return found != nil
        }
        return found
    }

    func counts(at index: Int) throws -> StoreCounts {
        try NodeStore(path: "\(dataDirectory(index))/rakis.sqlite").counts()
    }

    /// How long each serving node's inference of the request took, from its log.
    func inferenceMilliseconds(of requestId: String) -> [Int] {
        let marker = "request \(requestId.prefix(8)): inference took "
        return nodes.compactMap { node in
            guard let line = node.log.split(separator: "\n").last(where: { $0.contains(marker) }),
                  let range = line.range(of: marker) else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
    }

    /// SIGTERM to every node; returns their exit statuses.
    func stopAll() async -> [Int32] {
        var statuses: [Int32] = []
        for node in nodes { statuses.append(await node.stop()) }
        return statuses
    }

    func logs() -> String {
        nodes.map { "--- \($0.name)\n\($0.log.split(separator: "\n").suffix(40).joined(separator: "\n"))" }.joined(separator: "\n")
    }
}

struct SubmitOutcome {
    let json: [String: Any]
    var status: String? { json["status"] as? String }
    var requestId: String? { json["requestId"] as? String }
    var commitment: String? { json["commitment"] as? String }
    var output: String? { json["output"] as? String }
    var seconds: Double? { json["seconds"] as? Double }
}

struct ClusterError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
