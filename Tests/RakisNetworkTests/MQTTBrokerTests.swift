import Foundation
import RakisCore
import Synchronization
import Testing
import RakisTestSupport
@testable import RakisNetwork

// MARK: - Helpers

/// Collects what a transport delivers.
private final class Inbox: Sendable {
    private let packets = Mutex<[ReceivedPacket]>([])

    var all: [[UInt8]] { packets.withLock { $0.map(\.bytes) } }
    var sources: Set<PacketSource> { packets.withLock { Set($0.map(\.source)) } }
    func contains(_ payload: [UInt8]) -> Bool { packets.withLock { $0.contains { $0.bytes == payload } } }
    func deliver(_ packet: ReceivedPacket) { packets.withLock { $0.append(packet) } }
}

private func payload(_ text: String) -> [UInt8] { Array(text.utf8) }

private func makeTransport(
    _ broker: Mosquitto, network: String = "testnet", keepAlive: Duration = .seconds(30),
    maxPacketBytes: Int = Limits.maxEnvelopeBytes + 4096
) -> MQTTTransport {
    MQTTTransport(
        configuration: MQTTConfiguration(
            host: "127.0.0.1", port: broker.port, network: network,
            clientID: "rakis-test-\(UUID().uuidString.prefix(12))", keepAlive: keepAlive,
            maxPacketBytes: maxPacketBytes, reconnectInitialDelay: .milliseconds(50),
            reconnectMaximumDelay: .milliseconds(500)))
}

private func started(_ transport: MQTTTransport) async throws -> Inbox {
    let inbox = Inbox()
    try await transport.start { inbox.deliver($0) }
    return inbox
}

private func connected(_ transports: MQTTTransport...) async -> Bool {
    await eventually { transports.allSatisfy { $0.statistics.connected } }
}

/// A started broker with two started, connected transports on it.
private struct Pair {
    let broker: Mosquitto
    let alice: MQTTTransport
    let aliceInbox: Inbox
    let bob: MQTTTransport
    let bobInbox: Inbox

    static func start(persistence: Bool = false) async throws -> Pair {
        let broker = try Mosquitto(persistence: persistence)
        try await broker.start()
        let alice = makeTransport(broker)
        let bob = makeTransport(broker)
        let pair = Pair(broker: broker, alice: alice, aliceInbox: try await started(alice), bob: bob, bobInbox: try await started(bob))
        #expect(await connected(alice, bob))
        return pair
    }

    func stop() async {
        await alice.stop()
        await bob.stop()
        await broker.stop()
    }
}

// MARK: - Tests

@Suite(.requires(.mosquitto), .timeLimit(.minutes(3)))
struct MQTTBrokerTests {
    @Test func twoTransportsExchangePacketsBothWays() async throws {
        let pair = try await Pair.start()
        let (alice, aliceInbox, bob, bobInbox) = (pair.alice, pair.aliceInbox, pair.bob, pair.bobInbox)

        alice.send(payload("from alice"), except: nil)
        bob.send(payload("from bob"), except: nil)
        #expect(await eventually { bobInbox.contains(payload("from alice")) })
        #expect(await eventually { aliceInbox.contains(payload("from bob")) })
        #expect(aliceInbox.sources == [PacketSource(transport: "mqtt")])
        // Everything was acknowledged and counted, MQTT headers included.
        #expect(await eventually { alice.statistics.packetsSent == 1 && bob.statistics.packetsSent == 1 })
        let statistics = alice.statistics
        #expect(statistics.bytesSent > payload("from alice").count)
        #expect(statistics.packetsReceived >= 1 && statistics.bytesReceived > 0)
        #expect(statistics.packetsDropped == 0 && statistics.framesRejected == 0 && statistics.reconnects == 0)

        // A packet the broker brought is not published back to it.
        let sentBefore = bob.statistics.packetsSent
        bob.send(payload("relayed"), except: PacketSource(transport: "mqtt"))
        bob.send(payload("after relay"), except: nil)
        #expect(await eventually { aliceInbox.contains(payload("after relay")) })
        #expect(!aliceInbox.contains(payload("relayed")))
        #expect(await eventually { bob.statistics.packetsSent == sentBefore + 1 })

        await pair.stop()
    }

    @Test func networksSharingABrokerStayApart() async throws {
        let broker = try Mosquitto()
        try await broker.start()
        let alpha1 = makeTransport(broker, network: "alpha")
        let alpha2 = makeTransport(broker, network: "alpha")
        let beta = makeTransport(broker, network: "beta")
        let alpha2Inbox = try await started(alpha2)
        let betaInbox = try await started(beta)
        _ = try await started(alpha1)
        #expect(await connected(alpha1, alpha2, beta))

        alpha1.send(payload("alpha only"), except: nil)
        beta.send(payload("beta only"), except: nil)
        #expect(await eventually { alpha2Inbox.contains(payload("alpha only")) })
        #expect(await eventually { betaInbox.contains(payload("beta only")) })
        // Both publishes have been through the broker; neither crossed over.
        #expect(!alpha2Inbox.contains(payload("beta only")))
        #expect(!betaInbox.contains(payload("alpha only")))

        await alpha1.stop()
        await alpha2.stop()
        await beta.stop()
        await broker.stop()
    }

    @Test func largePacketGetsThrough() async throws {
        let pair = try await Pair.start()
        let (sender, receiver, inbox) = (pair.alice, pair.bob, pair.bobInbox)

        var rng = SystemRandomNumberGenerator()
        let large = (0..<500_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        sender.send(large, except: nil)
        #expect(await eventually { inbox.contains(large) })
        #expect(receiver.statistics.bytesReceived > large.count)

        await pair.stop()
    }

    @Test func oversizedPublishIsSkippedAndTheConnectionKeepsWorking() async throws {
        let broker = try Mosquitto()
        try await broker.start()
        let sender = makeTransport(broker)
        let receiver = makeTransport(broker, maxPacketBytes: 64 * 1024)
        _ = try await started(sender)
        let inbox = try await started(receiver)
        #expect(await connected(sender, receiver))

        sender.send([UInt8](repeating: 7, count: 200_000), except: nil)
        sender.send(payload("small"), except: nil)
        #expect(await eventually { inbox.contains(payload("small")) })
        #expect(inbox.all == [payload("small")])
        #expect(receiver.statistics.framesRejected == 1)
        #expect(receiver.statistics.reconnects == 0, "skipping must not cost the connection")

        // The receiver cannot send what it could not receive either.
        receiver.send([UInt8](repeating: 7, count: 100_000), except: nil)
        #expect(receiver.statistics.packetsDropped == 1)

        await sender.stop()
        await receiver.stop()
        await broker.stop()
    }

    @Test func keepAlivePingsHoldAnIdleConnection() async throws {
        let broker = try Mosquitto()
        try await broker.start()
        let transport = makeTransport(broker, keepAlive: .seconds(1))
        _ = try await started(transport)
        #expect(await connected(transport))
        let before = transport.statistics

        // Idle for several keep-alive intervals: only PINGREQ/PINGRESP go back and forth.
        try await Task.sleep(for: .seconds(4))
        let after = transport.statistics
        #expect(after.connected)
        #expect(after.reconnects == 0)
        #expect(after.bytesReceived >= before.bytesReceived + 2 * 2, "PINGRESPs arrived")

        await transport.stop()
        await broker.stop()
    }

    @Test func unansweredPingMeansADeadConnection() async throws {
        let broker = try Mosquitto()
        try await broker.start()
        let transport = makeTransport(broker, keepAlive: .seconds(1))
        _ = try await started(transport)
        #expect(await connected(transport))

        broker.pause()  // TCP stays up; the broker just stops answering
        #expect(await eventually { !transport.statistics.connected })
        broker.resume()
        #expect(await eventually { transport.statistics.connected && transport.statistics.reconnects >= 1 })

        await transport.stop()
        await broker.stop()
    }

    /// Without broker persistence the restart loses every session: both transports reconnect,
    /// subscribe again, and new packets flow. What was published during the outage reaches
    /// only subscribers that were back before it was resent, so it is observed, not asserted.
    @Test func brokerRestartWithoutPersistence() async throws {
        let pair = try await Pair.start()
        let (broker, alice, bob, bobInbox) = (pair.broker, pair.alice, pair.bob, pair.bobInbox)
        alice.send(payload("before"), except: nil)
        #expect(await eventually { bobInbox.contains(payload("before")) })

        await broker.stop()
        #expect(await eventually { !alice.statistics.connected && !bob.statistics.connected })
        alice.send(payload("during outage"), except: nil)
        let clock = ContinuousClock()
        let restarted = clock.now
        try await broker.start()
        #expect(await connected(alice, bob))
        let reconnectTime = clock.now - restarted
        #expect(alice.statistics.reconnects >= 1 && bob.statistics.reconnects >= 1)

        alice.send(payload("after"), except: nil)
        #expect(await eventually { bobInbox.contains(payload("after")) })
        print(
            "MQTT restart without persistence: both reconnected \(reconnectTime) after the broker restarted;",
            "packet sent during the outage delivered: \(bobInbox.contains(payload("during outage")))")

        await pair.stop()
    }

    /// With broker persistence the sessions survive the restart: the packet sent while the
    /// broker was down is resent from the outbox and queued by the broker for the receiver.
    @Test func packetsSentDuringAnOutageArriveWithBrokerPersistence() async throws {
        let pair = try await Pair.start(persistence: true)
        let (broker, alice, bob, bobInbox) = (pair.broker, pair.alice, pair.bob, pair.bobInbox)

        await broker.stop()
        #expect(await eventually { !alice.statistics.connected && !bob.statistics.connected })
        let during = (1...5).map { payload("during outage \($0)") }
        for packet in during { alice.send(packet, except: nil) }
        try await broker.start()
        #expect(await connected(alice, bob))
        for packet in during {
            #expect(await eventually { bobInbox.contains(packet) }, "\(String(decoding: packet, as: UTF8.self))")
        }
        #expect(alice.statistics.packetsDropped == 0)

        await pair.stop()
    }

    @Test func nothingIsDeliveredAfterStop() async throws {
        let broker = try Mosquitto()
        try await broker.start()
        let stopped = makeTransport(broker)
        let sender = makeTransport(broker)
        let witness = makeTransport(broker)
        let stoppedInbox = try await started(stopped)
        _ = try await started(sender)
        let witnessInbox = try await started(witness)
        #expect(await connected(stopped, sender, witness))

        await stopped.stop()
        #expect(!stopped.statistics.connected)
        sender.send(payload("after stop"), except: nil)
        #expect(await eventually { witnessInbox.contains(payload("after stop")) })
        #expect(stoppedInbox.all.isEmpty)
        stopped.send(payload("too late"), except: nil)
        #expect(stopped.statistics.packetsDropped == 1)
        await #expect(throws: MQTTTransportError.stopped) { try await stopped.start { _ in } }

        await sender.stop()
        await witness.stop()
        await broker.stop()
    }
}
