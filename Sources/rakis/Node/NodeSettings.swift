import ArgumentParser
import Foundation
import Logging
import Yams

/// How a node is set up: a YAML file, then environment variables, then flags, each overriding the
/// one before. Every error names the setting and where it came from.
struct NodeSettings: Equatable {
    var network = "rakis"
    /// Store and key file live here. Default: $RAKIS_HOME/node.
    var dataDir: String?
    /// The node's key file; created on first start if missing. Default: <data dir>/node.key.
    var keyFile: String?
    /// LLMs to serve with the built-in engine, by catalog name.
    var models: [String] = []
    /// LLMs to serve through OpenAI-compatible endpoints. With no model either way, the node is a follower.
    var backends: [BackendSettings] = []
    var embeddingModel = "all-minilm-l6-v2"
    var threads = 1
    var mesh = MeshSettings()
    /// ws:// or wss:// relay URLs; none disables Nostr.
    var nostrRelays: [String] = []
    /// host:port brokers; none disables MQTT.
    var mqttBrokers: [String] = []
    /// host:port for GET /metrics, or nil for none.
    var metrics: String?
    /// host:port for the HTTP API and the dashboard, or nil for none.
    var api: String?
    var retainRequests = 10_000
    var logLevel = "info"
    /// The oracle contract to serve, or nil for none.
    var chain: ChainSettings?

    /// An EVM chain and the oracle contract on it (docs/ORACLE.md).
    struct ChainSettings: Equatable {
        /// The chain node's JSON-RPC URL.
        var rpc: String
        /// The oracle contract's address.
        var oracle: String
        /// The chain key file (hex secret, mode 0600); created if missing. Default: <data dir>/chain.key.
        var keyFile: String?
        var confirmations = 2
        /// The block to start reading the oracle's logs from on a first start: its deployment block.
        var startBlock = 0
        var pollIntervalMs = 1_000
        var submitterTurnMs = 20_000
        var introducerTurnMs = 5_000
    }

    /// A model served by an OpenAI-compatible server instead of the built-in engine.
    struct BackendSettings: Equatable {
        /// The model's name on the network.
        var model: String
        /// The server's base URL, e.g. http://127.0.0.1:8080/v1 (POST {url}/chat/completions).
        var url: String
        /// The name the server knows the model by (default: `model`).
        var remoteModel: String?
        /// The API key itself, or the environment variable holding it (preferred: keys stay out of files).
        var apiKey: String?
        var apiKeyEnv: String?
    }

    /// Every model the node serves, by whatever means.
    var servedModels: [String] { models + backends.map(\.model) }

    struct MeshSettings: Equatable {
        /// host:port to listen on; nil disables the mesh.
        var listen: String?
        /// host:port other nodes should dial (default: the listen address).
        var advertise: String?
        var bootstrap: [String] = []
        var maxNeighbours = 8
    }

    /// Reads a YAML settings file (see `docs/node.example.yaml`). Keys left out keep their
    /// defaults; unknown keys are errors, so a typo never falls back to a default silently.
    static func load(file path: String) throws -> NodeSettings {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("\(path): cannot read the settings file: \(error.localizedDescription)")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ValidationError("\(path): not valid YAML: \(error)")
        }
        var settings = NodeSettings()
        guard let root else { return settings }
        let file = SettingsReader(path: path)
        for (key, value) in try file.mapping(root, "the top level") {
            switch try file.key(key) {
            case "network": settings.network = try file.string(value, "network")
            case "data_dir": settings.dataDir = try file.string(value, "data_dir")
            case "key_file": settings.keyFile = try file.string(value, "key_file")
            case "models": settings.models = try file.strings(value, "models")
            case "embedding_model": settings.embeddingModel = try file.string(value, "embedding_model")
            case "threads": settings.threads = try file.int(value, "threads")
            case "metrics": settings.metrics = try file.string(value, "metrics")
            case "api": settings.api = try file.string(value, "api")
            case "retain_requests": settings.retainRequests = try file.int(value, "retain_requests")
            case "log_level": settings.logLevel = try file.string(value, "log_level")
            case "mesh":
                for (key, value) in try file.mapping(value, "mesh") {
                    switch try file.key(key) {
                    case "listen": settings.mesh.listen = try file.string(value, "mesh.listen")
                    case "advertise": settings.mesh.advertise = try file.string(value, "mesh.advertise")
                    case "bootstrap": settings.mesh.bootstrap = try file.strings(value, "mesh.bootstrap")
                    case "max_neighbours": settings.mesh.maxNeighbours = try file.int(value, "mesh.max_neighbours")
                    case let other: throw file.unknown("mesh.\(other)", known: "listen, advertise, bootstrap, max_neighbours")
                    }
                }
            case "nostr":
                for (key, value) in try file.mapping(value, "nostr") {
                    guard try file.key(key) == "relays" else { throw file.unknown("nostr.\(key.string ?? "?")", known: "relays") }
                    settings.nostrRelays = try file.strings(value, "nostr.relays")
                }
            case "backends":
                settings.backends = try file.list(value, "backends").enumerated().map { index, entry in
                    let path = "backends[\(index)]"
                    var backend = BackendSettings(model: "", url: "")
                    for (key, value) in try file.mapping(entry, path) {
                        switch try file.key(key) {
                        case "model": backend.model = try file.string(value, "\(path).model")
                        case "url": backend.url = try file.string(value, "\(path).url")
                        case "remote_model": backend.remoteModel = try file.string(value, "\(path).remote_model")
                        case "api_key": backend.apiKey = try file.string(value, "\(path).api_key")
                        case "api_key_env": backend.apiKeyEnv = try file.string(value, "\(path).api_key_env")
                        case let other: throw file.unknown("\(path).\(other)", known: "model, url, remote_model, api_key, api_key_env")
                        }
                    }
                    guard !backend.model.isEmpty, !backend.url.isEmpty else {
                        throw ValidationError("\(file.path): \(path) needs a model and a url")
                    }
                    return backend
                }
            case "mqtt":
                for (key, value) in try file.mapping(value, "mqtt") {
                    guard try file.key(key) == "brokers" else { throw file.unknown("mqtt.\(key.string ?? "?")", known: "brokers") }
                    settings.mqttBrokers = try file.strings(value, "mqtt.brokers")
                }
            case "chain":
                var chain = ChainSettings(rpc: "", oracle: "")
                for (key, value) in try file.mapping(value, "chain") {
                    switch try file.key(key) {
                    case "rpc": chain.rpc = try file.string(value, "chain.rpc")
                    case "oracle": chain.oracle = try file.string(value, "chain.oracle")
                    case "key_file": chain.keyFile = try file.string(value, "chain.key_file")
                    case "confirmations": chain.confirmations = try file.int(value, "chain.confirmations")
                    case "start_block": chain.startBlock = try file.int(value, "chain.start_block")
                    case "poll_interval_ms": chain.pollIntervalMs = try file.int(value, "chain.poll_interval_ms")
                    case "submitter_turn_ms": chain.submitterTurnMs = try file.int(value, "chain.submitter_turn_ms")
                    case "introducer_turn_ms": chain.introducerTurnMs = try file.int(value, "chain.introducer_turn_ms")
                    case let other:
                        throw file.unknown("chain.\(other)", known: "rpc, oracle, key_file, confirmations, start_block, poll_interval_ms, submitter_turn_ms, introducer_turn_ms")
                    }
                }
                settings.chain = chain
            case let other:
                throw file.unknown(other, known: "network, data_dir, key_file, models, backends, embedding_model, threads, mesh, nostr, mqtt, metrics, api, retain_requests, log_level, chain")
            }
        }
        return settings
    }

    /// Environment variables RAKIS_NETWORK, RAKIS_DATA_DIR, RAKIS_KEY_FILE, RAKIS_MODELS (comma-separated),
    /// RAKIS_THREADS, RAKIS_MESH_LISTEN, RAKIS_MESH_ADVERTISE, RAKIS_BOOTSTRAP, RAKIS_NOSTR_RELAYS,
    /// RAKIS_MQTT_BROKERS, RAKIS_METRICS, RAKIS_API, RAKIS_LOG_LEVEL, RAKIS_CHAIN_RPC and RAKIS_ORACLE
    /// (together), RAKIS_CHAIN_KEY_FILE.
    mutating func apply(environment: [String: String]) throws {
        func list(_ value: String) -> [String] { value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        for (name, value) in environment where name.hasPrefix("RAKIS_") {
            switch name {
            case "RAKIS_NETWORK": network = value
            case "RAKIS_DATA_DIR": dataDir = value
            case "RAKIS_KEY_FILE": keyFile = value
            case "RAKIS_MODELS": models = list(value)
            case "RAKIS_THREADS":
                guard let count = Int(value) else { throw ValidationError("RAKIS_THREADS=\(value): not a number") }
                threads = count
            case "RAKIS_MESH_LISTEN": mesh.listen = value.isEmpty ? nil : value
            case "RAKIS_MESH_ADVERTISE": mesh.advertise = value
            case "RAKIS_BOOTSTRAP": mesh.bootstrap = list(value)
            case "RAKIS_NOSTR_RELAYS": nostrRelays = list(value)
            case "RAKIS_MQTT_BROKERS": mqttBrokers = list(value)
            case "RAKIS_METRICS": metrics = value.isEmpty ? nil : value
            case "RAKIS_API": api = value.isEmpty ? nil : value
            case "RAKIS_LOG_LEVEL": logLevel = value
            case "RAKIS_CHAIN_RPC":
                chain = chain ?? ChainSettings(rpc: "", oracle: "")
                chain?.rpc = value
            case "RAKIS_ORACLE":
                chain = chain ?? ChainSettings(rpc: "", oracle: "")
                chain?.oracle = value
            case "RAKIS_CHAIN_KEY_FILE": break  // applied below, once the chain is known
            default: break  // RAKIS_HOME and others belong to other parts
            }
        }
        if let keyFile = environment["RAKIS_CHAIN_KEY_FILE"] { chain?.keyFile = keyFile }
    }

    /// Checks values that every transport and the store rely on.
    func validate() throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard (1...64).contains(network.count), network.allSatisfy(allowed.contains) else {
            throw ValidationError("network '\(network)': use 1 to 64 lowercase letters, digits and '-' (it names MQTT topics and Nostr tags)")
        }
        guard (1...64).contains(threads) else { throw ValidationError("threads \(threads): must be in 1...64") }
        guard retainRequests >= 1 else { throw ValidationError("retain_requests \(retainRequests): must be at least 1") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("log_level '\(logLevel)': use trace, debug, info, notice, warning, error or critical")
        }
        for address in [mesh.listen, mesh.advertise, metrics, api].compactMap({ $0 }) + mesh.bootstrap + mqttBrokers {
            _ = try HostPort(parsing: address)
        }
        for relay in nostrRelays where !(relay.hasPrefix("ws://") || relay.hasPrefix("wss://")) {
            throw ValidationError("nostr relay '\(relay)': must be a ws:// or wss:// URL")
        }
        guard (1...64).contains(mesh.maxNeighbours) else { throw ValidationError("mesh.max_neighbours \(mesh.maxNeighbours): must be in 1...64") }
        for backend in backends {
            guard backend.url.hasPrefix("http://") || backend.url.hasPrefix("https://") else {
                throw ValidationError("backend '\(backend.model)': url '\(backend.url)' must start with http:// or https://")
            }
            if models.contains(backend.model) {
                throw ValidationError("model '\(backend.model)' is served both by the engine and by a backend: choose one")
            }
        }
        guard Set(servedModels).count == servedModels.count else { throw ValidationError("a model is listed twice in models and backends") }
        if let chain {
            guard chain.rpc.hasPrefix("http://") || chain.rpc.hasPrefix("https://") else {
                throw ValidationError("chain.rpc '\(chain.rpc)': must be an http:// or https:// JSON-RPC URL")
            }
            guard chain.oracle.hasPrefix("0x"), chain.oracle.count == 42, chain.oracle.dropFirst(2).allSatisfy(\.isHexDigit) else {
                throw ValidationError("chain.oracle '\(chain.oracle)': must be the contract's address, 0x and 40 hex digits")
            }
            guard (0...64).contains(chain.confirmations) else { throw ValidationError("chain.confirmations \(chain.confirmations): must be in 0...64") }
            guard chain.startBlock >= 0 else { throw ValidationError("chain.start_block \(chain.startBlock): cannot be negative") }
            for (name, value) in [("poll_interval_ms", chain.pollIntervalMs), ("submitter_turn_ms", chain.submitterTurnMs),
                                  ("introducer_turn_ms", chain.introducerTurnMs)] where value < 1 {
                throw ValidationError("chain.\(name) \(value): must be positive")
            }
        }
        guard mesh.listen != nil || !nostrRelays.isEmpty || !mqttBrokers.isEmpty else {
            throw ValidationError("no transport enabled: set mesh.listen, nostr.relays or mqtt.brokers")
        }
    }
}

/// "host:port", as written in settings.
struct HostPort: Equatable, CustomStringConvertible {
    let host: String
    let port: Int

    init(parsing text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port),
              colon != text.startIndex
        else { throw ValidationError("'\(text)': expected host:port, e.g. 127.0.0.1:7400") }
        host = String(text[..<colon])
        self.port = port
    }

    var description: String { "\(host):\(port)" }
}

/// The flags every command that runs a node shares.
struct NodeOptions: ParsableArguments {
    @Option(help: "YAML settings file (flags and RAKIS_* environment variables override it).") var config: String?
    @Option(help: "Network name; nodes on other networks are ignored.") var network: String?
    @Option(help: "Directory for the store and the key file.") var dataDir: String?
    @Option(help: "Key file (created if missing; default <data dir>/node.key).") var keyFile: String?
    @Option(name: .customLong("model"), help: "An LLM to serve, by catalog name (repeatable).") var models: [String] = []
    @Option(name: .customLong("backend"), help: "A model served by an OpenAI-compatible server, MODEL=URL (repeatable; the key, if any, from RAKIS_BACKEND_API_KEY).")
    var backends: [String] = []
    @Flag(help: "Serve no LLM: relay, verify and conclude only.") var follower = false
    @Option(help: "Engine threads.") var threads: Int?
    @Option(help: "Mesh listen address host:port.") var meshListen: String?
    @Option(help: "Mesh address other nodes dial, if not the listen address.") var meshAdvertise: String?
    @Option(name: .customLong("bootstrap"), help: "A mesh peer to dial first, host:port (repeatable).") var bootstrap: [String] = []
    @Option(name: .customLong("nostr-relay"), help: "A Nostr relay URL, ws:// or wss:// (repeatable).") var nostrRelays: [String] = []
    @Option(name: .customLong("mqtt-broker"), help: "An MQTT broker, host:port (repeatable).") var mqttBrokers: [String] = []
    @Option(help: "Serve Prometheus metrics at http://ADDRESS/metrics (host:port).") var metrics: String?
    @Option(help: "Serve the HTTP API, the OpenAI-compatible endpoints and the dashboard at http://ADDRESS/ (host:port).")
    var api: String?
    @Option(help: "Finished requests kept in the store.") var retainRequests: Int?
    @Option(help: "trace, debug, info, notice, warning, error or critical.") var logLevel: String?
    @Option(help: "Serve an oracle contract: the chain's JSON-RPC URL (with --oracle).") var chainRpc: String?
    @Option(help: "The oracle contract's address, 0x... (with --chain-rpc).") var oracle: String?
    @Option(help: "The chain key file (created if missing; default <data dir>/chain.key).") var chainKeyFile: String?

    /// File, then environment, then flags; validated.
    func settings(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> NodeSettings {
        var settings = try config.map(NodeSettings.load(file:)) ?? NodeSettings()
        try settings.apply(environment: environment)
        if let network { settings.network = network }
        if let dataDir { settings.dataDir = dataDir }
        if let keyFile { settings.keyFile = keyFile }
        if !models.isEmpty { settings.models = models }
        if !backends.isEmpty {
            settings.backends = try backends.map { text in
                guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                    throw ValidationError("--backend '\(text)': expected MODEL=URL, e.g. smollm2-135m-instruct=http://127.0.0.1:8080/v1")
                }
                return NodeSettings.BackendSettings(model: String(text[..<equals]), url: String(text[text.index(after: equals)...]),
                                                    apiKeyEnv: "RAKIS_BACKEND_API_KEY")
            }
        }
        if follower {
            settings.models = []
            settings.backends = []
        }
        if let threads { settings.threads = threads }
        if let meshListen { settings.mesh.listen = meshListen }
        if let meshAdvertise { settings.mesh.advertise = meshAdvertise }
        if !bootstrap.isEmpty { settings.mesh.bootstrap = bootstrap }
        if !nostrRelays.isEmpty { settings.nostrRelays = nostrRelays }
        if !mqttBrokers.isEmpty { settings.mqttBrokers = mqttBrokers }
        if let metrics { settings.metrics = metrics }
        if let api { settings.api = api }
        if let retainRequests { settings.retainRequests = retainRequests }
        if let logLevel { settings.logLevel = logLevel }
        if chainRpc != nil || oracle != nil {
            guard let chainRpc, let oracle else { throw ValidationError("--chain-rpc and --oracle go together") }
            var chain = settings.chain ?? NodeSettings.ChainSettings(rpc: chainRpc, oracle: oracle)
            chain.rpc = chainRpc
            chain.oracle = oracle
            settings.chain = chain
        }
        if let chainKeyFile {
            guard settings.chain != nil else { throw ValidationError("--chain-key-file needs a chain (--chain-rpc and --oracle, or chain: in the settings)") }
            settings.chain?.keyFile = chainKeyFile
        }
        try settings.validate()
        return settings
    }
}

/// Typed access to a YAML settings tree, with errors that name the file and the key.
private struct SettingsReader {
    let path: String

    func mapping(_ node: Node, _ key: String) throws -> Node.Mapping {
        guard let mapping = node.mapping else { throw ValidationError("\(path): \(key) must be a mapping of settings") }
        return mapping
    }

    func key(_ node: Node) throws -> String {
        guard let key = node.string else { throw ValidationError("\(path): a setting name must be text") }
        return key
    }

    func string(_ node: Node, _ key: String) throws -> String {
        guard let scalar = node.scalar else { throw ValidationError("\(path): \(key) must be a single value") }
        return scalar.string
    }

    func int(_ node: Node, _ key: String) throws -> Int {
        guard let value = node.scalar.flatMap({ Int($0.string) }) else { throw ValidationError("\(path): \(key) must be a whole number") }
        return value
    }

    func strings(_ node: Node, _ key: String) throws -> [String] {
        try list(node, key).map { try string($0, key) }
    }

    func list(_ node: Node, _ key: String) throws -> [Node] {
        guard let sequence = node.sequence else { throw ValidationError("\(path): \(key) must be a list") }
        return Array(sequence)
    }

    func unknown(_ key: String, known: String) -> ValidationError {
        ValidationError("\(path): unknown setting '\(key)' (known here: \(known))")
    }
}
