import Hummingbird
import RakisCore
import RakisStore

/// Holds every route to `APIAccess`: finds the caller (its key, or the anonymous client when
/// allowed), refuses with 401 what has no valid key, and with 429 and `Retry-After` a caller over
/// its rate or its requests in flight. The dashboard's static files are open: their page asks
/// for a key and sends it with every call.
struct APIAccessMiddleware<Context: RequestContext>: RouterMiddleware {
    let access: APIAccess
    let budgets: RequestBudgets
    let now: @Sendable () -> ContinuousClock.Instant

    init(access: APIAccess, budgets: RequestBudgets = RequestBudgets(), now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.access = access
        self.budgets = budgets
        self.now = now
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.isStaticFile(request) { return try await next(request, context) }
        let caller: (name: String, limits: ClientLimits)
        do {
            caller = try identify(request)
        } catch let error as APIError {
            access.record(.unauthorized)
            return try error.response(from: request, context: context)
        }
        switch budgets.admit(caller.name, limits: caller.limits, now: now()) {
        case let .overRate(seconds):
            access.record(.overRate)
            return try APIError.rateLimited("\(caller.name) is over its rate of \(caller.limits.ratePerMinute) requests a minute; retry in \(seconds) s",
                                            retryAfter: seconds).response(from: request, context: context)
        case let .tooManyInFlight(limit):
            access.record(.inFlight)
            return try APIError.rateLimited("\(caller.name) has \(limit) requests in flight, its limit; retry when one has finished",
                                            retryAfter: 1).response(from: request, context: context)
        case let .admitted(ticket, remaining):
            access.record(.admitted)
            var response: Response
            do {
                response = try await next(request, context)
            } catch {
                ticket.release()
                throw error
            }
            response.headers[RateLimitHeader.limit] = String(caller.limits.ratePerMinute)
            response.headers[RateLimitHeader.remaining] = String(remaining)
            // The slot is held until the body is written: a stream holds it while it lasts.
            let body = response.body
            response.body = ResponseBody(contentLength: body.contentLength) { writer in
                defer { ticket.release() }
                try await body.write(writer)
            }
            return response
        }
    }

    /// The caller's name (its key's id, or `anonymous`) and limits; a 401 for a missing, malformed,
    /// unknown, wrong or revoked key.
    private func identify(_ request: Request) throws -> (name: String, limits: ClientLimits) {
        guard let authorization = request.headers[.authorization] else {
            guard access.allowsAnonymous else {
                throw APIError.unauthorized("this node's API needs an API key: send the header `Authorization: Bearer <key>` (an operator creates keys with `rakis keys api create`)")
            }
            return ("anonymous", access.anonymousLimits)
        }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("the Authorization header must be `Bearer <API key>`")
        }
        guard let key = APIKey(text: parts[1].trimmingCharacters(in: .whitespaces)) else {
            // Clients that insist on some key get one made up ("not-needed"): with open access
            // that is a call without a key. A Rakis key that fails is refused all the same.
            if access.allowsAnonymous, !parts[1].hasPrefix(APIKey.prefix) { return ("anonymous", access.anonymousLimits) }
            throw APIError.unauthorized("invalid API key: not a Rakis key (rk_ followed by 16 and 64 hex digits)")
        }
        let stored: StoredAPIKey?
        do {
            stored = try access.keys?.apiKey(id: key.id)
        } catch {
            throw APIError(status: .serviceUnavailable, message: "cannot read the API keys: \(error)", type: "server_error", param: nil)
        }
        guard let stored, key.matches(stored) else { throw APIError.unauthorized("invalid API key rk_\(key.id)_…") }
        guard !stored.isRevoked else { throw APIError.unauthorized("API key rk_\(key.id)_… (\(stored.name)) was revoked") }
        return ("key \(stored.id)", ClientLimits(ratePerMinute: stored.ratePerMinute, maxInFlight: stored.maxInFlight))
    }

    /// The dashboard's pages, style and scripts: nothing in them is the node's data.
    static func isStaticFile(_ request: Request) -> Bool {
        guard request.method == .get || request.method == .head else { return false }
        let path = request.uri.path
        return path == "/" || path == "/chat" || path.hasPrefix("/dashboard/")
    }
}

/// OpenAI's headers for a caller's request allowance, which its clients read.
enum RateLimitHeader {
    static let limit = HTTPFields.Element.Name("x-ratelimit-limit-requests")!
    static let remaining = HTTPFields.Element.Name("x-ratelimit-remaining-requests")!
}
