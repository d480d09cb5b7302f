import ArgumentParser
import Foundation
import Logging
import RakisAPI
import RakisCore
import RakisNode
import RakisRuntime

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a local Rakis network with its API and dashboard, and ask it a few questions.",
        discussion: """
            Fetches the models if they are missing, starts six serving nodes and a follower on \
            127.0.0.1 (a peer mesh; three run SmolLM2 and three Gemma 3 270M, all embed with \
            MiniLM), serves the follower's API and dashboard at --api, and sends sample requests \
            with different security frames and models through the follower, one of them to a \
            quorum mixing both families, printing each one's story and result. The network then stays up for the \
            dashboard until Ctrl-C; with --once it stops after the samples.
            """
    )

    @Option(help: "Address of the follower's API and dashboard (host:port).") var api = "127.0.0.1:7480"
    @Flag(help: "Stop after the sample requests.") var once = false
    @Option(help: "Engine threads per node.") var threads = 1
    @Option(help: "Where the nodes keep their stores (default: a temporary directory, removed at exit).") var dataDir: String?

    func run() async throws {
        // Each story as it happens, not at exit, when the output goes to a pipe or a file.
        lineBufferStandardOutput()
        let endpoint = try HostPort(parsing: api)
        try Models.fetch(DemoNetwork.modelFiles)
        let logger = NodeLogging.bootstrap(level: "warning")
        let scratch = dataDir == nil ? FileManager.default.temporaryDirectory.appendingPathComponent("rakis-demo-\(UUID().uuidString)").path : nil
        defer { if let scratch { try? FileManager.default.removeItem(atPath: scratch) } }

        print("Starting 3 SmolLM2 nodes, 3 Gemma 3 nodes and a follower on 127.0.0.1…")
        let network = try await DemoNetwork.start(directory: dataDir ?? scratch!, threads: threads, logger: logger)
        let follower = network.follower
        let server = APIServer(runtime: follower, host: endpoint.host, port: endpoint.port, access: network.followerAccess, logger: logger)
        let listening = AsyncStream.makeStream(of: Int.self)
        let apiTask = Task {
            do {
                try await server.run { port in listening.continuation.yield(port) }
            } catch {
                logger.critical("API server on \(api) failed: \(error)")
                listening.continuation.finish()
            }
        }
        guard let port = await listening.stream.first(where: { _ in true }) else {
            await network.stop()
            throw CommandFailure("cannot serve the API on \(api) (is the port taken? choose another with --api)")
        }
        print("Network \(network.name): nodes \(network.runtimes.map(\.nodeId.short).joined(separator: ", ")) (the last is the follower)")
        print("API and dashboard: http://\(endpoint.host):\(port)/\n")
        guard await network.waitUntilEveryoneKnowsTheServers() else {
            await network.stop()
            throw CommandFailure("the demo nodes did not find each other within 30 s")
        }

        var failures = 0
        for (index, sample) in DemoSamples.all.enumerated() {
            let printer = StoryPrinter(runtime: follower, nodes: network.runtimes.map(\.nodeId))
            if !(try await printer.run(sample, number: index + 1)) { failures += 1 }
        }

        if !once {
            print("The network keeps running: open http://\(endpoint.host):\(port)/ to ask more. Ctrl-C stops it.")
            let stop = AsyncStream.makeStream(of: Void.self)
            let signals = StopSignals { stop.continuation.finish() }
            for await _ in stop.stream {}
            signals.cancel()
        }
        apiTask.cancel()
        await apiTask.value
        await network.stop()
        if failures > 0 { throw CommandFailure("\(failures) sample request(s) did not reach a final result") }
    }
}
