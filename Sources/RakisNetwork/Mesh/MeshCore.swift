import Foundation
import Logging
import NIOCore
import NIOPosix
import RakisCore

/// The mesh's state and decisions: who the neighbours are, whom to dial next, the handshake's
/// checks, bans, and fan-out of outgoing packets.
///
/// Confined to one event loop: every connection of the mesh runs on that loop too, so state is
/// only ever touched from one thread and needs no locks. Entry points from other threads
/// (`MeshTransport`'s methods) hop onto the loop first; that confinement is what makes the
/// `@unchecked Sendable` sound.
final class MeshCore: @unchecked Sendable {
    let configuration: MeshConfiguration
    let loop: EventLoop
    let logger: Logger
    let counters: MeshCounters
    private let nodeId: NodeID

    private var deliver: (@Sendable (ReceivedPacket) -> Void)?
    private var stopped = false
    private var serverChannel: Channel?
    /// The address put in our HELLO; nil when the node cannot be dialed.
    private var advertisedAddress: MeshAddress?

    /// Every open connection, handshaken or not.
    private var connections: [Int: MeshConnection] = [:]
    private var nextConnectionId = 0
    /// The handshaken connection kept for each neighbour: exactly one per node.
    private var neighbours: [NodeID: MeshConnection] = [:]
    /// Nodes that have been neighbours before, so a new handshake counts as a reconnect.
    /// Bounded like the peer book: identities are free to make.
    private var formerNeighbours: Set<NodeID> = []

    private var peerBook: MeshPeerBook
    private var ledger: MisbehaviourLedger
    /// HELLOs accepted within the clock-skew window, by node id and nonce, until they expire.
    private var acceptedHellos: [HelloKey: NIODeadline] = [:]

    /// The next maintenance pass (dialing due targets) and when it runs.
    private var wakeup: (task: Scheduled<Void>, at: NIODeadline)?
    private var peerExchange: RepeatedTask?

    private struct HelloKey: Hashable {
        let nodeId: NodeID
        let nonce: [UInt8]
    }

    init(configuration: MeshConfiguration, loop: EventLoop, logger: Logger, counters: MeshCounters) {
        self.configuration = configuration
        self.loop = loop
        var logger = logger
        logger[metadataKey: "node"] = "\(configuration.identity.nodeId.short)"
        self.logger = logger
        self.counters = counters
        nodeId = configuration.identity.nodeId
        peerBook = MeshPeerBook(capacity: configuration.maxKnownPeers)
        ledger = MisbehaviourLedger(policy: configuration.misbehaviour)
    }

    // MARK: Lifecycle

    /// Runs once the server is bound: starts dialing and the periodic peer exchange.
    func started(server: Channel, advertisedAddress: MeshAddress?, bootstrap: [MeshAddress],
                 deliver: @escaping @Sendable (ReceivedPacket) -> Void) {
        loop.preconditionInEventLoop()
        serverChannel = server
        self.advertisedAddress = advertisedAddress
        self.deliver = deliver
        if let advertisedAddress { peerBook.markOwn(advertisedAddress) }
        let now = NIODeadline.now()
        for address in bootstrap { peerBook.addBootstrap(address, now: now) }
        let interval = TimeAmount(configuration.peerExchangeInterval)
        peerExchange = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in
            for connection in neighbours.values { sendPeers(to: connection) }
            maintain()
        }
        logger.info("mesh listening", metadata: ["advertised": "\(advertisedAddress?.description ?? "none")",
                                                 "bootstrap": "\(bootstrap.map(\.description))"])
        maintain()
    }

    /// Closes the server and every connection and cancels all timers; nothing is delivered after.
    func stop() -> EventLoopFuture<Void> {
        loop.preconditionInEventLoop()
        stopped = true
        deliver = nil
        wakeup?.task.cancel()
        wakeup = nil
        peerExchange?.cancel()
        peerExchange = nil
        var closing = connections.values.map { $0.close(because: "mesh stopping") }
        if let serverChannel { closing.append(serverChannel.close().recover { _ in }) }
        serverChannel = nil
        return EventLoopFuture.andAllComplete(closing, on: loop)
    }

    /// Adds the framing decoder and a `MeshConnection` to a new channel (runs on the loop).
    func installPipeline(on channel: Channel, direction: MeshConnection.Direction) throws {
        loop.preconditionInEventLoop()
        nextConnectionId += 1
        let connection = MeshConnection(id: nextConnectionId, direction: direction, core: self)
        try channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(MeshFrameDecoder(maxFrameBytes: configuration.maxFrameBytes)), connection,
        ])
    }

    // MARK: Connections

    /// A connection is up; false if it must not be used (closed at once).
    func connectionOpened(_ connection: MeshConnection) -> Bool {
        guard !stopped else {
            connection.close(because: "mesh stopped")
            return false
        }
        guard connections.count < configuration.maxConnections else {
            connection.close(because: "connection limit of \(configuration.maxConnections) reached")
            return false
        }
        connections[connection.id] = connection
        return true
    }

    func makeHello() -> MeshHello {
        MeshHello.signed(by: configuration.identity, network: configuration.network, address: advertisedAddress,
                         timestamp: Self.wallClockMillis())
    }

    /// Checks the peer's HELLO; on success the connection becomes the node's neighbour link.
    func handshake(on connection: MeshConnection, hello: MeshHello) {
        let now = NIODeadline.now()
        if let refusal = refusal(of: hello, now: now) {
            counters.update { $0.framesRejected += 1 }
            logger.notice("refused handshake", metadata: connection.description(refusal))
            connection.close(because: refusal)
            return
        }
        if hello.nodeId == nodeId {
            // Dialed our own address (bootstrap list or a relayed peer): never dial it again.
            if case .outbound(let address) = connection.direction { peerBook.markOwn(address) }
            connection.close(because: "connected to itself")
            return
        }
        let skew = TimeAmount(configuration.helloClockSkew)
        acceptedHellos[HelloKey(nodeId: hello.nodeId, nonce: hello.nonce)] = now + skew + skew
        if let existing = neighbours[hello.nodeId] {
            guard prefers(connection, over: existing, peer: hello.nodeId) else {
                connection.close(because: "already connected to \(hello.nodeId.short)")
                return
            }
            existing.close(because: "replaced by a connection dialed by the lower node id")
        }
        connection.completeHandshake(hello)
        neighbours[hello.nodeId] = connection
        if case .outbound(let address) = connection.direction { peerBook.connected(address, nodeId: hello.nodeId) }
        if let address = hello.address {
            peerBook.learn(MeshPeerRecord(nodeId: hello.nodeId, address: address), now: now)
            peerBook.connected(address, nodeId: hello.nodeId)
        }
        if formerNeighbours.contains(hello.nodeId) {
            counters.update { $0.reconnects += 1 }
        } else if formerNeighbours.count < configuration.maxKnownPeers {
            formerNeighbours.insert(hello.nodeId)
        }
        publishNeighbours()
        logger.info("neighbour connected", metadata: [
            "peer": "\(hello.nodeId.short)", "remote": "\(connection.remoteAddress)",
            "direction": "\(connection.isOutbound ? "outbound" : "inbound")",
        ])
        sendPeers(to: connection)
        maintain()
    }

    /// Why a HELLO is refused, or nil if it is acceptable.
    private func refusal(of hello: MeshHello, now: NIODeadline) -> String? {
        guard hello.version == MeshHello.protocolVersion else {
            return "protocol version \(hello.version), this node speaks \(MeshHello.protocolVersion)"
        }
        guard hello.network == configuration.network else {
            return "network \"\(hello.network)\", this node is on \"\(configuration.network)\""
        }
        let skew = Millis(TimeAmount(configuration.helloClockSkew).nanoseconds / 1_000_000)
        let offset = hello.timestamp - Self.wallClockMillis()
        guard abs(offset) <= skew else { return "HELLO timestamp \(offset) ms off this node's clock (limit \(skew) ms)" }
        guard hello.hasValidSignature else { return "HELLO signature does not verify for node \(hello.nodeId.short)" }
        guard !ledger.isBanned(hello.nodeId, now: now) else { return "node \(hello.nodeId.short) is banned" }
        guard acceptedHellos[HelloKey(nodeId: hello.nodeId, nonce: hello.nonce)] == nil else {
            return "replayed HELLO from \(hello.nodeId.short)"
        }
        return nil
    }

    /// Two connections to the same node (both dialed at once, say): both ends keep the one
    /// dialed by the lower node id, so they agree without talking. Between connections dialed
    /// by the same side, the established one stays.
    private func prefers(_ candidate: MeshConnection, over existing: MeshConnection, peer: NodeID) -> Bool {
        let preferredDialer = min(nodeId, peer)
        func dialer(_ connection: MeshConnection) -> NodeID { connection.isOutbound ? nodeId : peer }
        return dialer(candidate) == preferredDialer && dialer(existing) != preferredDialer
    }

    func connectionClosed(_ connection: MeshConnection) {
        connections[connection.id] = nil
        guard !stopped else { return }
        let now = NIODeadline.now()
        var redial: Set<MeshAddress> = []
        if case .outbound(let address) = connection.direction { redial.insert(address) }
        if let peer = connection.peer, neighbours[peer.nodeId] === connection {
            neighbours[peer.nodeId] = nil
            publishNeighbours()
            logger.info("neighbour disconnected", metadata: ["peer": "\(peer.nodeId.short)"])
            if let address = peer.address { redial.insert(address) }
        }
        for address in redial { peerBook.failed(address, now: now, backoff: configuration.reconnect) }
        maintain()
    }

    private func publishNeighbours() {
        counters.setNeighbours(neighbours.values.compactMap { connection in
            connection.peer.map {
                MeshNeighbour(nodeId: $0.nodeId, address: $0.address, remoteAddress: connection.remoteAddress,
                              isOutbound: connection.isOutbound)
            }
        }.sorted { $0.nodeId < $1.nodeId })
    }

    // MARK: Frames

    func received(packet: [UInt8], on connection: MeshConnection) {
        guard !stopped, let deliver, let handle = connection.peerHandle else { return }
        counters.update { $0.packetsReceived += 1 }
        deliver(ReceivedPacket(bytes: packet, source: PacketSource(transport: MeshTransport.transportName, peer: handle)))
    }

    /// Peer exchange: remember the peers, and dial some if the node wants more neighbours.
    func received(_ peers: [MeshPeerRecord], on connection: MeshConnection) {
        let now = NIODeadline.now()
        for peer in peers where peer.nodeId != nodeId && !ledger.isBanned(peer.nodeId, now: now)
            && !ledger.isBanned(peer.address, now: now) {
            peerBook.learn(peer, now: now)
        }
        maintain()
    }

    private func sendPeers(to connection: MeshConnection) {
        let peers = neighbours.values.compactMap { neighbour -> MeshPeerRecord? in
            guard neighbour !== connection, let peer = neighbour.peer, let address = peer.address else { return nil }
            return MeshPeerRecord(nodeId: peer.nodeId, address: address)
        }
        _ = connection.write(MeshFrame.encode(.peers, payload: MeshPeerList.encode(Array(peers.prefix(Limits.maxPeersPerExchange))),
                                              allocator: ByteBufferAllocator()))
    }

    /// Garbage, an unknown frame type, a bad HELLO or PEERS frame: count it, close the
    /// connection, and hold it against the node if it has identified itself.
    func protocolViolation(on connection: MeshConnection, _ reason: String) {
        counters.update { $0.framesRejected += 1 }
        logger.notice("protocol violation", metadata: connection.description(reason))
        connection.close(because: reason)
        if let peer = connection.peer {
            penalize(peer.nodeId, configuration.misbehaviour.malformedPenalty, reason: reason)
        }
    }

    /// A frame over the neighbour's rate limit was dropped; flooding on adds up to a ban.
    func frameOverRate(on connection: MeshConnection) {
        counters.update { $0.framesRejected += 1 }
        guard let peer = connection.peer else { return }
        penalize(peer.nodeId, configuration.misbehaviour.overRatePenalty, reason: "sending over the rate limit")
    }

    // MARK: Sending

    /// Sends a packet to every neighbour but the one named by `exceptHandle`.
    func broadcast(_ bytes: [UInt8], exceptHandle: String?) {
        guard !stopped else { return }
        guard 1 + bytes.count <= configuration.maxFrameBytes else {
            logger.warning("packet not sent: larger than a frame", metadata: ["bytes": "\(bytes.count)"])
            counters.update { $0.packetsDropped += 1 }
            return
        }
        guard !neighbours.isEmpty else {
            counters.update { $0.packetsDropped += 1 }
            return
        }
        let frame = MeshFrame.encode(.packet, payload: bytes, allocator: ByteBufferAllocator())
        var sent = 0
        var dropped = 0
        for connection in neighbours.values where connection.peerHandle != exceptHandle {
            if connection.write(frame) { sent += 1 } else { dropped += 1 }
        }
        counters.update {
            $0.packetsSent += sent
            $0.packetsDropped += dropped
        }
    }

    // MARK: Misbehaviour

    func report(handle: String, _ misbehaviour: Misbehaviour) {
        guard let peer = NodeID(hex: handle) else { return }
        penalize(peer, configuration.misbehaviour.penalty(for: misbehaviour), reason: "runtime reported \(misbehaviour) packet")
    }

    private func penalize(_ peer: NodeID, _ points: Double, reason: String) {
        let now = NIODeadline.now()
        guard !stopped, !ledger.isBanned(peer, now: now), ledger.add(points, to: peer, now: now) else { return }
        let connection = neighbours[peer]
        ledger.ban(peer, address: connection?.peer?.address, now: now)
        counters.update { $0.peersBanned += 1 }
        logger.warning("peer banned", metadata: [
            "peer": "\(peer.short)", "reason": "\(reason)", "for": "\(configuration.misbehaviour.banDuration)",
        ])
        connection?.close(because: "banned: \(reason)")
    }

    // MARK: Dialing

    /// Dials known peers that are due while the node has fewer neighbours than it wants, and
    /// schedules the next pass for the earliest backoff that has not yet run out.
    private func maintain() {
        guard !stopped else { return }
        let now = NIODeadline.now()
        ledger.prune(now: now)
        acceptedHellos = acceptedHellos.filter { $0.value > now }
        var wanted = configuration.maxNeighbours - neighbours.count - peerBook.dialingCount
        var earliest: NIODeadline?
        for target in peerBook.targets.values.sorted(by: { $0.nextAttempt < $1.nextAttempt }) {
            if target.dialing || ledger.isBanned(target.address, now: now) { continue }
            if let peer = target.nodeId, neighbours[peer] != nil || ledger.isBanned(peer, now: now) { continue }
            if target.nextAttempt > now {
                earliest = min(earliest ?? target.nextAttempt, target.nextAttempt)
                continue
            }
            guard wanted > 0, connections.count < configuration.maxConnections else { break }
            dial(target.address)
            wanted -= 1
        }
        if let earliest { scheduleWakeup(at: earliest) }
    }

    private func scheduleWakeup(at deadline: NIODeadline) {
        if let wakeup, wakeup.at <= deadline { return }
        wakeup?.task.cancel()
        let task = loop.scheduleTask(deadline: deadline) { [self] in
            wakeup = nil
            maintain()
        }
        wakeup = (task, deadline)
    }

    private func dial(_ address: MeshAddress) {
        peerBook.dialStarted(address)
        logger.debug("dialing", metadata: ["address": "\(address)"])
        ClientBootstrap(group: loop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture { try installPipeline(on: channel, direction: .outbound(address)) }
            }
            .connect(host: address.host, port: address.port)
            .whenFailure { [self] error in
                guard !stopped else { return }
                logger.debug("dial failed", metadata: ["address": "\(address)", "error": "\(error)"])
                peerBook.failed(address, now: .now(), backoff: configuration.reconnect)
                maintain()
            }
    }

    private static func wallClockMillis() -> Millis { Millis(Date().timeIntervalSince1970 * 1000) }
}
