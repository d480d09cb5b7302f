import Foundation
import Logging
import MCP
import RakisCore

/// The MCP server behind `rakis mcp`: the tools of `RakisTool`, run against a node through a
/// `NodeGateway`, each answer of the network checked by `CertificateCheck` before an agent sees it.
/// A tool that fails (a refused request, a certificate that does not verify, a network that did
/// not agree) answers with `isError` and says why, as MCP asks, so the agent's model reads it;
/// only a malformed call (an unknown tool) is a protocol error.
public struct RakisMCPServer: Sendable {
    let gateway: any NodeGateway
    let check: CertificateCheck
    /// How often the request's story is read while the network works on it.
    let pollInterval: Duration
    /// What a node can hand back for a certificate, and what an agent can hand in.
    static let maxCertificateBytes = 8 << 20

    public init(gateway: any NodeGateway, check: @escaping CertificateCheck, pollInterval: Duration = .milliseconds(250)) {
        self.gateway = gateway
        self.check = check
        self.pollInterval = pollInterval
    }

    /// A server with the tools registered, ready for `start(transport:)`.
    public func makeServer(version: String) async -> Server {
        let server = Server(
            name: "rakis", version: version, title: "Rakis",
            instructions: "Ask a trust-minimized network of LLM nodes with `ask`; every answer comes with a certificate this server has verified.",
            capabilities: .init(tools: .init(listChanged: false))
        )
        await server.withMethodHandler(ListTools.self) { _ in .init(tools: RakisTool.allCases.map(\.definition)) }
        await server.withMethodHandler(CallTool.self) { [self] params in
            try await call(params, progress: { progress in
                guard let token = params._meta?.progressToken else { return }
                try? await server.notify(ProgressNotification.message(
                    .init(progressToken: token, progress: Double(progress.steps), message: progress.message)))
            })
        }
        return server
    }

    /// Serves one client over the transport until it disconnects.
    public func serve(over transport: any Transport, version: String) async throws {
        let server = await makeServer(version: version)
        try await server.start(transport: transport)
        await server.waitUntilCompleted()
    }

    func call(_ params: CallTool.Parameters, progress: @Sendable (AskProgress) async -> Void) async throws -> CallTool.Result {
        guard let tool = RakisTool(rawValue: params.name) else {
            throw MCPError.invalidParams("no tool \(params.name.debugDescription); the tools are \(RakisTool.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let arguments: JSONValue
        do {
            arguments = try JSONValue(mcp: .object(params.arguments ?? [:]))
        } catch {
            return .failure("\(error)")
        }
        do {
            switch tool {
            case .ask: return try await ask(AskArguments(arguments), progress: progress)
            case .verifyCertificate: return try await verifyCertificate(arguments)
            case .networkStatus: return try await networkStatus(arguments)
            }
        } catch let error as JSONShapeError {
            return .failure("\(error)")
        } catch let error as GatewayError {
            return .failure(error.description)
        }
    }

    // MARK: - ask

    private func ask(_ arguments: AskArguments, progress: @Sendable (AskProgress) async -> Void) async throws -> CallTool.Result {
        let requestId = try await gateway.submit(arguments.body)
        let deadline = ContinuousClock.now + .milliseconds(Int(arguments.timeoutSeconds * 1000))
        let late = "no conclusion within \(arguments.timeoutSeconds) s for request \(requestId); ask the node later (GET /api/requests/\(requestId))"
        var reported = 0
        var story: JSONValue = .null
        while true {
            story = (try? await gateway.story(of: requestId)) ?? .null
            let now = AskProgress(story: story)
            if now.steps > reported {
                reported = now.steps
                await progress(now)
            }
            if now.concluded { break }
            guard ContinuousClock.now < deadline else { return .failure(late) }
            try await Task.sleep(for: pollInterval)
        }
        guard case let .object(fields) = story, case let .object(result)? = fields["result"] else { return .failure(late) }
        guard case .bool(true)? = result["hasCertificate"] else {
            let reason = if case let .string(reason)? = result["reason"] { reason } else { "no reason given" }
            return .failure("request \(requestId) failed before a quorum was fixed, so it has no certificate: \(reason)")
        }
        return try await answer(arguments, requestId: requestId, certificate: certificate(of: requestId, until: deadline))
    }

    /// The request's certificate file. The concluded result and its signed result packet can
    /// reach the node a moment apart, so a 404 is asked again until the deadline.
    private func certificate(of requestId: String, until deadline: ContinuousClock.Instant) async throws -> [UInt8] {
        while true {
            let outcome: Result<[UInt8], GatewayError>
            do {
                outcome = .success(try await gateway.certificate(of: requestId))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case let .success(bytes):
                return bytes
            case let .failure(error) where error.status == 404 && ContinuousClock.now < deadline:
                try await Task.sleep(for: pollInterval)
            case let .failure(error):
                throw error
            }
        }
    }

    /// The network's answer as the certificate says, after checking it and that it answers the
    /// question asked: what the node claimed is not looked at, so a node that lies about the
    /// answer is caught here.
    private func answer(_ arguments: AskArguments, requestId: String, certificate bytes: [UInt8]) async throws -> CallTool.Result {
        let verified: JSONValue
        do {
            verified = try await check(bytes)
        } catch {
            return .failure("the node's certificate for request \(requestId) does not verify, so its answer is not to be trusted: \(error)")
        }
        guard verified.objectMember("requestId") == .string(requestId) else {
            return .failure("the node answered request \(requestId) with the certificate of another request, \(verified.objectMember("requestId")?.canonicalString ?? "none")")
        }
        if let mismatch = arguments.mismatch(in: verified.objectMember("request") ?? .null) {
            return .failure("the node's certificate for request \(requestId) is not for the question asked: \(mismatch)")
        }
        let certificate = (try? JSONParser.parse(bytes)) ?? .null
        guard case let .object(fields) = verified, case let .string(output)? = fields["output"] else {
            var structured: [String: JSONValue] = ["requestId": .string(requestId), "status": "failed", "certificate": certificate]
            if case let .object(outcome)? = (verified.objectMember("outcome")) { structured["outcome"] = .object(outcome) }
            return .failure("the network did not agree on an answer to request \(requestId): \(verified.objectMember("outcome")?.canonicalString ?? "no outcome")",
                            structured: .object(structured))
        }
        var structured: [String: JSONValue] = ["requestId": .string(requestId), "status": "final", "output": .string(output), "verified": true,
                                               "certificate": certificate]
        for key in ["model", "author", "cluster", "members", "fields"] where fields[key] != nil { structured[key] = fields[key] }
        return .success(text: output, structured: .object(structured))
    }

    // MARK: - verify_certificate

    private func verifyCertificate(_ arguments: JSONValue) async throws -> CallTool.Result {
        let reader = try JSONObjectReader(arguments, path: "arguments")
        try reader.rejectUnknownKeys(allowed: ["certificate"])
        let bytes: [UInt8] = switch try reader.value("certificate") {
        case let .string(text): Array(text.utf8)
        case let object: object.canonicalBytes()
        }
        guard bytes.count <= Self.maxCertificateBytes else {
            return .failure("the certificate is \(bytes.count) bytes; at most \(Self.maxCertificateBytes) are read")
        }
        do {
            let verified = try await check(bytes)
            return .success(text: "The certificate verifies. " + Self.summary(verified), structured: verified)
        } catch {
            return .failure("the certificate does not verify: \(error)")
        }
    }

    static func summary(_ verified: JSONValue) -> String {
        guard case let .object(fields) = verified else { return "" }
        let requestId = if case let .string(id)? = fields["requestId"] { id } else { "?" }
        if case let .string(output)? = fields["output"] {
            let cluster = if case let .array(members)? = fields["cluster"] { members.count } else { 0 }
            return "Request \(requestId): agreed by \(cluster) members on: \(output)"
        }
        return "Request \(requestId): \(fields["outcome"]?.canonicalString ?? "no outcome")"
    }

    // MARK: - network_status

    private func networkStatus(_ arguments: JSONValue) async throws -> CallTool.Result {
        try JSONObjectReader(arguments, path: "arguments").rejectUnknownKeys(allowed: [])
        let status = try await gateway.status()
        return .success(text: status.canonicalString, structured: status)
    }
}

extension JSONValue {
    fileprivate func objectMember(_ key: String) -> JSONValue? {
        if case let .object(fields) = self { fields[key] } else { nil }
    }
}

extension CallTool.Result {
    /// The answer as text, then the structured result, which MCP asks to be repeated as JSON text
    /// for clients that read only text.
    static func success(text: String, structured: JSONValue) -> Self {
        let value: MCP.Value? = MCP.Value(json: structured)
        return .init(content: [.text(text: text, annotations: nil, _meta: nil), .text(text: structured.canonicalString, annotations: nil, _meta: nil)],
                     structuredContent: value, isError: false)
    }

    static func failure(_ message: String, structured: JSONValue? = nil) -> Self {
        let value: MCP.Value? = structured.map { MCP.Value(json: $0) }
        return .init(content: [.text(text: message, annotations: nil, _meta: nil)], structuredContent: value, isError: true)
    }
}
