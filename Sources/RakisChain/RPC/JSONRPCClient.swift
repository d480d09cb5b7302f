import AsyncHTTPClient
import Foundation
import NIOCore
import RakisCore

/// JSON-RPC 2.0 over HTTP POST, the way every Ethereum node answers.
public struct JSONRPCClient: Sendable {
    public let url: String
    let timeout: Duration

    public init(url: String, timeout: Duration = .seconds(30)) {
        self.url = url
        self.timeout = timeout
    }

    /// Calls `method` and returns its `result`; an `error` answer throws `ChainRPCError.rpc`.
    public func call(_ method: String, _ params: [JSONValue] = []) async throws(ChainRPCError) -> JSONValue {
        let body: JSONValue = ["jsonrpc": "2.0", "id": 1, "method": .string(method), "params": .array(params)]
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body.canonicalBytes()))
        let bytes: [UInt8]
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .init(timeout))
            bytes = Array(try await response.body.collect(upTo: Self.maxAnswerBytes).readableBytesView)
            guard response.status == .ok else {
                throw ChainRPCError.http(method: method, status: Int(response.status.code), body: String(decoding: bytes.prefix(300), as: UTF8.self))
            }
        } catch let error as ChainRPCError {
            throw error
        } catch {
            throw .unreachable(url: url, method: method, reason: "\(error)")
        }
        do {
            let answer = try JSONObjectReader(JSONParser.parse(bytes), path: method)
            if let failure = try answer.optionalObject("error") {
                throw ChainRPCError.rpc(method: method, code: try failure.int("code"), message: try failure.string("message"),
                                        data: try? failure.string("data"))
            }
            return try answer.value("result")
        } catch let error as ChainRPCError {
            throw error
        } catch {
            throw .malformed(method: method, reason: "\(error)")
        }
    }

    /// Logs of a wide block range can be large; anything beyond this is refused, not buffered.
    static let maxAnswerBytes = 64 << 20
}

public enum ChainRPCError: Error, CustomStringConvertible, Sendable {
    case unreachable(url: String, method: String, reason: String)
    case http(method: String, status: Int, body: String)
    /// The node answered with a JSON-RPC error: for a call or a gas estimate, usually a revert.
    case rpc(method: String, code: Int, message: String, data: String?)
    case malformed(method: String, reason: String)

    public var description: String {
        switch self {
        case let .unreachable(url, method, reason): "\(method): cannot reach \(url): \(reason)"
        case let .http(method, status, body): "\(method): HTTP \(status): \(body)"
        case let .rpc(method, code, message, _): "\(method): \(message) (code \(code))"
        case let .malformed(method, reason): "\(method): unexpected answer: \(reason)"
        }
    }

    /// The revert reason a node reported ("execution reverted: REASON", as geth words it), if
    /// this is a revert.
    public var revertMessage: String? {
        guard case let .rpc(_, _, message, _) = self else { return nil }
        let prefix = "execution reverted: "
        return message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message
    }
}
