import Foundation
@testable import RakisAPI
import Hummingbird
import HummingbirdTesting
import RakisCore
import RakisStore
import Synchronization
import Testing

/// API keys, anonymous access, rate and in-flight limits and CORS, through the real routes and a
/// real store (a temporary SQLite file), with the clock in the test's hands.
struct APIAccessTests {
    let store: NodeStore
    let clock = ManualClock()
    /// Shared by every call of a test, as by every call to one server.
    let budgets = RequestBudgets()

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-api-access-\(UUID().uuidString)")
        store = try NodeStore(path: directory.appendingPathComponent("rakis.sqlite").path)
    }

    /// A key made as `rakis keys api create` makes it.
    func createKey(_ name: String, rate: Int = 600, inFlight: Int = 16) throws -> APIKey {
        let key = APIKey.generate()
        try store.insertAPIKey(StoredAPIKey(id: key.id, name: name, secretHash: key.secretHash, ratePerMinute: rate, maxInFlight: inFlight, createdAt: 1))
        return key
    }

    struct Reply {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: String
        /// A field of the OpenAI-shaped error body, if the body is one and has it as a string.
        func error(_ field: String) -> String? {
            guard case let .object(object)? = try? JSONParser.parse(Array(body.utf8)), case let .object(error)? = object["error"],
                  case let .string(value)? = error[field] else { return nil }
            return value
        }
    }

    func send(_ uri: String, method: HTTPRequest.Method = .get, headers: HTTPFields = [:], access: APIAccess? = nil) async throws -> Reply {
        let router = APIServer.router(serving: StandInNode(), access: access ?? APIAccess(keys: store, allowsAnonymous: false, corsOrigins: ["https://app.example.org"]),
                                      budgets: budgets, now: { [clock] in clock.now })
        return try await Application(router: router).test(.router) { client in
            try await client.execute(uri: uri, method: method, headers: headers) { response in
                Reply(status: response.status, headers: response.headers, body: String(decoding: response.body.readableBytesView, as: UTF8.self))
            }
        }
    }

    func bearer(_ text: String) -> HTTPFields { [.authorization: "Bearer \(text)"] }

    @Test func noKeyAWrongKeyAndARevokedKeyAre401WithTheReason() async throws {
        let key = try createKey("client")
        let missing = try await send("/api/status")
        #expect(missing.status == .unauthorized)
        #expect(missing.headers[.wwwAuthenticate] == "Bearer realm=\"rakis\"")
        #expect(missing.error("code") == "invalid_api_key")
        #expect(missing.error("message")?.contains("rakis keys api create") == true)

        let wrongSecret = String(key.text.dropLast(4)) + (key.text.hasSuffix("0000") ? "1111" : "0000")
        for (header, reason) in [(bearer(wrongSecret), "invalid API key rk_\(key.id)"), (bearer(APIKey.generate().text), "invalid API key rk_"),
                                 (bearer("sk-not-ours"), "not a Rakis key"), ([.authorization: "Basic dXNlcjpwYXNz"], "must be `Bearer <API key>`")] {
            let reply = try await send("/v1/models", headers: header)
            #expect(reply.status == .unauthorized, "\(header)")
            #expect(reply.error("message")?.contains(reason) == true, "\(reply.body)")
        }
        #expect(try await send("/api/status", headers: bearer(key.text)).status == .ok)
        #expect(try store.revokeAPIKey(id: key.id, at: 2))
        let revoked = try await send("/api/status", headers: bearer(key.text))
        #expect(revoked.status == .unauthorized)
        #expect(revoked.error("message")?.contains("was revoked") == true)
    }

    @Test func aKeyOverItsRateGets429WithRetryAfterAndIsServedAgainLater() async throws {
        let key = try createKey("slow", rate: 2)
        let first = try await send("/api/status", headers: bearer(key.text))
        #expect(first.status == .ok)
        #expect(first.headers[RateLimitHeader.limit] == "2" && first.headers[RateLimitHeader.remaining] == "1")
        #expect(try await send("/api/status", headers: bearer(key.text)).status == .ok)
        let over = try await send("/api/status", headers: bearer(key.text))
        #expect(over.status == .tooManyRequests)
        #expect(over.headers[.retryAfter] == "30", "2 a minute: one more token every 30 s")
        #expect(over.error("code") == "rate_limit_exceeded")
        // Another key is not held back by this one.
        #expect(try await send("/api/status", headers: bearer(try createKey("other").text)).status == .ok)
        clock.advance(by: .seconds(30))
        #expect(try await send("/api/status", headers: bearer(key.text)).status == .ok)
        #expect(try await send("/api/status", headers: bearer(key.text)).status == .tooManyRequests)
    }

    @Test func inFlightRequestsAreCappedAndReleasedWhenTheirResponseGoes() throws {
        let budgets = RequestBudgets()
        let limits = ClientLimits(ratePerMinute: 100, maxInFlight: 2)
        guard case let .admitted(first, _) = budgets.admit("key a", limits: limits, now: clock.now),
              case let .admitted(second, _) = budgets.admit("key a", limits: limits, now: clock.now) else {
            Issue.record("the first two requests are admitted")
            return
        }
        guard case .tooManyInFlight(limit: 2) = budgets.admit("key a", limits: limits, now: clock.now) else {
            Issue.record("a third request in flight is refused")
            return
        }
        #expect(budgets.inFlight("key a") == 2, "a refused request holds no slot")
        first.release()
        first.release()
        #expect(budgets.inFlight("key a") == 1, "a ticket releases once")
        #expect(budgets.inFlight("key b") == 0, "other clients are counted apart")
        second.release()
        #expect(budgets.inFlight("key a") == 0)
    }

    @Test func aDroppedTicketFreesItsSlot() {
        let budgets = RequestBudgets()
        let limits = ClientLimits(ratePerMinute: 100, maxInFlight: 1)
        do {
            guard case .admitted = budgets.admit("key b", limits: limits, now: clock.now) else {
                Issue.record("admitted")
                return
            }
        }
        #expect(budgets.inFlight("key b") == 0)
        guard case .admitted = budgets.admit("key b", limits: limits, now: clock.now) else {
            Issue.record("the slot of a response that was dropped unwritten is free again")
            return
        }
    }

    @Test func theDashboardFilesNeedNoKeyButItsDataDoes() async throws {
        #expect(try await send("/").status == .ok)
        #expect(try await send("/dashboard/dashboard.js").status == .ok)
        #expect(try await send("/chat").status == .ok)
        #expect(try await send("/api/chat").status == .unauthorized)
        #expect(try await send("/api/events").status == .unauthorized)
        #expect(try await send("/metrics").status == .unauthorized)
        #expect(try await send("/api/requests", method: .post).status == .unauthorized)
    }

    @Test func openAccessServesCallsWithoutAKeyButStillRefusesAWrongOne() async throws {
        let open = APIAccess(keys: store, allowsAnonymous: true, anonymousLimits: ClientLimits(ratePerMinute: 100, maxInFlight: 4))
        #expect(try await send("/api/status", access: open).status == .ok)
        #expect(try await send("/api/status", headers: bearer(APIKey.generate().text), access: open).status == .unauthorized)
        #expect(try await send("/api/status", headers: bearer("rk_garbled"), access: open).status == .unauthorized)
        #expect(try await send("/api/status", headers: bearer("not-needed"), access: open).status == .ok,
                "a made-up key, as clients that insist on one send, is a call without a key")
        let key = try createKey("holder")
        #expect(try await send("/api/status", headers: bearer(key.text), access: open).status == .ok)
    }

    @Test func browsersFromAListedOriginMayCallAndOthersGetNoCORSHeaders() async throws {
        let key = try createKey("app")
        let preflight = try await send("/v1/chat/completions", method: .options,
                                       headers: [.origin: "https://app.example.org", .accessControlRequestMethod: "POST"])
        #expect(preflight.status == .ok || preflight.status == .noContent)
        #expect(preflight.headers[.accessControlAllowOrigin] == "https://app.example.org")
        #expect(preflight.headers[.accessControlAllowHeaders]?.lowercased().contains("authorization") == true)
        var headers = bearer(key.text)
        headers[.origin] = "https://app.example.org"
        let call = try await send("/api/status", headers: headers)
        #expect(call.status == .ok && call.headers[.accessControlAllowOrigin] == "https://app.example.org")
        headers[.origin] = "https://evil.example.com"
        let foreign = try await send("/api/status", headers: headers)
        #expect(foreign.headers[.accessControlAllowOrigin] == nil)
        let foreignPreflight = try await send("/api/status", method: .options, headers: [.origin: "https://evil.example.com"])
        #expect(foreignPreflight.headers[.accessControlAllowOrigin] == nil)
        #expect(foreignPreflight.status == .unauthorized)
    }

    @Test func theKeyTextFormIsParsedStrictly() {
        let key = APIKey.generate()
        #expect(APIKey(text: key.text) == key)
        #expect(key.text.count == 3 + 16 + 1 + 64)
        #expect(APIKey(text: key.text.uppercased()) == nil)
        #expect(APIKey(text: key.text + "0") == nil)
        #expect(APIKey(text: "rk__" + String(repeating: "a", count: 80)) == nil)
        #expect(APIKey.generate() != key)
    }

    @Test func theStoreKeepsOnlyTheHashAndRefusesATakenId() throws {
        let key = try createKey("kept")
        let stored = try #require(try store.apiKey(id: key.id))
        #expect(stored.secretHash == Hash256.of(Array(key.text.utf8)).bytes)
        #expect(stored.name == "kept" && !stored.isRevoked)
        #expect(throws: StoreError.self) {
            try store.insertAPIKey(StoredAPIKey(id: key.id, name: "again", secretHash: key.secretHash, ratePerMinute: 1, maxInFlight: 1, createdAt: 3))
        }
        #expect(try !store.revokeAPIKey(id: "0000000000000000", at: 4))
        #expect(try store.apiKeys().map(\.id) == [key.id])
    }
}

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let offset = Mutex<Duration>(.zero)
    private let start = ContinuousClock.now

    var now: ContinuousClock.Instant { start + offset.withLock { $0 } }

    func advance(by duration: Duration) { offset.withLock { $0 += duration } }
}
