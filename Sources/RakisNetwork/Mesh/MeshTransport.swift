import Logging
import NIOCore
import NIOPosix
import RakisCore
import Synchronization

/// The direct peer mesh: TCP connections between nodes, each opened with a signed HELLO from
/// both sides, carrying length-prefixed frames (see `MeshFrame`).
///
/// A node dials its bootstrap peers, then the peers its neighbours tell it about (peer exchange)
/// while it has fewer than `maxNeighbours`, and redials lost peers with backoff. Every
/// neighbour is rate limited and has a bounded outbound queue; misbehaving ones are banned.
///
/// The mesh does not forward packets by itself: gossip relaying is the runtime's decision.
/// Once the runtime has accepted a packet it calls `send(bytes, except: source)`, which passes
/// it on to every other neighbour; packets it rejects or has already seen go no further.
public final class MeshTransport: Transport {
    public static let transportName: TransportName = "mesh"
    public var name: TransportName { Self.transportName }
    /// Each node passes accepted packets on to its other neighbours.
    public let relaysGossip = true
    public let configuration: MeshConfiguration

    private let core: MeshCore
    private let counters = MeshCounters()
    private let phase = Mutex(Phase.idle)

    private enum Phase { case idle, starting, running, stopped }

    /// - Parameters:
    ///   - eventLoop: the loop all of the mesh's connections and state live on.
    public init(configuration: MeshConfiguration, logger: Logger = Logger(label: "rakis.mesh"),
                eventLoop: EventLoop = MultiThreadedEventLoopGroup.singleton.next()) {
        self.configuration = configuration
        core = MeshCore(configuration: configuration, loop: eventLoop, logger: logger, counters: counters)
    }

    public var statistics: TransportStatistics { counters.statistics }
    /// Handshaken neighbours, ordered by node id.
    public var neighbours: [MeshNeighbour] { counters.neighbours }
    /// The address the server is bound to (the actual port when configured with port 0);
    /// nil before `start`.
    public var listenAddress: MeshAddress? { counters.listenAddress }

    /// Binds the server and starts dialing the bootstrap peers. A transport starts once: to
    /// run again after `stop`, make a new one.
    public func start(deliver: @escaping @Sendable (ReceivedPacket) -> Void) async throws {
        let previous = phase.withLock { phase in
            defer { if phase == .idle { phase = .starting } }
            return phase
        }
        guard previous == .idle else { throw MeshError.alreadyStarted }
        do {
            let (bootstrap, advertised) = try checkedAddresses()
            let loop = core.loop
            let server = try await ServerBootstrap(group: loop)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { [core] channel in
                    channel.eventLoop.makeCompletedFuture { try core.installPipeline(on: channel, direction: .inbound) }
                }
                .bind(host: configuration.listenHost, port: configuration.listenPort)
                .get()
            guard let port = server.localAddress?.port,
                  let bound = MeshAddress(host: configuration.listenHost, port: port)
            else { throw MeshError.invalidConfiguration("cannot tell the port the server is bound to") }
            counters.setListenAddress(bound)
            let advertise = advertised ?? (bound.isUnspecified ? nil : bound)
            try await loop.submit { [core] in
                core.started(server: server, advertisedAddress: advertise, bootstrap: bootstrap, deliver: deliver)
            }.get()
            phase.withLock { $0 = .running }
        } catch {
            phase.withLock { $0 = .idle }
            throw error
        }
    }

    public func send(_ bytes: [UInt8], except source: PacketSource?) {
        let exceptHandle = source?.transport == name ? source?.peer : nil
        core.loop.execute { [core] in core.broadcast(bytes, exceptHandle: exceptHandle) }
    }

    public func report(_ source: PacketSource, _ misbehaviour: Misbehaviour) {
        guard source.transport == name, let handle = source.peer else { return }
        core.loop.execute { [core] in core.report(handle: handle, misbehaviour) }
    }

    public func stop() async {
        let wasRunning = phase.withLock { phase in
            defer { phase = .stopped }
            return phase != .stopped
        }
        guard wasRunning else { return }
        try? await core.loop.flatSubmit { [core] in core.stop() }.get()
    }

    /// The bootstrap and advertised addresses parsed, or a clear error naming the bad one.
    private func checkedAddresses() throws -> ([MeshAddress], MeshAddress?) {
        let bootstrap = try configuration.bootstrapPeers.map { text in
            guard let address = MeshAddress(text) else { throw MeshError.invalidConfiguration("bootstrap peer \"\(text)\" is not host:port") }
            return address
        }
        var advertised: MeshAddress?
        if let text = configuration.advertisedAddress {
            guard let address = MeshAddress(text), !address.isUnspecified else {
                throw MeshError.invalidConfiguration("advertised address \"\(text)\" is not a dialable host:port")
            }
            advertised = address
        }
        let largestFrame = Double(MeshFrame.lengthBytes + configuration.maxFrameBytes)
        guard configuration.rateLimit.byteBurst >= largestFrame else {
            throw MeshError.invalidConfiguration("rate limit byte burst \(configuration.rateLimit.byteBurst) is below one full frame (\(Int(largestFrame)) bytes)")
        }
        guard configuration.network.utf8.count <= MeshHello.maxNetworkBytes else {
            throw MeshError.invalidConfiguration("network name longer than \(MeshHello.maxNetworkBytes) bytes")
        }
        return (bootstrap, advertised)
    }
}

/// A handshaken neighbour, for logs, status pages and tests.
public struct MeshNeighbour: Hashable, Sendable {
    public let nodeId: NodeID
    /// Where it can be dialed, as its HELLO advertised; nil if it cannot be.
    public let address: MeshAddress?
    /// The other end of the TCP connection.
    public let remoteAddress: String
    /// Whether this node dialed it.
    public let isOutbound: Bool
}

public enum MeshError: Error, Equatable, CustomStringConvertible {
    case invalidConfiguration(String)
    case alreadyStarted

    public var description: String {
        switch self {
        case .invalidConfiguration(let why): "invalid mesh configuration: \(why)"
        case .alreadyStarted: "the mesh transport was already started (make a new one to start again)"
        }
    }
}
