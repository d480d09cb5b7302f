import ArgumentParser
import Foundation
import Logging
import RakisAPI
import RakisCore
import RakisNetwork
import RakisNode
import RakisRuntime

struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send one inference request to the network and wait for its verified result.",
        discussion: """
            Joins the network as a short-lived follower node (same settings as `rakis node`: \
            --config, RAKIS_* variables, flags), signs the request as its origin, fixes the quorum \
            from the first commits, verifies every revealed output by re-embedding it, and prints \
            the output consensus chose. With --json it prints the result and its certificate.
            """
    )

    @OptionGroup var node: NodeOptions
    @Argument(help: "The prompt.") var prompt: String
    @Flag(help: "Send the prompt as a user chat message (the model's chat template applies).") var chat = false
    @Option(name: .customLong("accept"), help: "An accepted model, in order of preference (repeatable).")
    var acceptedModels: [String] = ["smollm2-135m-instruct"]
    @Option(help: "Nodes whose outputs are compared.") var quorum = 3
    @Option(help: "Largest normalized Hamming distance within a cluster.") var secDistance = SecurityFrame.defaultSecDistance
    @Option(help: "Share of the quorum the chosen cluster needs.") var secPercentage = SecurityFrame.defaultSecPercentage
    @Option(help: "Tokens to generate.") var maxTokens = 32
    @Option(help: "Sampling temperature (0 is greedy).") var temperature = 0.0
    @Option(help: "Sampling seed (default: derived from the request id).") var seed: Int?
    @Option(help: "Embedding bits compared.") var bits = RequestSpec.defaultEmbeddingBits
    @Option(help: "Milliseconds for commits.") var commitWindow: Int64 = RequestSpec.defaultCommitWindow
    @Option(help: "Milliseconds for reveals after the commit window.") var revealWindow: Int64 = RequestSpec.defaultRevealWindow
    @Option(help: "Seconds to wait for a transport to connect.") var connectTimeout = 20.0
    @Option(help: ArgumentHelp("A JSON Schema file: the answer is JSON matching it, agreed field by field.", valueName: "file"))
    var schema: String?
    @Flag(help: "Print the result and its certificate as JSON.") var json = false
    @Option(help: "Seconds to stay on the network after concluding, so that the result this node publishes as the quorum's fixer (the reveal set the other nodes decide over) is written out.")
    var linger = 2.0

    func run() async throws {
        let format = try schema.map(SchemaFile.schema(at:))
        var settings = try node.settings()
        settings.models = []
        settings.backends = []
        let scratch = settings.dataDir == nil ? FileManager.default.temporaryDirectory.appendingPathComponent("rakis-submit-\(UUID().uuidString)").path : nil
        if let scratch { settings.dataDir = scratch }
        defer { if let scratch { try? FileManager.default.removeItem(atPath: scratch) } }

        let logger = NodeLogging.bootstrap(level: settings.logLevel == "info" ? "warning" : settings.logLevel)
        let assembly = try await NodeAssembly.build(settings, logger: logger, quiet: true)
        let runtime = assembly.runtime
        try await runtime.start()
        try await waitForConnection(runtime.transports)

        let input: RequestInput = chat ? .messages([ChatMessage(role: "user", content: prompt)]) : .prompt(prompt)
        var spec = RequestSpec(
            input: input, models: acceptedModels, temperature: temperature, maxTokens: maxTokens, seed: seed,
            embeddingModel: settings.embeddingModel, embeddingBits: bits, quorum: quorum,
            secDistance: secDistance, secPercentage: secPercentage, commitWindow: commitWindow, revealWindow: revealWindow
        )
        spec.format = format
        let started = Date()
        let requestId: Hash256
        do {
            requestId = try await runtime.submit(spec)
        } catch {
            await runtime.stop()
            throw CommandFailure("request rejected: \(error)")
        }
        async let loop: Void = runtime.run()
        guard let conclusion = await runtime.conclusion(of: requestId) else { throw CommandFailure("the node stopped before the request concluded") }
        let elapsed = Date().timeIntervalSince(started)
        try report(conclusion, elapsed: elapsed)
        try? await Task.sleep(for: .milliseconds(Int(max(0, linger) * 1000)))
        await runtime.stop()
        await loop
        await assembly.metricsServer?.stop()
        if case .failed = conclusion.outcome { throw ExitCode(3) }
    }

    private func waitForConnection(_ transports: [any Transport]) async throws {
        let deadline = Date().addingTimeInterval(connectTimeout)
        while !transports.contains(where: { $0.statistics.connected }) {
            guard Date() < deadline else {
                throw CommandFailure("no transport connected within \(connectTimeout) s (\(transports.map(\.name.name).joined(separator: ", ")))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private func report(_ conclusion: RequestConclusion, elapsed: TimeInterval) throws {
        if json {
            guard case var .object(object) = conclusion.json else { return }
            object["seconds"] = .number((elapsed * 1000).rounded() / 1000)
            // One write for the whole line: the node goes on logging to stderr while it lingers,
            // and a line written in pieces could be cut by a log line in the same file.
            FileHandle.standardOutput.write(Data((String(decoding: JSONValue.object(object).canonicalBytes(), as: UTF8.self) + "\n").utf8))
            return
        }
        switch conclusion.outcome {
        case let .final(chosen):
            print(chosen.output)
            print("-- final in \(String(format: "%.2f", elapsed)) s: output of node \(chosen.node.short) (\(chosen.model)), cluster of \(chosen.cluster.count) of \(quorum); request \(conclusion.requestId.hex)")
        case let .failed(failure):
            print("-- failed in \(String(format: "%.2f", elapsed)) s: \(failure); request \(conclusion.requestId.hex)")
        }
    }
}
