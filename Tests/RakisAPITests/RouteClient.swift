@testable import RakisAPI
import Hummingbird
import HummingbirdTesting
import RakisCore

/// One HTTP call to the API's routes over a node, without a socket.
struct Answer {
    let status: HTTPResponse.Status
    let contentType: String?
    let body: JSONValue
}

func call(_ node: StandInNode, _ method: HTTPRequest.Method, _ uri: String, body: JSONValue? = nil) async throws -> Answer {
    let application = Application(router: APIServer.router(serving: node, access: .anonymous))
    return try await application.test(.router) { client in
        try await client.execute(uri: uri, method: method, body: body.map { ByteBuffer(bytes: $0.canonicalBytes()) }) { response in
            Answer(status: response.status, contentType: response.headers[.contentType],
                   body: try JSONParser.parse(Array(response.body.readableBytesView)))
        }
    }
}

/// One HTTP call whose answer is text (a stream of server-sent events, say).
func callText(_ node: StandInNode, _ method: HTTPRequest.Method, _ uri: String, body: JSONValue) async throws -> (status: HTTPResponse.Status, text: String) {
    let application = Application(router: APIServer.router(serving: node, access: .anonymous))
    return try await application.test(.router) { client in
        try await client.execute(uri: uri, method: method, body: ByteBuffer(bytes: body.canonicalBytes())) { response in
            (response.status, String(decoding: response.body.readableBytesView, as: UTF8.self))
        }
    }
}

/// The JSON of each `data:` event of a stream, and whether it ended with `[DONE]`.
func dataEvents(_ text: String) throws -> (events: [JSONValue], done: Bool) {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true).filter { $0.hasPrefix("data: ") }.map { $0.dropFirst(6) }
    let done = lines.last == "[DONE]"
    return (try lines.filter { $0 != "[DONE]" }.map { try JSONParser.parse(Array($0.utf8)) }, done)
}

/// OpenAI's error shape, which both APIs answer in.
func apiError(_ message: String, type: String, param: String? = nil) -> JSONValue {
    ["error": ["message": .string(message), "type": .string(type), "param": param.map(JSONValue.string) ?? .null]]
}
