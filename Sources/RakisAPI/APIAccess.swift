import RakisStore

/// Who may call the node's API and how much: the keys in the node's store, whether a request
/// without a key is served (as one shared anonymous client), and which browser origins may call
/// it (CORS). Every route needs a key unless `allowsAnonymous`, except the dashboard's static
/// files, whose page logs in with a key.
public struct APIAccess: Sendable {
    /// Where the keys are (`rakis keys api create` writes them there); nil: no key is valid.
    public var keys: NodeStore?
    /// Serve requests that carry no key. A request with a key is checked all the same: a wrong
    /// or revoked key is refused even here.
    public var allowsAnonymous: Bool
    /// What all anonymous requests together may take.
    public var anonymousLimits: ClientLimits
    /// Browser origins allowed to call the API (`https://app.example`), or `*` for any; empty:
    /// no cross-origin calls.
    public var corsOrigins: [String]
    /// Told each call's decision (`APICallOutcome`), for the metrics.
    public var record: @Sendable (APICallOutcome) -> Void = { _ in }

    public init(keys: NodeStore?, allowsAnonymous: Bool, anonymousLimits: ClientLimits = .anonymousDefault, corsOrigins: [String] = []) {
        self.keys = keys
        self.allowsAnonymous = allowsAnonymous
        self.anonymousLimits = anonymousLimits
        self.corsOrigins = corsOrigins
    }

    /// Anyone may call, within the anonymous limits; no key is valid. For tests of the routes
    /// and for a demo on the loopback interface.
    public static let anonymous = APIAccess(keys: nil, allowsAnonymous: true)
}

/// What the access check decided about one call.
public enum APICallOutcome: String, Sendable {
    case admitted, unauthorized
    case overRate = "over_rate"
    case inFlight = "in_flight"
}

/// A client's allowance: requests a minute (a token bucket holding a minute's worth, refilled
/// continuously) and requests in flight at once (a stream counts until it ends).
public struct ClientLimits: Sendable, Equatable {
    public var ratePerMinute: Int
    public var maxInFlight: Int

    public init(ratePerMinute: Int, maxInFlight: Int) {
        precondition(ratePerMinute > 0 && maxInFlight > 0, "a client's limits are positive")
        self.ratePerMinute = ratePerMinute
        self.maxInFlight = maxInFlight
    }

    /// A new key's limits unless its creator says otherwise.
    public static let keyDefault = ClientLimits(ratePerMinute: 600, maxInFlight: 16)
    /// All anonymous callers together, when anonymous access is on: a dashboard and a few
    /// scripts on a demo network do not reach it.
    public static let anonymousDefault = ClientLimits(ratePerMinute: 6_000, maxInFlight: 64)
}
