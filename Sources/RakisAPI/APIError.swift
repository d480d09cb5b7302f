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
    /// OpenAI's machine-readable reason, where it has one (`invalid_api_key`, `rate_limit_exceeded`).
    var code: String? = nil
    /// Seconds a refused caller should wait (the `Retry-After` header of a 429).
    var retryAfter: Int? = nil

    static func badRequest(_ message: String, param: String? = nil) -> APIError {
        APIError(status: .badRequest, message: message, type: "invalid_request_error", param: param)
    }

    static func notFound(_ message: String) -> APIError {
        APIError(status: .notFound, message: message, type: "not_found_error", param: nil)
    }

    /// No valid API key: missing where one is needed, malformed, unknown, wrong or revoked.
    static func unauthorized(_ message: String) -> APIError {
        APIError(status: .unauthorized, message: message, type: "invalid_request_error", param: nil, code: "invalid_api_key")
    }

    /// The caller is over one of its limits and should retry after `retryAfter` seconds.
    static func rateLimited(_ message: String, retryAfter: Int) -> APIError {
        APIError(status: .tooManyRequests, message: message, type: "requests", param: nil, code: "rate_limit_exceeded", retryAfter: retryAfter)
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
        if let code { error["code"] = .string(code) }
        return .object(["error": .object(error)])
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = body.response(status: status)
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer realm=\"rakis\"" }
        return response
    }
}

extension JSONValue {
    /// This value as a JSON response body.
    func response(status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: canonicalBytes())))
    }
}
