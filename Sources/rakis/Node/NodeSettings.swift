import ArgumentParser
import Foundation
import Logging
import RakisAPI
import RakisOracle

/// How a node is set up: a YAML file, then environment variables, then flags, each overriding the
/// one before, for the settings `NodeSetting.all` declares. Every error names the setting and where it came from.
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
    var membership = MembershipSettings()
    var mesh = MeshSettings()
    /// ws:// or wss:// relay URLs; none disables Nostr.
    var nostrRelays: [String] = []
    /// host:port brokers; none disables MQTT.
    var mqttBrokers: [String] = []
    /// host:port for GET /metrics, or nil for none.
    var metrics: String?
    /// host:port for the HTTP API and the dashboard, or nil for none.
    var api: String?
    /// Who may call the API.
    var apiAccess = APIAccessSettings()
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
        /// Minimum deposits staked on a dispute of a proposal this node's certificate contradicts; 0 never disputes.
        var disputeBond = 0
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

    /// Who may sit on committees, and with what weight (`Membership`): every node of a network
    /// must hold the same.
    struct MembershipSettings: Equatable {
        var mode = "open"
        /// NODE_ID or NODE_ID:WEIGHT, for `allowlist`.
        var members: [String] = []
        /// For `open`: about a second of one core to mint a ticket.
        var difficulty = 20
    }

    /// Who may call the HTTP API: with a key only (`keys`, the default), or without one too
    /// (`open`, within the anonymous limits); and which browser origins may call it.
    struct APIAccessSettings: Equatable {
        var mode = "keys"
        /// `https://app.example.org`, or `*` for any origin.
        var corsOrigins: [String] = []
        var anonymousRatePerMinute = ClientLimits.anonymousDefault.ratePerMinute
        var anonymousInFlight = ClientLimits.anonymousDefault.maxInFlight

        var allowsAnonymous: Bool { mode == "open" }
    }

    struct MeshSettings: Equatable {
        /// host:port to listen on; nil disables the mesh.
        var listen: String?
        /// host:port other nodes should dial (default: the listen address).
        var advertise: String?
        var bootstrap: [String] = []
        var maxNeighbours = 8
    }

    /// Reads a YAML settings file (see `docs/node.example.yaml` and `SettingsFile`); keys left out keep their defaults.
    static func load(file path: String) throws -> NodeSettings {
        let values = try SettingsFile(path: path).values()
        var settings = NodeSettings()
        do {
            try settings.apply(values) { $0.key }
        } catch let error as ValidationError {
            throw ValidationError("\(path): \(error.message)")
        }
        return settings
    }

    /// The environment variables of `NodeSetting.all`; lists are comma-separated. Other RAKIS_*
    /// variables (RAKIS_HOME, RAKIS_KEY_PASSPHRASE, RAKIS_BACKEND_API_KEY...) belong to other parts.
    mutating func apply(environment: [String: String]) throws {
        var values: [String: NodeSetting.Value] = [:]
        for setting in NodeSetting.all {
            if let text = environment[setting.environment] { values[setting.key] = try setting.value(parsing: text, from: setting.environment) }
        }
        try apply(values) { $0.environment }
    }

    /// Checks values that every transport and the store rely on.
    func validate() throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard (1...64).contains(network.count), network.allSatisfy(allowed.contains) else {
            throw ValidationError("network '\(network)': use 1 to 64 lowercase letters, digits and '-' (it names MQTT topics and Nostr tags)")
        }
        guard (1...64).contains(threads) else { throw ValidationError("threads \(threads): must be in 1...64") }
        if try membership.membership().kind == .stake, chain == nil {
            throw ValidationError("membership.mode stake: the weights are the oracle's deposits; set chain.rpc and chain.oracle")
        }
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
        guard ["keys", "open"].contains(apiAccess.mode) else {
            throw ValidationError("api_access.mode '\(apiAccess.mode)': use keys (every call needs an API key) or open (calls without a key are served too)")
        }
        for origin in apiAccess.corsOrigins where origin != "*" {
            guard let url = URL(string: origin), ["http", "https"].contains(url.scheme ?? ""), url.host != nil, url.path.isEmpty else {
                throw ValidationError("api_access.cors_origins '\(origin)': an origin is scheme://host[:port] with no path (https://app.example.org), or *")
            }
        }
        for (name, value) in [("anonymous_rate_per_minute", apiAccess.anonymousRatePerMinute), ("anonymous_in_flight", apiAccess.anonymousInFlight)] where value < 1 {
            throw ValidationError("api_access.\(name) \(value): must be positive")
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
            guard (0...ChainConnector.maxDisputeBond).contains(chain.disputeBond) else {
                throw ValidationError("chain.dispute_bond \(chain.disputeBond): must be in 0...\(ChainConnector.maxDisputeBond) minimum deposits (0: never dispute)")
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
