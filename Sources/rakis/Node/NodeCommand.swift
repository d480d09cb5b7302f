import ArgumentParser
import Dispatch
import Foundation
import Logging
import RakisAPI
import RakisRuntime

struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run a Rakis node: serve inference requests, verify others, reach consensus.",
        discussion: """
            Settings come from a YAML file (--config; see docs/node.example.yaml), then RAKIS_* \
            environment variables, then flags. The node sends every packet on all enabled transports \
            (peer mesh, Nostr relays, MQTT brokers), keeps its state in <data dir>/rakis.sqlite and \
            takes unfinished requests up again after a restart. With --api it serves the HTTP API \
            (/api), the OpenAI-compatible endpoints (/v1), live events and the dashboard; every call \
            needs an API key (`rakis keys api create`) unless --api-access open. SIGINT or \
            SIGTERM stops it cleanly. With --chain-rpc and --oracle it also serves an oracle contract \
            (docs/ORACLE.md): it brings the contract's requests into the network, attests to their \
            results with its chain key and submits fulfilments.
            """ + "\n\n" + NodeSetting.environmentHelp
    )

    @OptionGroup var options: NodeOptions

    func run() async throws {
        let settings = try options.settings()
        let logger = NodeLogging.bootstrap(level: settings.logLevel)
        let node = try await NodeAssembly.build(settings, logger: logger)
        let runtime = node.runtime
        if let chain = node.chain {
            do {
                try await chain.start()
            } catch {
                throw CommandFailure("chain \(settings.chain!.rpc): \(error)")
            }
        }
        try await runtime.start()
        let signals = StopSignals { Task { await runtime.stop() } }
        let role = settings.servedModels.isEmpty ? "follower" : "serving \(settings.servedModels.joined(separator: ", "))"
        let transports = runtime.transports.map(\.name.name).joined(separator: ", ")
        logger.notice("node \(node.identity.nodeId.hex) ready on network \(settings.network): \(role); transports \(transports); data \(node.dataDirectory)")
        let api = try settings.api.map { address in
            let endpoint = try HostPort(parsing: address)
            let access = node.apiAccess
            let server = APIServer(runtime: runtime, host: endpoint.host, port: endpoint.port, access: access, logger: logger)
            if access.allowsAnonymous, !Self.isLoopback(endpoint.host) {
                logger.warning("api_access.mode open on \(address): anyone who can reach it may spend this node's compute, up to the anonymous limits")
            }
            return Task {
                do {
                    try await server.run { port in logger.notice("API and dashboard on http://\(endpoint.host):\(port)/") }
                } catch {
                    logger.critical("API server on \(address) failed: \(error)")
                    await runtime.stop()
                }
            }
        }
        await runtime.run()
        await node.chain?.stop()
        api?.cancel()
        await api?.value
        await node.metricsServer?.stop()
        signals.cancel()
    }
}

extension NodeCommand {
    /// Whether a listen host is this machine's loopback, where open access reaches only local users.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// Turns SIGINT and SIGTERM into one call of `stop`.
final class StopSignals: @unchecked Sendable {  // the sources are only created and cancelled
    private let sources: [any DispatchSourceSignal]

    init(_ stop: @escaping @Sendable () -> Void) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: stop)
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
