import RakisCore

/// Everything a `MeshTransport` needs to know, with defaults meant for a public network.
public struct MeshConfiguration: Sendable {
    /// The node's key: it signs the HELLO, and its node id is who the node is to its peers.
    public var identity: NodeIdentity
    /// Nodes of different networks refuse each other in the handshake.
    public var network: String
    /// Where to accept connections. Port 0 picks a free port (see `MeshTransport.listenAddress`).
    public var listenHost: String
    public var listenPort: Int
    /// The "host:port" peers should dial. Nil: the listen address, unless that is a wildcard
    /// (0.0.0.0, ::), in which case the node advertises nothing and is only reached by peers
    /// that have it as a bootstrap address.
    public var advertisedAddress: String?
    /// "host:port" addresses dialed at start and redialed with backoff while not connected.
    public var bootstrapPeers: [String]

    /// The node dials known peers while it has fewer neighbours than this.
    public var maxNeighbours = 8
    /// Hard cap on open connections (inbound and outbound, handshaken or not); connections
    /// beyond it are closed at once.
    public var maxConnections = 32
    /// Largest frame length accepted (type byte plus payload): an envelope plus room to spare.
    public var maxFrameBytes = Limits.maxEnvelopeBytes + 16
    /// Learned (node id, address) pairs kept for dialing; later ones are ignored.
    public var maxKnownPeers = 1024

    public var rateLimit = RateLimit()
    public var outboundQueue = OutboundQueue()
    public var reconnect = Backoff()
    public var misbehaviour = MisbehaviourPolicy()

    /// A connection that has not completed the handshake by then is closed.
    public var handshakeTimeout: Duration = .seconds(5)
    /// A HELLO whose timestamp is further than this from the local clock is refused.
    public var helloClockSkew: Duration = .seconds(60)
    /// How often each neighbour is sent the known peers (also sent right after the handshake).
    public var peerExchangeInterval: Duration = .seconds(30)
    /// Gives up on a dial that has not connected by then.
    public var connectTimeout: Duration = .seconds(5)

    public init(identity: NodeIdentity, network: String, listenHost: String = "0.0.0.0", listenPort: Int = 0,
                advertisedAddress: String? = nil, bootstrapPeers: [String] = []) {
        self.identity = identity
        self.network = network
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.advertisedAddress = advertisedAddress
        self.bootstrapPeers = bootstrapPeers
    }

    /// What each neighbour may send, as two token buckets (frames and bytes). Frames over the
    /// limit are dropped and count towards the misbehaviour score.
    public struct RateLimit: Sendable {
        public var framesPerSecond: Double = 200
        public var frameBurst: Double = 400
        public var bytesPerSecond: Double = 4 * 1024 * 1024
        /// Must hold at least one frame of `maxFrameBytes` (checked at start).
        public var byteBurst: Double = 8 * 1024 * 1024

        public init() {}
    }

    /// What may wait to be written to one neighbour. A packet that would overflow it is dropped
    /// for that neighbour (counted in `packetsDropped`), so a slow peer never holds up the node.
    public struct OutboundQueue: Sendable {
        public var maxFrames = 1024
        public var maxBytes = 16 * 1024 * 1024

        public init() {}
    }

    /// Delay before redialing a peer after the n-th failure in a row: `initial` doubling up to
    /// `maximum`, each delay spread by ±`jitter` (a fraction) so peers do not redial in step.
    public struct Backoff: Sendable {
        public var initial: Duration = .milliseconds(250)
        public var maximum: Duration = .seconds(30)
        public var jitter = 0.2

        public init() {}

        func delay(afterFailures failures: Int) -> Duration {
            let doublings = min(max(failures - 1, 0), 30)
            let base = min(initial * (1 << doublings), maximum)
            return base * Double.random(in: (1 - jitter)...(1 + jitter))
        }
    }

    /// Points a neighbour earns for misbehaving; at `banThreshold` it is disconnected and banned
    /// (node id and advertised address) for `banDuration`. Points decay, so an honest node's
    /// occasional bad packet is forgotten.
    public struct MisbehaviourPolicy: Sendable {
        public var banThreshold: Double = 100
        public var banDuration: Duration = .seconds(600)
        public var decayPerSecond: Double = 1
        /// The runtime's reports (see `Misbehaviour`).
        public var malformedPenalty: Double = 25
        public var invalidPenalty: Double = 25
        /// Low: the same packet can legitimately reach a node twice through one neighbour.
        public var replayPenalty: Double = 2
        /// Per frame dropped for exceeding the rate limit: sustained flooding ends in a ban.
        public var overRatePenalty: Double = 1

        public init() {}

        func penalty(for misbehaviour: Misbehaviour) -> Double {
            switch misbehaviour {
            case .malformed: malformedPenalty
            case .invalid: invalidPenalty
            case .replay: replayPenalty
            }
        }
    }
}
