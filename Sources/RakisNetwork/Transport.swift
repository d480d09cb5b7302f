import RakisCore

/// One way of moving packets between nodes: the peer mesh, Nostr relays, MQTT brokers.
///
/// Transports move opaque bytes (an envelope's canonical wire encoding); decoding, signature
/// checks and de-duplication across transports are the runtime's job. A node enables any set
/// of transports and sends every packet on all of them. Every transport keeps its network's
/// traffic apart from other networks' (mesh handshake, Nostr tag, MQTT topic) and reconnects by
/// itself until `stop()`.
public protocol Transport: AnyObject, Sendable {
    var name: TransportName { get }

    /// Whether packets reach everyone only if each node passes on what it accepts (gossip, as on
    /// the mesh), rather than through a server that fans out by itself (a relay or broker).
    var relaysGossip: Bool { get }

    /// Starts connecting. Received packets go to `deliver`, on any thread, in arrival order per
    /// source. Returns once the transport is set up (it may still be waiting for its server).
    func start(deliver: @escaping @Sendable (ReceivedPacket) -> Void) async throws

    /// Sends a packet to everyone reachable on this transport, except the source it came from
    /// (gossip does not echo a packet back to the neighbour that sent it). Never blocks: a
    /// transport that cannot keep up drops, and counts what it dropped.
    func send(_ bytes: [UInt8], except source: PacketSource?)

    /// The runtime found what `source` sent invalid; the transport may throttle or drop it.
    func report(_ source: PacketSource, _ misbehaviour: Misbehaviour)

    /// Closes every connection; `deliver` is not called afterwards.
    func stop() async

    var statistics: TransportStatistics { get }
}

/// Where a received packet came from, as far as its transport can tell. The mesh knows the
/// neighbour connection; a relay or broker does not reveal who published.
public struct PacketSource: Hashable, Sendable, CustomStringConvertible {
    public let transport: TransportName
    /// The transport's handle for the peer (a mesh connection), if it has one.
    public let peer: String?

    public init(transport: TransportName, peer: String? = nil) {
        self.transport = transport
        self.peer = peer
    }

    public var description: String { peer.map { "\(transport)/\($0)" } ?? transport.name }
}

public struct ReceivedPacket: Sendable {
    public let bytes: [UInt8]
    public let source: PacketSource

    public init(bytes: [UInt8], source: PacketSource) {
        self.bytes = bytes
        self.source = source
    }
}

/// What the runtime holds against a source.
public enum Misbehaviour: String, Sendable {
    /// Not a decodable envelope.
    case malformed
    /// A forged or wrong signature, or a packet that breaks the protocol's rules.
    case invalid
    /// A packet the node had already seen from this source.
    case replay
}

/// Counters a transport keeps, for metrics and the closing figures.
public struct TransportStatistics: Sendable, Equatable {
    public var connected = false
    /// Live connections (mesh neighbours; 1 for a connected relay or broker).
    public var connections = 0
    public var packetsSent = 0
    public var packetsReceived = 0
    /// Bytes on the wire including framing.
    public var bytesSent = 0
    public var bytesReceived = 0
    /// Packets not sent because a queue was full or the server was unreachable.
    public var packetsDropped = 0
    /// Frames refused before reaching the runtime: oversized, malformed, over a rate limit.
    public var framesRejected = 0
    /// Peers disconnected for misbehaving.
    public var peersBanned = 0
    public var reconnects = 0

    public init() {}
}
