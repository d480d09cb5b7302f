import Logging
import NIOCore
import NIOPosix
import RakisCore
import Synchronization

/// Rakis packets over an MQTT 3.1.1 broker: every node of a network publishes to and subscribes
/// to one topic, `rakis/<network>/packets`.
///
/// Delivery: publishes go out with QoS 1 and stay in a bounded outbox until the broker's PUBACK;
/// after a reconnect the unacknowledged ones are resent with DUP set, and packets sent while
/// disconnected wait in the outbox (once it is full, new packets are dropped and counted).
///
/// Sessions: the client connects with clean session = false under a stable client id, so the
/// broker keeps the subscription and queues QoS 1 messages for us while we are briefly away.
/// If the broker itself restarts without persistence, that session is gone: the subscription
/// is renewed after every CONNACK anyway, but messages other nodes published while we were cut
/// off are lost, and our own resent messages reach only the nodes subscribed again by then.
/// The runtime's de-duplication absorbs the duplicates that at-least-once delivery produces.
///
/// Threading: all state sits behind one lock; network events run on one event loop, `send`
/// may be called from any thread and never blocks.
public final class MQTTTransport: Transport {
    public let name: TransportName = "mqtt"
    /// The broker sends every publish to every subscriber.
    public let relaysGossip = false
    public let configuration: MQTTConfiguration

    private let logger: Logger
    private let eventLoop: any EventLoop
    private let state: Mutex<State>

    private struct State {
        var started = false
        var stopped = false
        var deliver: (@Sendable (ReceivedPacket) -> Void)?
        /// The current connection, from TCP connect until it closes.
        var channel: (any Channel)?
        /// CONNACK accepted on `channel`: publishes may flow.
        var sessionReady = false
        var everConnected = false
        var awaitingPingResponse = false
        var outbox: MQTTOutbox
        var backoff: MQTTBackoff
        var reconnectTask: Scheduled<Void>?
        var connackTimeout: Scheduled<Void>?
        var keepAliveTask: RepeatedTask?
        var statistics = TransportStatistics()

        mutating func cancelTimers() {
            reconnectTask?.cancel()
            reconnectTask = nil
            connackTimeout?.cancel()
            connackTimeout = nil
            keepAliveTask?.cancel()
            keepAliveTask = nil
        }
    }

    /// - Parameter eventLoopGroup: supplies the one event loop every connection of this
    ///   transport runs on.
    public init(
        configuration: MQTTConfiguration,
        logger: Logger = Logger(label: "rakis.mqtt"),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "broker"] = "\(configuration.host):\(configuration.port)"
        self.logger = logger
        self.eventLoop = eventLoopGroup.next()
        self.state = Mutex(
            State(
                outbox: MQTTOutbox(
                    capacity: max(1, configuration.maxQueuedPackets),
                    capacityBytes: max(0, configuration.maxQueuedBytes),
                    maxInFlight: max(1, min(configuration.maxInFlight, configuration.maxQueuedPackets))),
                backoff: MQTTBackoff(
                    initialMilliseconds: max(1, Self.milliseconds(configuration.reconnectInitialDelay)),
                    maximumMilliseconds: max(
                        1, Self.milliseconds(configuration.reconnectInitialDelay),
                        Self.milliseconds(configuration.reconnectMaximumDelay)))))
    }

    public var statistics: TransportStatistics { state.withLock { $0.statistics } }

    public func start(deliver: @escaping @Sendable (ReceivedPacket) -> Void) async throws {
        try configuration.validate()
        try state.withLock { state throws(MQTTTransportError) in
            guard !state.stopped else { throw .stopped }
            guard !state.started else { throw .alreadyStarted }
            state.started = true
            state.deliver = deliver
        }
        logger.info("MQTT transport starting", metadata: ["topic": "\(configuration.topic)"])
        connect()
    }

    public func send(_ bytes: [UInt8], except source: PacketSource?) {
        // A packet that arrived through the broker has already reached every subscriber.
        if source?.transport == name { return }
        let size = Self.publishSize(topic: configuration.topic, payloadBytes: bytes.count)
        guard size <= configuration.maxPacketBytes else {
            state.withLock { $0.statistics.packetsDropped += 1 }
            logger.warning("MQTT packet of \(size) bytes exceeds the limit of \(configuration.maxPacketBytes); dropped")
            return
        }
        let ready: (channel: any Channel, messages: [MQTTOutbox.Message])? = state.withLock { state in
            guard !state.stopped, state.outbox.enqueue(bytes) else {
                state.statistics.packetsDropped += 1
                return nil
            }
            guard state.sessionReady, let channel = state.channel else { return nil }
            return (channel, state.outbox.takeSendable())
        }
        if let ready { write(ready.messages.map { publish($0, duplicate: false) }, to: ready.channel) }
    }

    /// A broker does not say who published, so there is no one to throttle.
    public func report(_ source: PacketSource, _ misbehaviour: Misbehaviour) {}

    public func stop() async {
        let connection: (channel: any Channel, ready: Bool)? = state.withLock { state in
            state.stopped = true
            state.deliver = nil
            state.cancelTimers()
            state.statistics.connected = false
            state.statistics.connections = 0
            return state.channel.map { ($0, state.sessionReady) }
        }
        if let connection {
            if connection.ready { try? await write([.disconnect], to: connection.channel).get() }
            try? await connection.channel.close().get()
        }
        // A packet being handled on the event loop right now may have fetched `deliver` before
        // it was cleared; once the loop has run this empty task, that call has returned.
        try? await eventLoop.submit {}.get()
        logger.info("MQTT transport stopped")
    }

    // MARK: - Connecting

    private func connect() {
        let maxPacketBytes = configuration.maxPacketBytes
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        MQTTByteCounter(transport: self),
                        ByteToMessageHandler(MQTTFrameDecoder(maxPacketBytes: maxPacketBytes)),
                        MQTTConnectionHandler(transport: self),
                    ])
                }
            }
        bootstrap.connect(host: configuration.host, port: configuration.port).whenFailure { [self] error in
            logger.warning("MQTT connect failed: \(error)")
            scheduleReconnect()
        }
    }

    private func scheduleReconnect() {
        let delay: Int64? = state.withLock { state in
            guard !state.stopped, state.channel == nil, state.reconnectTask == nil else { return nil }
            let delay = state.backoff.nextDelay()
            state.reconnectTask = eventLoop.scheduleTask(in: .milliseconds(delay)) { [self] in
                let proceed = self.state.withLock { state in
                    state.reconnectTask = nil
                    return !state.stopped
                }
                if proceed { connect() }
            }
            return delay
        }
        if let delay { logger.debug("MQTT reconnecting in \(delay) ms") }
    }

    /// TCP is up: introduce ourselves and give the broker `connectTimeout` to accept.
    func connectionActive(_ channel: any Channel) {
        let proceed = state.withLock { state in
            guard !state.stopped else { return false }
            state.channel = channel
            state.sessionReady = false
            state.awaitingPingResponse = false
            state.connackTimeout = eventLoop.scheduleTask(in: TimeAmount(configuration.connectTimeout)) { [self] in
                let stillWaiting = self.state.withLock { $0.channel === channel && !$0.sessionReady }
                if stillWaiting {
                    logger.warning("MQTT broker sent no CONNACK in time; closing the connection")
                    channel.close(promise: nil)
                }
            }
            return true
        }
        guard proceed else {
            channel.close(promise: nil)
            return
        }
        let connect = MQTTConnect(
            clientID: configuration.clientID, cleanSession: false,
            keepAliveSeconds: UInt16(configuration.keepAlive.components.seconds),
            username: configuration.username, password: configuration.password.map { Array($0.utf8) })
        write([.connect(connect)], to: channel)
    }

    func connectionInactive(_ channel: any Channel) {
        let outcome: (wasReady: Bool, stopped: Bool)? = state.withLock { state in
            guard state.channel === channel else { return nil }
            let wasReady = state.sessionReady
            state.channel = nil
            state.sessionReady = false
            state.connackTimeout?.cancel()
            state.connackTimeout = nil
            state.keepAliveTask?.cancel()
            state.keepAliveTask = nil
            state.statistics.connected = false
            state.statistics.connections = 0
            return (wasReady, state.stopped)
        }
        guard let outcome, !outcome.stopped else { return }
        if outcome.wasReady {
            logger.warning("MQTT connection lost; reconnecting")
        } else {
            logger.warning("MQTT connection closed before the broker accepted it")
        }
        scheduleReconnect()
    }

    func connectionFailed(_ channel: any Channel, error: any Error) {
        if let error = error as? MQTTDecodingError {
            state.withLock { $0.statistics.framesRejected += 1 }
            logger.error("MQTT protocol error, closing the connection: \(error)")
        } else {
            logger.warning("MQTT connection error: \(error)")
        }
    }

    // MARK: - Incoming packets

    func countReceived(bytes: Int) {
        state.withLock { $0.statistics.bytesReceived += bytes }
    }

    func received(_ frame: MQTTInboundFrame, on channel: any Channel) {
        switch frame {
        case .oversizedPublish(let size, let packetID):
            state.withLock { $0.statistics.framesRejected += 1 }
            logger.warning("MQTT publish of \(size) bytes exceeds the limit of \(configuration.maxPacketBytes); skipped")
            if let packetID { write([.publishAcknowledgement(packetID: packetID)], to: channel) }
        case .packet(.connectAcknowledgement(let acknowledgement)):
            connectionAccepted(acknowledgement, on: channel)
        case .packet(.publish(let publish)):
            receivedPublish(publish, on: channel)
        case .packet(.publishAcknowledgement(let packetID)):
            let next: [MQTTOutbox.Message] = state.withLock { state in
                guard state.channel === channel, state.sessionReady else { return [] }
                _ = state.outbox.acknowledge(packetID)
                return state.outbox.takeSendable()
            }
            write(next.map { publish($0, duplicate: false) }, to: channel)
        case .packet(.subscribeAcknowledgement(let acknowledgement)):
            if acknowledgement.results.contains(.failure) {
                logger.error("MQTT broker refused the subscription to \(configuration.topic); reconnecting later")
                channel.close(promise: nil)
            } else {
                // Only a connection that got this far counts as working: one the broker accepts
                // and drops straight away (another client with our id) keeps backing off.
                state.withLock { state in
                    guard state.channel === channel else { return }
                    state.backoff.reset()
                    // Counted as connected only now: packets published from here on reach us.
                    state.statistics.connected = true
                    state.statistics.connections = 1
                }
                logger.debug("MQTT subscribed to \(configuration.topic)")
            }
        case .packet(.pingResponse):
            state.withLock { $0.awaitingPingResponse = false }
        case .packet(let packet):
            // CONNECT, SUBSCRIBE, PINGREQ and DISCONNECT only ever travel from client to broker.
            state.withLock { $0.statistics.framesRejected += 1 }
            logger.error("MQTT broker sent an unexpected \(packet); closing the connection")
            channel.close(promise: nil)
        }
    }

    private func connectionAccepted(_ acknowledgement: MQTTConnectAcknowledgement, on channel: any Channel) {
        guard acknowledgement.returnCode == .accepted else {
            logger.error("MQTT broker refused the connection: \(acknowledgement.returnCode)")
            channel.close(promise: nil)
            return
        }
        let keepAlive = TimeAmount(configuration.keepAlive)
        let resume: (unacknowledged: [MQTTOutbox.Message], fresh: [MQTTOutbox.Message], isReconnect: Bool)? =
            state.withLock { state in
                guard state.channel === channel, !state.sessionReady else { return nil }
                state.connackTimeout?.cancel()
                state.connackTimeout = nil
                state.sessionReady = true
                let isReconnect = state.everConnected
                if isReconnect { state.statistics.reconnects += 1 }
                state.everConnected = true
                state.keepAliveTask = eventLoop.scheduleRepeatedTask(initialDelay: keepAlive, delay: keepAlive) {
                    [self] _ in keepAliveDue(on: channel)
                }
                return (state.outbox.inFlight, state.outbox.takeSendable(), isReconnect)
            }
        guard let resume else { return }
        logger.info(
            "MQTT \(resume.isReconnect ? "reconnected" : "connected")",
            metadata: [
                "clientID": "\(configuration.clientID)",
                "sessionPresent": "\(acknowledgement.sessionPresent)",
                "resending": "\(resume.unacknowledged.count)",
                "queued": "\(resume.fresh.count)",
            ])
        let subscribe = MQTTSubscribe(
            packetID: MQTTOutbox.subscribePacketID,
            subscriptions: [.init(topicFilter: configuration.topic, qos: .atLeastOnce)])
        write(
            [.subscribe(subscribe)]
                + resume.unacknowledged.map { publish($0, duplicate: true) }
                + resume.fresh.map { publish($0, duplicate: false) },
            to: channel)
    }

    private func receivedPublish(_ publish: MQTTPublish, on channel: any Channel) {
        if publish.topic == configuration.topic {
            let deliver: (@Sendable (ReceivedPacket) -> Void)? = state.withLock { state in
                if state.deliver != nil { state.statistics.packetsReceived += 1 }
                return state.deliver
            }
            deliver?(ReceivedPacket(bytes: publish.payload, source: PacketSource(transport: name)))
        } else {
            // A subscription the persistent session kept from an earlier configuration.
            state.withLock { $0.statistics.framesRejected += 1 }
            logger.debug("MQTT message on foreign topic \(publish.topic) ignored")
        }
        // Acknowledged after delivery, so a crash in between means redelivery, not loss.
        if let packetID = publish.packetID { write([.publishAcknowledgement(packetID: packetID)], to: channel) }
    }

    /// Runs every keep-alive interval: a PINGREQ still unanswered from the previous run means
    /// the broker or the path to it is gone, even if TCP has not noticed yet.
    private func keepAliveDue(on channel: any Channel) {
        let pingOutstanding: Bool? = state.withLock { state in
            guard state.channel === channel else { return nil }
            defer { state.awaitingPingResponse = true }
            return state.awaitingPingResponse
        }
        switch pingOutstanding {
        case true?:
            logger.warning("MQTT broker did not answer PINGREQ within the keep alive; closing the connection")
            channel.close(promise: nil)
        case false?:
            write([.pingRequest], to: channel)
        case nil:
            break
        }
    }

    // MARK: - Writing

    private func publish(_ message: MQTTOutbox.Message, duplicate: Bool) -> MQTTPacket {
        .publish(
            MQTTPublish(
                topic: configuration.topic, payload: message.payload, qos: .atLeastOnce,
                packetID: message.packetID, duplicate: duplicate))
    }

    /// Writes and flushes `packets`; statistics count what reached the socket. The returned
    /// future completes with the last write.
    @discardableResult
    private func write(_ packets: [MQTTPacket], to channel: any Channel) -> EventLoopFuture<Void> {
        var last = eventLoop.makeSucceededVoidFuture()
        guard !packets.isEmpty else { return last }
        for packet in packets {
            let bytes: [UInt8]
            do {
                bytes = try packet.encoded()
            } catch {
                logger.error("MQTT packet not sent: \(error)")
                continue
            }
            let isPublish = if case .publish = packet { true } else { false }
            let promise = eventLoop.makePromise(of: Void.self)
            promise.futureResult.whenSuccess { [self] _ in
                state.withLock { state in
                    state.statistics.bytesSent += bytes.count
                    if isPublish { state.statistics.packetsSent += 1 }
                }
            }
            channel.write(ByteBuffer(bytes: bytes), promise: promise)
            last = promise.futureResult
        }
        channel.flush()
        return last
    }

    // MARK: - Sizes

    /// A QoS 1 PUBLISH's size on the wire for a payload of `payloadBytes`.
    static func publishSize(topic: String, payloadBytes: Int) -> Int {
        let remaining = 2 + topic.utf8.count + 2 + payloadBytes
        let lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4
        return 1 + lengthBytes + remaining
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

public enum MQTTTransportError: Error, Equatable, Sendable, CustomStringConvertible {
    case alreadyStarted
    case stopped

    public var description: String {
        switch self {
        case .alreadyStarted: "the MQTT transport was already started"
        case .stopped: "the MQTT transport was stopped and cannot be restarted"
        }
    }
}
