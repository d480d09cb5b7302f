import Logging
import RakisCore
import Synchronization
import WSClient

/// One relay: connects, subscribes, publishes queued events, and reconnects with backoff until
/// cancelled.
final class NostrRelayConnection: Sendable {
    let url: String
    private let configuration: NostrTransportConfiguration
    private let logger: Logger
    /// The transport owns the statistics and the checks of received events. A strong
    /// reference: the connection task may outlive the caller's last reference until `stop()`.
    private let transport: NostrTransport
    /// One subscription per connection; the relay replaces it when the REQ is sent again.
    private static let subscription = "rakis"

    private struct State {
        /// Event messages not yet written, oldest first. Kept across disconnections and
        /// flushed on reconnect; relays ignore an event they already have, so writing one
        /// again after a failed write is harmless.
        var outbox: [String] = []
        /// Wakes the writer of the current connection; nil while disconnected.
        var wakeWriter: AsyncStream<Void>.Continuation?
        /// Newest `created_at` of an accepted event (capped at the local clock), for `since`.
        var lastSeen: Int64?
        var hasConnected = false
        /// The current connection's subscription was answered with EOSE: the relay works, so
        /// the next reconnection may start again from the shortest delay.
        var subscribed = false
    }

    private let state = Mutex(State())

    init(url: String, configuration: NostrTransportConfiguration, transport: NostrTransport, logger: Logger) {
        self.url = url
        self.configuration = configuration
        self.transport = transport
        var logger = logger
        logger[metadataKey: "relay"] = .string(url)
        self.logger = logger
    }

    /// Queues an event message; returns how many older messages were dropped to make room.
    func enqueue(_ message: String) -> Int {
        state.withLock { state in
            var dropped = 0
            while state.outbox.count >= configuration.outboxCapacity {
                state.outbox.removeFirst()
                dropped += 1
            }
            state.outbox.append(message)
            state.wakeWriter?.yield()
            return dropped
        }
    }

    /// Connects and reconnects until the task is cancelled.
    func run(since startTime: Int64) async {
        var backoff = configuration.initialBackoff
        while !Task.isCancelled {
            let ending: String
            do {
                let webSocket = WebSocketClientConfiguration(
                    // Incoming messages longer than this close the connection; checks of
                    // `maxEventBytes` happen per message after that, so leave room.
                    maxFrameSize: 2 * configuration.maxEventBytes,
                    // Pings notice a relay that vanished without closing the TCP connection.
                    autoPing: .enabled(timePeriod: .seconds(30))
                )
                let closeFrame = try await WebSocketClient.connect(url: url, configuration: webSocket, logger: logger) {
                    inbound, outbound, _ in
                    try await self.session(inbound: inbound, outbound: outbound, startTime: startTime)
                }
                ending = "relay closed the connection (\(closeFrame.map { "\($0.closeCode)" } ?? "no close frame"))"
            } catch {
                ending = "relay connection failed: \(error)"
            }
            if Task.isCancelled { return }
            let subscribed = state.withLock { state in
                state.wakeWriter?.finish()
                state.wakeWriter = nil
                defer { state.subscribed = false }
                return state.subscribed
            }
            if subscribed { backoff = configuration.initialBackoff }
            let delay = backoff * Double.random(in: 0.5...1.0)
            backoff = min(backoff * 2, configuration.maxBackoff)
            let milliseconds = delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000
            logger.warning("\(ending); retrying in \(milliseconds) ms")
            do {
                try await Task.sleep(for: delay)
            } catch {
                return  // cancelled: the transport stops
            }
        }
    }

    /// One connection: subscribe, then write queued events and read relay messages until
    /// either side fails or the task is cancelled.
    private func session(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, startTime: Int64) async throws {
        let (wakeups, wakeWriter) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let (since, isReconnect) = state.withLock { state in
            state.wakeWriter = wakeWriter
            defer { state.hasConnected = true }
            return ((state.lastSeen ?? startTime) - configuration.catchUpMargin, state.hasConnected)
        }
        transport.connectionOpened(isReconnect: isReconnect)
        defer { transport.connectionClosed() }
        logger.info(isReconnect ? "reconnected to relay" : "connected to relay", metadata: ["since": "\(since)"])

        let request = NostrClientMessage.request(
            subscription: Self.subscription,
            filter: NostrFilter(kinds: [configuration.kind], topics: [transport.codec.topic], since: since)
        ).text
        try await outbound.writeTextMessage(request)
        transport.wrote(bytes: request.utf8.count, isEvent: false)
        wakeWriter.yield()  // flush what queued up while disconnected

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in wakeups {
                    while let message = self.state.withLock({ $0.outbox.isEmpty ? nil : $0.outbox.removeFirst() }) {
                        do {
                            try await outbound.writeTextMessage(message)
                        } catch {
                            // Back to the front: it goes out first after reconnecting.
                            self.state.withLock { $0.outbox.insert(message, at: 0) }
                            throw error
                        }
                        self.transport.wrote(bytes: message.utf8.count, isEvent: true)
                    }
                }
            }
            group.addTask {
                for try await message in inbound.messages(maxSize: 2 * self.configuration.maxEventBytes) {
                    try self.handle(message)
                }
            }
            // Whichever ends first ends the connection.
            _ = try await group.next()
            group.cancelAll()
        }
    }

    private struct SubscriptionClosed: Error, CustomStringConvertible {
        let message: String
        var description: String { "the relay closed the subscription: \(message)" }
    }

    private func handle(_ message: WebSocketMessage) throws {
        guard case .text(let text) = message else {
            transport.rejected("binary message from relay \(url)")
            return
        }
        let bytes = Array(text.utf8)
        transport.read(bytes: bytes.count)
        guard bytes.count <= configuration.maxEventBytes else {
            transport.rejected("relay message of \(bytes.count) bytes exceeds \(configuration.maxEventBytes)")
            return
        }
        let relayMessage: NostrRelayMessage
        do {
            relayMessage = try NostrRelayMessage.parse(bytes)
        } catch {
            transport.rejected("\(error)")
            return
        }
        switch relayMessage {
        case .event(let subscription, let event):
            guard subscription == Self.subscription else {
                transport.rejected("event for unknown subscription \(subscription)")
                return
            }
            if transport.received(event) {
                // Capped at the local clock: an event dated in the future must not move
                // `since` past events that are still to come.
                let seen = min(event.createdAt, NostrTransport.now())
                state.withLock { $0.lastSeen = max($0.lastSeen ?? seen, seen) }
            }
        case .ok(let eventId, let accepted, let reason):
            // "duplicate:" answers an event re-sent after a reconnection: not a failure.
            if !accepted && !reason.hasPrefix("duplicate:") {
                logger.warning("relay refused event \(eventId): \(reason)")
            }
        case .endOfStoredEvents:
            state.withLock { $0.subscribed = true }
            logger.debug("caught up with stored events")
        case .closed(_, let reason):
            // Reconnecting subscribes again, after the backoff delay.
            throw SubscriptionClosed(message: reason)
        case .notice(let notice):
            logger.warning("relay notice: \(notice)")
        }
    }
}
