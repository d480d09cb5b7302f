import Foundation
import RakisCore
import Synchronization
import Testing
@testable import RakisNetwork

#if canImport(Glibc)
import Glibc
#endif

// MARK: - A private mosquitto per test

private let mosquittoPath = "/usr/sbin/mosquitto"
private let haveMosquitto = FileManager.default.isExecutableFile(atPath: mosquittoPath)

/// A mosquitto broker on a free loopback port, with its config (and, optionally, its
/// persistence file) in a temporary directory.
private final class Mosquitto {
    let port: Int
    let directory: URL
    private var process: Process?

    init(persistence: Bool = false) throws {
        port = try freeLoopbackPort()
        directory = FileManager.default.temporaryDirectory.appending(path: "rakis-mqtt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var config = """
            listener \(port) 127.0.0.1
            allow_anonymous true
            # Running as root, mosquitto would otherwise switch to a user that cannot write here.
            user root
            log_dest stderr

            """
        if persistence { config += "persistence true\npersistence_location \(directory.path)/\n" }
        try config.write(to: configURL, atomically: true, encoding: .utf8)
    }

    private var configURL: URL { directory.appending(path: "mosquitto.conf") }

    func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mosquittoPath)
        process.arguments = ["-c", configURL.path]
        let logURL = directory.appending(path: "mosquitto.log")
        if !FileManager.default.fileExists(atPath: logURL.path) {
            FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logURL)
        try log.seekToEnd()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        let listening = await eventually(timeout: .seconds(20)) { acceptsConnections(port: self.port) }
        guard listening else {
            stop()
            throw MosquittoError(message: "mosquitto did not listen on port \(port); log in \(logURL.path)")
        }
    }

    /// SIGTERM, as a service manager would: mosquitto closes its connections (and saves its
    /// persistence file) before exiting.
    func stop() {
        guard let process else { return }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        self.process = nil
    }

    /// Freezes the broker: connections stay open but nothing is answered.
    func pause() { if let process { kill(process.processIdentifier, SIGSTOP) } }
    func resume() { if let process { kill(process.processIdentifier, SIGCONT) } }

    deinit {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGCONT)
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

private struct MosquittoError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

private func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw MosquittoError(message: "socket() failed") }
    defer { close(fd) }
    var address = loopback(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
        }
    }
    guard bound else { throw MosquittoError(message: "could not find a free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

private func acceptsConnections(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = loopback(port: port)
    return withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}

private func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}

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

// MARK: - Tests

@Suite(.enabled(if: haveMosquitto, "needs \(mosquittoPath)"))
struct MQTTBrokerTests {
    @Test func twoTransportsExchangePacketsBothWays() async throws {
        let broker = try Mosquitto()
        try await broker.start()
        let alice = makeTransport(broker)
        let bob = makeTransport(broker)
        let aliceInbox = try await started(alice)
        let bobInbox = try await started(bob)
        #expect(await connected(alice, bob))

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

        await alice.stop()
        await bob.stop()
        broker.stop()
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
        broker.stop()
    }

    @Test func largePacketGetsThrough() async throws {
        let broker = try Mosquitto()
        try await broker.start()
        let sender = makeTransport(broker)
        let receiver = makeTransport(broker)
        _ = try await started(sender)
        let inbox = try await started(receiver)
        #expect(await connected(sender, receiver))

        var rng = SystemRandomNumberGenerator()
        let large = (0..<500_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        sender.send(large, except: nil)
        #expect(await eventually { inbox.contains(large) })
        #expect(receiver.statistics.bytesReceived > large.count)

        await sender.stop()
        await receiver.stop()
        broker.stop()
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
        broker.stop()
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
        broker.stop()
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
        broker.stop()
    }

    /// Without broker persistence the restart loses every session: both transports reconnect,
    /// subscribe again, and new packets flow. What was published during the outage reaches
    /// only subscribers that were back before it was resent, so it is observed, not asserted.
    @Test func brokerRestartWithoutPersistence() async throws {
        let broker = try Mosquitto()
        try await broker.start()
        let alice = makeTransport(broker)
        let bob = makeTransport(broker)
        _ = try await started(alice)
        let bobInbox = try await started(bob)
        #expect(await connected(alice, bob))
        alice.send(payload("before"), except: nil)
        #expect(await eventually { bobInbox.contains(payload("before")) })

        broker.stop()
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

        await alice.stop()
        await bob.stop()
        broker.stop()
    }

    /// With broker persistence the sessions survive the restart: the packet sent while the
    /// broker was down is resent from the outbox and queued by the broker for the receiver.
    @Test func packetsSentDuringAnOutageArriveWithBrokerPersistence() async throws {
        let broker = try Mosquitto(persistence: true)
        try await broker.start()
        let alice = makeTransport(broker)
        let bob = makeTransport(broker)
        _ = try await started(alice)
        let bobInbox = try await started(bob)
        #expect(await connected(alice, bob))

        broker.stop()
        #expect(await eventually { !alice.statistics.connected && !bob.statistics.connected })
        let during = (1...5).map { payload("during outage \($0)") }
        for packet in during { alice.send(packet, except: nil) }
        try await broker.start()
        #expect(await connected(alice, bob))
        for packet in during {
            #expect(await eventually { bobInbox.contains(packet) }, "\(String(decoding: packet, as: UTF8.self))")
        }
        #expect(alice.statistics.packetsDropped == 0)

        await alice.stop()
        await bob.stop()
        broker.stop()
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
        broker.stop()
    }
}
