import ArgumentParser
import Foundation
import Logging
import RakisAPI
import RakisChain
import RakisCore
import RakisEngine
import RakisNetwork
import RakisNode
import RakisOracle
import RakisRuntime
import RakisStore

/// Puts a node together from its settings: identity, store, models, transports, runtime and
/// metrics endpoint. Shared by `rakis node` and `rakis submit`.
struct NodeAssembly {
    let settings: NodeSettings
    let identity: NodeIdentity
    let runtime: NodeRuntime
    let store: NodeStore
    let metricsServer: MetricsServer?
    /// The oracle connector, when the settings name a chain.
    let chain: ChainConnector?
    let dataDirectory: String

    static func build(_ settings: NodeSettings, logger: Logger, quiet: Bool = false) async throws -> NodeAssembly {
        let dataDirectory = settings.dataDir ?? ModelStore.defaultHome().appendingPathComponent("node").path
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure("data_dir \(dataDirectory): cannot create it: \(error.localizedDescription)")
        }
        let identity = try loadIdentity(settings.keyFile ?? "\(dataDirectory)/node.key", logger: logger)
        let store = try NodeStore(path: "\(dataDirectory)/rakis.sqlite")

        var backends: [String: any InferenceBackend] = [:]
        for name in settings.models {
            backends[name] = EngineBackend(TextGenerator(model: try ModelLoading.load(name, quiet: quiet), threads: settings.threads))
        }
        for backend in settings.backends {
            let key = backend.apiKey ?? backend.apiKeyEnv.flatMap { ProcessInfo.processInfo.environment[$0] }
            backends[backend.model] = OpenAIBackend(baseURL: backend.url, remoteModel: backend.remoteModel ?? backend.model, apiKey: key)
        }
        let embedder = try SentenceEmbedder(directory: Models.store().resolve(settings.embeddingModel), threads: settings.threads)
        let workers = ModelWorkers(backends: backends, embedders: [settings.embeddingModel: embedder])

        let (membership, registry) = try await settings.networkMembership(logger: logger)
        let ticket = settings.servedModels.isEmpty ? nil : admissionTicket(identity, membership, settings.network, logger: logger)
        var config = NodeConfig(network: settings.network, membership: membership, servedModels: settings.servedModels,
                                embeddingModels: [settings.embeddingModel], ticket: ticket)
        let weight = membership.weight(of: identity.nodeId, ticket: ticket, network: settings.network)
        if !settings.servedModels.isEmpty, weight == 0 {
            let until = membership.kind == .stake ? " until it registers with the oracle" : ""
            logger.warning("node \(identity.nodeId.short) is not in the network's \(membership.kind.rawValue) membership: it relays and verifies, but sits on no committee\(until)")
        }
        config.maxConcurrentJobs = 1
        let transports = try TransportSetup.transports(settings, identity: identity, logger: logger)
        let runtime = NodeRuntime(.init(node: config, identity: identity, transports: transports, store: store,
                                        workers: workers, retainedRequests: settings.retainRequests, logger: logger))
        var metricsServer: MetricsServer?
        if let address = settings.metrics {
            let endpoint = try HostPort(parsing: address)
            let metrics = runtime.metrics
            metricsServer = try await MetricsServer(host: endpoint.host, port: endpoint.port, logger: logger) {
                metrics.text(transports: transports)
            }
        }
        let chain = try settings.chain.map { chain in
            var configuration = ChainConnector.Configuration(
                rpcURL: chain.rpc, oracle: try EthereumAddress(chain.oracle.lowercased()),
                key: try ChainKeyFile.loadOrCreate(chain.keyFile ?? "\(dataDirectory)/chain.key", logger: logger)
            )
            configuration.confirmations = chain.confirmations
            configuration.startBlock = chain.startBlock
            configuration.pollInterval = .milliseconds(chain.pollIntervalMs)
            configuration.submitterTurn = .milliseconds(chain.submitterTurnMs)
            configuration.introducerTurn = .milliseconds(chain.introducerTurnMs)
            configuration.registry = registry
            configuration.disputeBond = chain.disputeBond
            return ChainConnector(configuration, runtime: runtime, store: store, identity: identity, logger: logger)
        }
        return NodeAssembly(settings: settings, identity: identity, runtime: runtime, store: store, metricsServer: metricsServer,
                            chain: chain, dataDirectory: dataDirectory)
    }

    /// Who may call the node's API: the keys in its store, under the settings' access rules.
    var apiAccess: APIAccess {
        let access = settings.apiAccess
        return APIAccess(keys: store, allowsAnonymous: access.allowsAnonymous,
                         anonymousLimits: ClientLimits(ratePerMinute: access.anonymousRatePerMinute, maxInFlight: access.anonymousInFlight),
                         corsOrigins: access.corsOrigins)
    }

    /// Reads the node's key file, or creates it (mode 0600) on first start. A passphrase comes
    /// from RAKIS_KEY_PASSPHRASE, never from a flag.
    /// On an open network a node that serves models needs an admission ticket: minted at start
    /// (the smallest valid nonce, so the same identity always gets the same ticket).
    static func admissionTicket(_ identity: NodeIdentity, _ membership: Membership, _ network: String, logger: Logger) -> AdmissionTicket? {
        guard membership.kind == .open else { return nil }
        let started = ContinuousClock.now
        logger.info("minting an admission ticket of \(membership.difficulty) zero bits")
        let ticket = AdmissionTicket.mint(for: identity.nodeId, network: network, difficulty: membership.difficulty)
        logger.info("admission ticket \(ticket?.hex ?? "none") after \(ContinuousClock.now - started)")
        return ticket
    }

    static func loadIdentity(_ path: String, logger: Logger) throws -> NodeIdentity {
        let passphrase = ProcessInfo.processInfo.environment["RAKIS_KEY_PASSPHRASE"]
        if FileManager.default.fileExists(atPath: path) {
            return try KeyStore.read(from: path, passphrase: passphrase)
        }
        let identity = NodeIdentity.generate()
        try KeyStore.write(identity, to: path, passphrase: passphrase)
        logger.notice("created a new node identity \(identity.nodeId.short) in \(path)")
        return identity
    }
}

/// Logs go to stderr through swift-log, at the configured level.
enum NodeLogging {
    static func bootstrap(level: String) -> Logger {
        let level = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "rakis")
    }
}
