import ArgumentParser
import Foundation

/// The flags every command that runs a node shares: the settings file, `--follower`, and one flag
/// per setting of `NodeSetting.all`, which names and explains it (ArgumentParser only knows flags
/// declared as properties, so `settingFlags` ties each property to its setting; `NodeSettingsTests`
/// checks that every setting has its flag).
struct NodeOptions: ParsableArguments {
    @Option(help: "YAML settings file (flags and RAKIS_* environment variables override it).") var config: String?
    @Option(help: .setting("network")) var network: String?
    @Option(help: .setting("data_dir")) var dataDir: String?
    @Option(help: .setting("key_file")) var keyFile: String?
    @Option(name: .customLong("model"), help: .setting("models")) var models: [String] = []
    @Option(name: .customLong("backend"), help: .setting("backends")) var backends: [String] = []
    @Flag(help: "Serve no LLM: relay, verify and conclude only.") var follower = false
    @Option(help: .setting("embedding_model")) var embeddingModel: String?
    @Option(help: .setting("threads")) var threads: Int?
    @Option(help: .setting("membership.mode")) var membership: String?
    @Option(name: .customLong("member"), help: .setting("membership.members")) var members: [String] = []
    @Option(help: .setting("membership.difficulty")) var ticketDifficulty: Int?
    @Option(help: .setting("mesh.listen")) var meshListen: String?
    @Option(help: .setting("mesh.advertise")) var meshAdvertise: String?
    @Option(name: .customLong("bootstrap"), help: .setting("mesh.bootstrap")) var bootstrap: [String] = []
    @Option(help: .setting("mesh.max_neighbours")) var meshMaxNeighbours: Int?
    @Option(name: .customLong("nostr-relay"), help: .setting("nostr.relays")) var nostrRelays: [String] = []
    @Option(name: .customLong("mqtt-broker"), help: .setting("mqtt.brokers")) var mqttBrokers: [String] = []
    @Option(help: .setting("metrics")) var metrics: String?
    @Option(help: .setting("api")) var api: String?
    @Option(help: .setting("api_access.mode")) var apiAccess: String?
    @Option(name: .customLong("api-cors-origin"), help: .setting("api_access.cors_origins")) var apiCorsOrigins: [String] = []
    @Option(help: .setting("api_access.anonymous_rate_per_minute")) var apiAnonymousRatePerMinute: Int?
    @Option(help: .setting("api_access.anonymous_in_flight")) var apiAnonymousInFlight: Int?
    @Option(help: .setting("retain_requests")) var retainRequests: Int?
    @Option(help: .setting("log_level")) var logLevel: String?
    @Option(help: .setting("chain.rpc")) var chainRpc: String?
    @Option(help: .setting("chain.oracle")) var oracle: String?
    @Option(help: .setting("chain.key_file")) var chainKeyFile: String?
    @Option(help: .setting("chain.confirmations")) var chainConfirmations: Int?
    @Option(help: .setting("chain.start_block")) var chainStartBlock: Int?
    @Option(help: .setting("chain.poll_interval_ms")) var chainPollIntervalMs: Int?
    @Option(help: .setting("chain.submitter_turn_ms")) var chainSubmitterTurnMs: Int?
    @Option(help: .setting("chain.introducer_turn_ms")) var chainIntroducerTurnMs: Int?
    @Option(help: .setting("chain.dispute_bond")) var chainDisputeBond: Int?

    /// File, then environment, then flags; validated for running a node unless `forNode` is false
    /// (`rakis verify` reads only the network's membership, and runs no node).
    func settings(environment: [String: String] = ProcessInfo.processInfo.environment, forNode: Bool = true) throws -> NodeSettings {
        var settings = try config.map(NodeSettings.load(file:)) ?? NodeSettings()
        try settings.apply(environment: environment)
        try settings.apply(settingFlags()) { "--\($0.flag)" }
        if follower {
            settings.models = []
            settings.backends = []
        }
        if forNode { try settings.validate() }
        return settings
    }

    /// The setting flags given, by setting key.
    func settingFlags() throws -> [String: NodeSetting.Value] {
        let backendSettings = try backends.map { try NodeSettings.BackendSettings(assigning: $0, from: "--backend") }
        let given: [String: NodeSetting.Value?] = [
            "network": .given(network), "data_dir": .given(dataDir), "key_file": .given(keyFile), "models": .given(models),
            "backends": backendSettings.isEmpty ? nil : .backends(backendSettings), "embedding_model": .given(embeddingModel),
            "threads": .given(threads), "membership.mode": .given(membership), "membership.members": .given(members),
            "membership.difficulty": .given(ticketDifficulty), "mesh.listen": .given(meshListen), "mesh.advertise": .given(meshAdvertise),
            "mesh.bootstrap": .given(bootstrap), "mesh.max_neighbours": .given(meshMaxNeighbours),
            "nostr.relays": .given(nostrRelays), "mqtt.brokers": .given(mqttBrokers), "metrics": .given(metrics), "api": .given(api),
            "api_access.mode": .given(apiAccess), "api_access.cors_origins": .given(apiCorsOrigins),
            "api_access.anonymous_rate_per_minute": .given(apiAnonymousRatePerMinute), "api_access.anonymous_in_flight": .given(apiAnonymousInFlight),
            "retain_requests": .given(retainRequests), "log_level": .given(logLevel),
            "chain.rpc": .given(chainRpc), "chain.oracle": .given(oracle), "chain.key_file": .given(chainKeyFile),
            "chain.confirmations": .given(chainConfirmations), "chain.start_block": .given(chainStartBlock),
            "chain.poll_interval_ms": .given(chainPollIntervalMs), "chain.submitter_turn_ms": .given(chainSubmitterTurnMs),
            "chain.introducer_turn_ms": .given(chainIntroducerTurnMs), "chain.dispute_bond": .given(chainDisputeBond),
        ]
        return given.compactMapValues { $0 }
    }
}

private extension Optional<NodeSetting.Value> {
    /// A flag's value, or nil if the flag is not given.
    static func given(_ text: String?) -> Self { text.map { .text($0) } }
    static func given(_ number: Int?) -> Self { number.map { .number($0) } }
    /// A repeatable flag's values, or nil if it is not given at all.
    static func given(_ items: [String]) -> Self { items.isEmpty ? nil : .list(items) }
}
