import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import RakisCore

/// `NodeGateway` over HTTP, with the node's API key as a bearer token.
public struct HTTPNodeGateway: NodeGateway {
    /// The node's answers are small, but a certificate carries every member's reveal.
    static let maxBodyBytes = 8 << 20
    static let timeout: TimeAmount = .seconds(30)

    let base: String
    let apiKey: String?

    public init(base: String, apiKey: String?) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.apiKey = apiKey
    }

    public func submit(_ body: JSONValue) async throws(GatewayError) -> String {
        let answer = try await json(.POST, "/api/requests", body: body, expecting: 202)
        guard case let .object(fields) = answer, case let .string(requestId)? = fields["requestId"] else {
            throw GatewayError("\(base)/api/requests answered without a request id: \(answer.canonicalString.prefix(200))")
        }
        return requestId
    }

    public func story(of requestId: String) async throws(GatewayError) -> JSONValue {
        try await json(.GET, "/api/requests/\(requestId)")
    }

    public func certificate(of requestId: String) async throws(GatewayError) -> [UInt8] {
        try await call(.GET, "/api/requests/\(requestId)/certificate", body: nil, expecting: 200)
    }

    public func status() async throws(GatewayError) -> JSONValue {
        try await json(.GET, "/api/status")
    }

    private func json(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil, expecting status: Int = 200) async throws(GatewayError) -> JSONValue {
        let bytes = try await call(method, path, body: body, expecting: status)
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw GatewayError("\(base)\(path) answered with malformed JSON: \(error)")
        }
    }

    private func call(_ method: HTTPMethod, _ path: String, body: JSONValue?, expecting status: Int) async throws(GatewayError) -> [UInt8] {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.canonicalBytes()))
        }
        let code: Int
        let bytes: [UInt8]
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: Self.timeout)
            code = Int(response.status.code)
            bytes = Array(try await response.body.collect(upTo: Self.maxBodyBytes).readableBytesView)
        } catch {
            throw GatewayError("cannot reach the node at \(base)\(path): \(error)")
        }
        guard code == status else {
            throw GatewayError("\(base)\(path) answered \(code): \(Self.message(in: bytes))", status: code)
        }
        return bytes
    }

    /// The message of the node's error answer (OpenAI's shape), or the start of the body.
    static func message(in bytes: [UInt8]) -> String {
        if case let .object(fields)? = try? JSONParser.parse(bytes), case let .object(error)? = fields["error"],
           case let .string(message)? = error["message"] {
            return message
        }
        return bytes.isEmpty ? "no message" : String(decoding: bytes.prefix(200), as: UTF8.self)
    }
}
