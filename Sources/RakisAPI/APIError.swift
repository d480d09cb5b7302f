import Hummingbird
import RakisCore

/// An error answered as JSON in OpenAI's shape, `{"error": {"message", "type", "param"}}`, so
/// OpenAI clients show the message; native clients read the same body.
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String
    /// OpenAI's error type: `invalid_request_error`, `not_found_error`, `server_error`...
    let type: String
    /// The request field at fault, as a dotted path, when there is one.
    let param: String?

    static func badRequest(_ message: String, param: String? = nil) -> APIError {
        APIError(status: .badRequest, message: message, type: "invalid_request_error", param: param)
    }

    static func notFound(_ message: String) -> APIError {
        APIError(status: .notFound, message: message, type: "not_found_error", param: nil)
    }

    /// A body that parsed but has the wrong shape: the message names the field.
    static func shape(_ error: JSONShapeError) -> APIError {
        error.path.isEmpty ? badRequest("the request body: \(error.message)") : badRequest(error.description, param: error.path)
    }

    /// A request the node did not see conclude: it is stopping, or too many clients wait.
    static func notConcluded(_ requestId: Hash256) -> APIError {
        APIError(status: .serviceUnavailable, message: "the node is shutting down or has too many clients waiting; request \(requestId.hex) did not conclude here",
                 type: "server_error", param: nil)
    }

    /// `{"error": {"message", "type", "param"}}`, the body of the response and of a stream's error event.
    var body: JSONValue {
        var error: [String: JSONValue] = ["message": .string(message), "type": .string(type)]
        error["param"] = param.map(JSONValue.string) ?? .null
        return .object(["error": .object(error)])
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        body.response(status: status)
    }
}

extension JSONValue {
    /// This value as a JSON response body.
    func response(status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: canonicalBytes())))
    }
}
