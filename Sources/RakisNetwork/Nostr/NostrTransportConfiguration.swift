import RakisCore

/// Settings of a `NostrTransport`.
public struct NostrTransportConfiguration: Sendable {
    /// Relay WebSocket URLs, ws:// or wss://. The transport keeps one connection to each.
    public var relays: [String]
    /// The Rakis network: events carry the tag ["t", "rakis/<network>"].
    public var network: String
    /// The event kind. A regular kind (1000...9999) is stored by relays, so a node that was
    /// away catches up with `since`; ephemeral kinds (20000...29999) would be lost.
    public var kind: Int
    /// Reconnect delays: the first, doubling up to `maxBackoff`, each drawn between half and
    /// all of the current value so that nodes do not reconnect in lockstep after an outage.
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    /// Largest relay message accepted or sent, in bytes of WebSocket text. An envelope of
    /// `Limits.maxEnvelopeBytes` may double when its quotes and backslashes are escaped.
    public var maxEventBytes: Int
    /// Events kept per relay while it is unreachable; beyond it the oldest are dropped.
    public var outboxCapacity: Int
    /// Seconds subtracted from the last seen `created_at` when re-subscribing: clocks differ
    /// and `created_at` has one-second resolution, so events stored just before the
    /// disconnection must not be missed. Events seen twice are de-duplicated by the runtime.
    public var catchUpMargin: Int64

    public init(
        relays: [String],
        network: String,
        kind: Int = 7400,
        initialBackoff: Duration = .milliseconds(250),
        maxBackoff: Duration = .seconds(30),
        maxEventBytes: Int = 2 * Limits.maxEnvelopeBytes + 16 * 1024,
        outboxCapacity: Int = 256,
        catchUpMargin: Int64 = 60
    ) {
        self.relays = relays
        self.network = network
        self.kind = kind
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxEventBytes = maxEventBytes
        self.outboxCapacity = outboxCapacity
        self.catchUpMargin = catchUpMargin
    }

    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        case noRelays
        case invalidRelayURL(String)
        case invalidKind(Int)
        case emptyNetwork

        public var description: String {
            switch self {
            case .noRelays: "the Nostr transport needs at least one relay URL"
            case .invalidRelayURL(let url): "relay URL \(url) must start with ws:// or wss:// and name a host"
            case .invalidKind(let kind): "Nostr event kind \(kind) is not a regular (stored) kind 1000...9999"
            case .emptyNetwork: "the Nostr transport needs a network name"
            }
        }
    }

    func validate() throws(Error) {
        guard !relays.isEmpty else { throw .noRelays }
        for url in relays {
            let rest: Substring
            if url.hasPrefix("ws://") { rest = url.dropFirst(5) } else if url.hasPrefix("wss://") { rest = url.dropFirst(6) } else {
                throw .invalidRelayURL(url)
            }
            guard let first = rest.first, first != "/", first != ":" else { throw .invalidRelayURL(url) }
        }
        guard (1000...9999).contains(kind) else { throw .invalidKind(kind) }
        guard !network.isEmpty else { throw .emptyNetwork }
    }
}
