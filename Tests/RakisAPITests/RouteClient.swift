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
    let application = Application(router: APIServer.router(serving: node))
    return try await application.test(.router) { client in
        try await client.execute(uri: uri, method: method, body: body.map { ByteBuffer(bytes: $0.canonicalBytes()) }) { response in
            Answer(status: response.status, contentType: response.headers[.contentType],
                   body: try JSONParser.parse(Array(response.body.readableBytesView)))
        }
    }
}

/// OpenAI's error shape, which both APIs answer in.
func apiError(_ message: String, type: String, param: String? = nil) -> JSONValue {
    ["error": ["message": .string(message), "type": .string(type), "param": param.map(JSONValue.string) ?? .null]]
}
