import ArgumentParser
import Foundation

/// One `rakis node` setting: its key in the settings file, the environment variable and the flag that
/// override it, and what it changes in `NodeSettings`. Every setting is declared once, in
/// `NodeSetting.all`; the file, the environment and the flags are all read through that table, so no
/// source can know a setting the others miss (`NodeSettingsTests` holds the flags and
/// docs/node.example.yaml to it).
struct NodeSetting: Sendable {
    /// The key path in the settings file, e.g. `mesh.listen` for `listen` under `mesh:`.
    let key: String
    /// The environment variable, e.g. `RAKIS_MESH_LISTEN`.
    let environment: String
    /// The flag's long name, e.g. `mesh-listen`: an `@Option` of `NodeOptions`, which cannot be declared from a table.
    let flag: String
    let kind: Kind
    /// One line for `--help`.
    let help: String
    private let change: @Sendable (inout NodeSettings, Value) throws -> Void

    /// How a setting is written in each source.
    enum Kind: Sendable {
        /// A single value. For a setting that is off by default, empty text means off.
        case text
        /// A whole number.
        case number
        /// A YAML list in the file, comma-separated in the environment, one flag per item.
        case list
        /// In the file, a list of mappings (model, url, remote_model, api_key, api_key_env); in the
        /// environment (comma-separated) and the flags, MODEL=URL with the key, if any, from RAKIS_BACKEND_API_KEY.
        case backends
    }

    /// A setting's value, once read from whichever source.
    enum Value: Equatable, Sendable {
        case text(String)
        case number(Int)
        case list([String])
        case backends([NodeSettings.BackendSettings])
    }

    /// Why a value cannot be applied; whoever applies it says where the value came from.
    struct Refusal: Error {
        let reason: String
    }

    /// Sets the value; `origin` names it in errors as its source does (`chain.key_file`, `RAKIS_CHAIN_KEY_FILE`, `--chain-key-file`).
    func apply(_ value: Value, to settings: inout NodeSettings, from origin: String) throws {
        do {
            try change(&settings, value)
        } catch let refusal as Refusal {
            throw ValidationError("\(origin) \(refusal.reason)")
        }
    }

    /// Reads a value written as text, as the environment writes it; `origin` names it in errors.
    func value(parsing text: String, from origin: String) throws -> Value {
        func items(_ text: String) -> [String] {
            text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        switch kind {
        case .text: return .text(text)
        case .number:
            guard let number = Int(text) else { throw ValidationError("\(origin)=\(text): not a number") }
            return .number(number)
        case .list: return .list(items(text))
        case .backends: return .backends(try items(text).map { try NodeSettings.BackendSettings(assigning: $0, from: origin) })
        }
    }

    /// The setting with this file key; a key missing from the table is a programming error.
    static func named(_ key: String) -> NodeSetting {
        guard let setting = all.first(where: { $0.key == key }) else { preconditionFailure("no setting '\(key)' in NodeSetting.all") }
        return setting
    }
}

extension NodeSetting {
    /// Every setting, in the order they are applied: a chain's rpc and oracle come before the settings that need a chain.
    static let all: [NodeSetting] = [
        .text("network", "RAKIS_NETWORK", "network", "Network name; nodes on other networks are ignored.") { $0.network = $1 },
        .text("data_dir", "RAKIS_DATA_DIR", "data-dir", "Directory for the store and the key file (default $RAKIS_HOME/node).") { $0.dataDir = $1.orNone },
        .text("key_file", "RAKIS_KEY_FILE", "key-file", "Key file (created if missing; default <data dir>/node.key).") { $0.keyFile = $1.orNone },
        .list("models", "RAKIS_MODELS", "model", "An LLM to serve, by catalog name.") { $0.models = $1 },
        .backends("backends", "RAKIS_BACKENDS", "backend", "A model served by an OpenAI-compatible server, MODEL=URL (the key, if any, from RAKIS_BACKEND_API_KEY).") {
            $0.backends = $1
        },
        .text("embedding_model", "RAKIS_EMBEDDING_MODEL", "embedding-model", "The embedding model that compares outputs, by catalog name.") { $0.embeddingModel = $1 },
        .number("threads", "RAKIS_THREADS", "threads", "Engine threads.") { $0.threads = $1 },
        .text("membership.mode", "RAKIS_MEMBERSHIP", "membership", "Who may sit on committees: allowlist (membership.members), stake (the oracle registry's deposits; needs a chain) or open (admission tickets).") {
            $0.membership.mode = $1
        },
        .list("membership.members", "RAKIS_MEMBERS", "member", "An allowlist member: NODE_ID, or NODE_ID:WEIGHT (weight 1 by default).") {
            $0.membership.members = $1
        },
        .number("membership.difficulty", "RAKIS_TICKET_DIFFICULTY", "ticket-difficulty", "Zero bits an open network's admission tickets need, 0...40.") {
            $0.membership.difficulty = $1
        },
        .text("mesh.listen", "RAKIS_MESH_LISTEN", "mesh-listen", "Mesh listen address host:port.") { $0.mesh.listen = $1.orNone },
        .text("mesh.advertise", "RAKIS_MESH_ADVERTISE", "mesh-advertise", "Mesh address other nodes dial, if not the listen address.") { $0.mesh.advertise = $1.orNone },
        .list("mesh.bootstrap", "RAKIS_BOOTSTRAP", "bootstrap", "A mesh peer to dial first, host:port.") { $0.mesh.bootstrap = $1 },
        .number("mesh.max_neighbours", "RAKIS_MESH_MAX_NEIGHBOURS", "mesh-max-neighbours", "Mesh peers kept connected, 1...64.") { $0.mesh.maxNeighbours = $1 },
        .list("nostr.relays", "RAKIS_NOSTR_RELAYS", "nostr-relay", "A Nostr relay URL, ws:// or wss://.") { $0.nostrRelays = $1 },
        .list("mqtt.brokers", "RAKIS_MQTT_BROKERS", "mqtt-broker", "An MQTT broker, host:port.") { $0.mqttBrokers = $1 },
        .text("metrics", "RAKIS_METRICS", "metrics", "Serve Prometheus metrics at http://ADDRESS/metrics (host:port).") { $0.metrics = $1.orNone },
        .text("api", "RAKIS_API", "api", "Serve the HTTP API, the OpenAI-compatible endpoints and the dashboard at http://ADDRESS/ (host:port).") {
            $0.api = $1.orNone
        },
        .text("api_access.mode", "RAKIS_API_ACCESS", "api-access", "keys: every API call needs a key (rakis keys api create); open: calls without one are served too, within the anonymous limits.") {
            $0.apiAccess.mode = $1
        },
        .list("api_access.cors_origins", "RAKIS_API_CORS_ORIGINS", "api-cors-origin", "A browser origin allowed to call the API (https://app.example.org), or * for any.") {
            $0.apiAccess.corsOrigins = $1
        },
        .number("api_access.anonymous_rate_per_minute", "RAKIS_API_ANONYMOUS_RATE_PER_MINUTE", "api-anonymous-rate-per-minute", "Requests a minute all callers without a key may make together (open access).") {
            $0.apiAccess.anonymousRatePerMinute = $1
        },
        .number("api_access.anonymous_in_flight", "RAKIS_API_ANONYMOUS_IN_FLIGHT", "api-anonymous-in-flight", "Requests of callers without a key in flight at once (open access).") {
            $0.apiAccess.anonymousInFlight = $1
        },
        .number("retain_requests", "RAKIS_RETAIN_REQUESTS", "retain-requests", "Finished requests kept in the store.") { $0.retainRequests = $1 },
        .text("log_level", "RAKIS_LOG_LEVEL", "log-level", "trace, debug, info, notice, warning, error or critical.") { $0.logLevel = $1 },
        .text("chain.rpc", "RAKIS_CHAIN_RPC", "chain-rpc", "Serve an oracle contract: the chain's JSON-RPC URL (with the oracle).") {
            $0.startChain()
            $0.chain?.rpc = $1
        },
        .text("chain.oracle", "RAKIS_ORACLE", "oracle", "The oracle contract's address, 0x... (with the chain's RPC URL).") {
            $0.startChain()
            $0.chain?.oracle = $1
        },
        .text("chain.key_file", "RAKIS_CHAIN_KEY_FILE", "chain-key-file", "The chain key file (created if missing; default <data dir>/chain.key).") {
            try $0.needChain()
            $0.chain?.keyFile = $1.orNone
        },
        .number("chain.confirmations", "RAKIS_CHAIN_CONFIRMATIONS", "chain-confirmations", "Blocks on top of a log before the node acts on it.") {
            try $0.needChain()
            $0.chain?.confirmations = $1
        },
        .number("chain.start_block", "RAKIS_CHAIN_START_BLOCK", "chain-start-block", "The oracle's deployment block: where a first start reads its logs from.") {
            try $0.needChain()
            $0.chain?.startBlock = $1
        },
        .number("chain.poll_interval_ms", "RAKIS_CHAIN_POLL_INTERVAL_MS", "chain-poll-interval-ms", "Milliseconds between reads of the chain.") {
            try $0.needChain()
            $0.chain?.pollIntervalMs = $1
        },
        .number("chain.submitter_turn_ms", "RAKIS_CHAIN_SUBMITTER_TURN_MS", "chain-submitter-turn-ms", "Milliseconds each quorum member in line has to submit a fulfilment.") {
            try $0.needChain()
            $0.chain?.submitterTurnMs = $1
        },
        .number("chain.introducer_turn_ms", "RAKIS_CHAIN_INTRODUCER_TURN_MS", "chain-introducer-turn-ms", "Milliseconds each registered node in line waits before bringing a request in.") {
            try $0.needChain()
            $0.chain?.introducerTurnMs = $1
        },
        .number("chain.dispute_bond", "RAKIS_CHAIN_DISPUTE_BOND", "chain-dispute-bond", "Dispute proposals that contradict this node's certificate, with a bond of this many minimum deposits (0: never).") {
            try $0.needChain()
            $0.chain?.disputeBond = $1
        },
    ]

    private static func text(_ key: String, _ environment: String, _ flag: String, _ help: String,
                             _ change: @escaping @Sendable (inout NodeSettings, String) throws -> Void) -> NodeSetting {
        typed(.text, key, environment, flag, help, read: { if case let .text(text) = $0 { text } else { nil } }, change)
    }

    private static func number(_ key: String, _ environment: String, _ flag: String, _ help: String,
                               _ change: @escaping @Sendable (inout NodeSettings, Int) throws -> Void) -> NodeSetting {
        typed(.number, key, environment, flag, help, read: { if case let .number(number) = $0 { number } else { nil } }, change)
    }

    private static func list(_ key: String, _ environment: String, _ flag: String, _ help: String,
                             _ change: @escaping @Sendable (inout NodeSettings, [String]) -> Void) -> NodeSetting {
        typed(.list, key, environment, flag, help, read: { if case let .list(items) = $0 { items } else { nil } }, change)
    }

    private static func backends(_ key: String, _ environment: String, _ flag: String, _ help: String,
                                 _ change: @escaping @Sendable (inout NodeSettings, [NodeSettings.BackendSettings]) -> Void) -> NodeSetting {
        typed(.backends, key, environment, flag, help, read: { if case let .backends(backends) = $0 { backends } else { nil } }, change)
    }

    /// A setting of one kind, whose change gets its value unwrapped by `read`; every source reads a
    /// value by the setting's kind, so any other case is a programming error.
    private static func typed<T>(_ kind: Kind, _ key: String, _ environment: String, _ flag: String, _ help: String,
                                 read: @escaping @Sendable (Value) -> T?,
                                 _ change: @escaping @Sendable (inout NodeSettings, T) throws -> Void) -> NodeSetting {
        NodeSetting(key: key, environment: environment, flag: flag, kind: kind, help: help) { settings, value in
            guard let typed = read(value) else { preconditionFailure("\(key) takes \(kind), not \(value)") }
            try change(&settings, typed)
        }
    }
}

extension NodeSettings {
    /// Applies one source's values (by file key) in the table's order; `origin` names a setting as
    /// that source does (`chain.rpc`, `RAKIS_CHAIN_RPC`, `--chain-rpc`). A source that names a new
    /// chain names both its rpc and its oracle.
    mutating func apply(_ values: [String: NodeSetting.Value], origin: (NodeSetting) -> String) throws {
        precondition(values.keys.allSatisfy { key in NodeSetting.all.contains { $0.key == key } }, "a value for no setting in \(values.keys.sorted())")
        let hadChain = chain != nil
        for setting in NodeSetting.all {
            if let value = values[setting.key] { try setting.apply(value, to: &self, from: origin(setting)) }
        }
        if !hadChain, chain != nil, values["chain.rpc"] == nil || values["chain.oracle"] == nil {
            throw ValidationError("\(origin(.named("chain.rpc"))) and \(origin(.named("chain.oracle"))) go together")
        }
    }

    /// The chain's rpc and oracle name it: the first of them given starts it.
    fileprivate mutating func startChain() {
        if chain == nil { chain = ChainSettings(rpc: "", oracle: "") }
    }

    /// The other chain settings change a chain named by its rpc and oracle.
    fileprivate func needChain() throws {
        guard chain != nil else {
            throw NodeSetting.Refusal(reason: "needs a chain (chain.rpc and chain.oracle, RAKIS_CHAIN_RPC and RAKIS_ORACLE, or --chain-rpc and --oracle)")
        }
    }
}

extension NodeSettings.BackendSettings {
    /// A backend written MODEL=URL, as the environment and the flags write it; its key, if any, comes from RAKIS_BACKEND_API_KEY.
    init(assigning text: String, from origin: String) throws {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw ValidationError("\(origin) '\(text)': expected MODEL=URL, e.g. smollm2-135m-instruct=http://127.0.0.1:8080/v1")
        }
        self.init(model: String(text[..<equals]), url: String(text[text.index(after: equals)...]), apiKeyEnv: "RAKIS_BACKEND_API_KEY")
    }
}

extension ArgumentHelp {
    /// A setting flag's help, from the table; lists take one flag per item.
    static func setting(_ key: String) -> ArgumentHelp {
        let setting = NodeSetting.named(key)
        switch setting.kind {
        case .text, .number: return ArgumentHelp(setting.help)
        case .list, .backends: return ArgumentHelp("\(setting.help) Repeatable.")
        }
    }
}

extension NodeSetting {
    /// The environment variables, for `rakis node --help` (the flags list themselves).
    static var environmentHelp: String {
        "Environment variables (lists comma-separated): " + all.map { "\($0.environment) (\($0.key))" }.joined(separator: ", ") + "."
    }
}

private extension String {
    /// Empty text turns off a setting that is off by default.
    var orNone: String? { isEmpty ? nil : self }
}
