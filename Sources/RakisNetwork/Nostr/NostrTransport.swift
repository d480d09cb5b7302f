import Foundation
import Logging
import RakisCore
import Synchronization

/// Packets over Nostr relays (NIP-01).
///
/// Every packet becomes one signed event of `configuration.kind`, published to every relay;
/// every node subscribes to the network's events on every relay. Relays store regular kinds,
/// so after a disconnection the subscription asks for everything since the last event seen
/// and the node catches up with what it missed.
///
/// Received packets come from `PacketSource(transport: "nostr", peer: <publisher node id hex>)`:
/// relays only forward, so the publisher (proved by its binding signature) is the useful peer,
/// and `report` can ban it.
public final class NostrTransport: Transport {
    public let name: TransportName = "nostr"
    /// The relay sends every event to every subscriber.
    public let relaysGossip = false
    public let codec: NostrPacketCodec
    private let configuration: NostrTransportConfiguration
    private let logger: Logger
    private let relays: Mutex<[NostrRelayConnection]> = Mutex([])

    private struct State {
        var statistics = TransportStatistics()
        var deliver: (@Sendable (ReceivedPacket) -> Void)?
        var tasks: [Task<Void, Never>] = []
        /// Strikes per node from `report`; a node is banned at `maxStrikes`.
        var strikes: [NodeID: Int] = [:]
    }

    private let state = Mutex(State())
    /// Invalid packets tolerated from one node before its events are dropped for good.
    private static let maxStrikes = 3

    public init(identity: NodeIdentity, configuration: NostrTransportConfiguration, logger: Logger = Logger(label: "rakis.nostr")) throws {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        codec = NostrPacketCodec(binding: NostrBinding(identity: identity), network: configuration.network, kind: configuration.kind)
    }

    /// Wall-clock Unix seconds, the unit of `created_at`.
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    public func start(deliver: @escaping @Sendable (ReceivedPacket) -> Void) async throws {
        let connections = configuration.relays.map {
            NostrRelayConnection(url: $0, configuration: configuration, transport: self, logger: logger)
        }
        relays.withLock { $0 = connections }
        let startTime = Self.now()
        state.withLock { state in
            state.deliver = deliver
            state.tasks = connections.map { relay in Task { await relay.run(since: startTime) } }
        }
        logger.info("Nostr transport started", metadata: [
            "relays": "\(configuration.relays)", "topic": "\(codec.topic)", "pubkey": "\(codec.binding.key.publicKeyHex)",
        ])
    }

    public func send(_ bytes: [UInt8], except source: PacketSource?) {
        // Everyone subscribed to the relays already has what came from them; publishing it
        // again would multiply relay traffic by the number of nodes.
        if source?.transport == name { return }
        guard let event = codec.event(for: bytes, createdAt: Self.now()) else {
            logger.error("packet of \(bytes.count) bytes is not UTF-8 text and cannot be event content")
            record { $0.packetsDropped += 1 }
            return
        }
        let message = NostrClientMessage.event(event).text
        guard message.utf8.count <= configuration.maxEventBytes else {
            logger.warning("event of \(message.utf8.count) bytes exceeds \(configuration.maxEventBytes); packet dropped")
            record { $0.packetsDropped += 1 }
            return
        }
        let dropped = relays.withLock { $0 }.reduce(0) { $0 + $1.enqueue(message) }
        if dropped > 0 {
            logger.warning("outbox full: dropped \(dropped) queued events")
            record { $0.packetsDropped += dropped }
        }
    }

    public func report(_ source: PacketSource, _ misbehaviour: Misbehaviour) {
        // Replays are normal here: every relay delivers every event, and catch-up after a
        // reconnection delivers recent events again.
        guard source.transport == name, misbehaviour != .replay, let peer = source.peer, let node = NodeID(hex: peer) else { return }
        let strikes = state.withLock { state in
            state.strikes[node, default: 0] += 1
            return state.strikes[node, default: 0]
        }
        if strikes >= Self.maxStrikes, codec.ban(node) {
            logger.warning("banned node \(node.short) after \(strikes) \(misbehaviour) packets")
            record { $0.peersBanned += 1 }
        }
    }

    public func stop() async {
        let tasks = state.withLock { state in
            state.deliver = nil
            return state.tasks
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        logger.info("Nostr transport stopped")
    }

    public var statistics: TransportStatistics {
        state.withLock { $0.statistics }
    }

    // MARK: Called by the relay connections

    func connectionOpened(isReconnect: Bool) {
        record { statistics in
            statistics.connections += 1
            statistics.connected = true
            if isReconnect { statistics.reconnects += 1 }
        }
    }

    func connectionClosed() {
        record { statistics in
            statistics.connections -= 1
            statistics.connected = statistics.connections > 0
        }
    }

    func wrote(bytes: Int, isEvent: Bool) {
        record { statistics in
            statistics.bytesSent += bytes
            if isEvent { statistics.packetsSent += 1 }
        }
    }

    func read(bytes: Int) {
        record { $0.bytesReceived += bytes }
    }

    func rejected(_ reason: String) {
        logger.warning("rejected relay message: \(reason)")
        record { $0.framesRejected += 1 }
    }

    /// Checks and delivers one event; true if it was a valid packet from another node.
    func received(_ event: NostrEvent) -> Bool {
        switch codec.check(event) {
        case .own:
            return false
        case .rejected(let reason):
            rejected(reason)
            return false
        case .packet(let bytes, let publisher):
            let deliver = state.withLock { state in
                if state.deliver != nil { state.statistics.packetsReceived += 1 }
                return state.deliver
            }
            deliver?(ReceivedPacket(bytes: bytes, source: PacketSource(transport: name, peer: publisher.hex)))
            return true
        }
    }

    private func record(_ update: (inout TransportStatistics) -> Void) {
        state.withLock { update(&$0.statistics) }
    }
}
