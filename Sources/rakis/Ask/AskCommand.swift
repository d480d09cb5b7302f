import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import RakisCore

struct Ask: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask the network through a node's HTTP API and watch the request live.",
        discussion: """
            Sends the prompt as a chat message to the node at --node (started with `rakis node \
            --api`), prints each commit, the quorum and each reveal as they arrive, then the output \
            consensus chose and where its certificate is. Exit status 3 if the request failed.
            """
    )

    @Argument(help: "The prompt, sent as a user message.") var prompt: String
    @Option(help: "The node's API.") var node = "http://127.0.0.1:7480"
    @Option(help: "The node's API key (rakis keys api create); default: $RAKIS_API_KEY, which keeps it out of shell history.")
    var apiKey: String?
    @Option(name: .customLong("models"), parsing: .upToNextOption, help: "Accepted models, in order of preference (default: the node's first).")
    var models: [String] = []
    @Option(help: "Nodes whose outputs are compared.") var quorum = 3
    @Option(help: "Largest normalized Hamming distance within a cluster.") var secDistance = SecurityFrame.defaultSecDistance
    @Option(help: "Share of the quorum the chosen cluster needs.") var secPercentage = SecurityFrame.defaultSecPercentage
    @Option(help: "Tokens to generate.") var maxTokens = 64
    @Option(help: "Seconds to wait for the result.") var timeout = 120.0
    @Option(help: ArgumentHelp("A JSON Schema file: the answer is JSON matching it, agreed field by field.",
                               discussion: "The subset docs/PROTOCOL.md describes (closed objects, strings with enum or lengths, integers and numbers with bounds, booleans, arrays); the node refuses anything else, naming the keyword.",
                               valueName: "file"))
    var schema: String?
    @Option(help: "With --schema: largest difference at which two numbers agree.") var numberTolerance: Double?

    func run() async throws {
        let base = node.hasSuffix("/") ? String(node.dropLast()) : node
        // Listen first, so no event of the request can pass before it is known.
        let key = apiKey ?? ProcessInfo.processInfo.environment["RAKIS_API_KEY"]
        var listen = HTTPClientRequest(url: "\(base)/api/events")
        if let key { listen.headers.add(name: "Authorization", value: "Bearer \(key)") }
        let events = try await HTTPClient.shared.execute(listen, timeout: .seconds(10))
        guard events.status == .ok else {
            let answer = try? JSONParser.parse(Array((try await events.body.collect(upTo: 1 << 16)).readableBytesView))
            throw CommandFailure("\(base)/api/events answered \(events.status.code): \(answer.map(Self.errorMessage) ?? "no message")")
        }

        var body: [String: JSONValue] = [
            "messages": [["role": "user", "content": .string(prompt)]], "quorum": .number(Double(quorum)),
            "secDistance": .number(secDistance), "secPercentage": .number(secPercentage), "maxTokens": .number(Double(maxTokens)),
        ]
        if !models.isEmpty { body["models"] = .array(models.map(JSONValue.string)) }
        if let schema { body["format"] = try SchemaFile.json(at: schema) }
        if let numberTolerance { body["numberTolerance"] = .number(numberTolerance) }
        var submit = HTTPClientRequest(url: "\(base)/api/requests")
        submit.method = .POST
        submit.headers.add(name: "Content-Type", value: "application/json")
        if let key { submit.headers.add(name: "Authorization", value: "Bearer \(key)") }
        submit.body = .bytes(ByteBuffer(bytes: JSONValue.object(body).canonicalBytes()))
        let response = try await HTTPClient.shared.execute(submit, timeout: .seconds(30))
        let answer = try JSONParser.parse(Array((try await response.body.collect(upTo: 1 << 20)).readableBytesView))
        guard response.status == .accepted, case let .object(fields) = answer, case let .string(requestId)? = fields["requestId"] else {
            throw CommandFailure("the node refused the request (\(response.status.code)): \(Self.errorMessage(answer))")
        }
        log("request \(requestId) sent to \(base)")

        let started = Date()
        let conclusion = try await withThrowingTaskGroup(of: JSONValue?.self) { group in
            group.addTask { try await follow(events.body, requestId: requestId, started: started) }
            group.addTask {
                try await Task.sleep(for: .seconds(timeout))
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard case let .object(result)? = conclusion else { throw CommandFailure("no result within \(timeout) s; see \(base)/api/requests/\(requestId)") }
        if case .string("final")? = result["status"], case let .string(output)? = result["output"] {
            print(output)
            log("final after \(String(format: "%.2f", Date().timeIntervalSince(started))) s; certificate: \(base)/api/requests/\(requestId)/certificate")
        } else {
            let reason = if case let .string(reason)? = result["reason"] { reason } else { "unknown reason" }
            log("failed after \(String(format: "%.2f", Date().timeIntervalSince(started))) s: \(reason); story: \(base)/api/requests/\(requestId)")
            throw ExitCode(3)
        }
    }

    /// Prints the request's events as they come; returns the conclusion.
    private func follow(_ stream: HTTPClientResponse.Body, requestId: String, started: Date) async throws -> JSONValue? {
        var parser = ServerSentEvents()
        for try await chunk in stream {
            for event in parser.feed(chunk.readableBytesView) {
                guard case let .object(data) = (try? JSONParser.parse(Array(event.data.utf8))) ?? .null,
                      case .string(requestId)? = data["requestId"] else { continue }
                let elapsed = String(format: "%6.2f s", Date().timeIntervalSince(started))
                switch event.name {
                case "packet":
                    guard case let .string(type)? = data["type"], case let .string(sender)? = data["sender"], type != "request" else { continue }
                    let via = if case let .string(transport)? = data["transport"] { " via \(transport)" } else { " (this node)" }
                    log("\(elapsed)  \(type) from \(sender.prefix(8))\(via)")
                case "phase":
                    if case let .string(phase)? = data["phase"] { log("\(elapsed)  node: \(phase)") }
                case "concluded":
                    return .object(data)
                default:
                    continue
                }
            }
        }
        return nil
    }

    private func log(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func errorMessage(_ answer: JSONValue) -> String {
        if case let .object(fields) = answer, case let .object(error)? = fields["error"], case let .string(message)? = error["message"] {
            return message
        }
        return answer.canonicalString
    }
}
