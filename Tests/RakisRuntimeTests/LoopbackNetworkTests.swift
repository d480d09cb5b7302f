import Foundation
import Testing
import RakisCore
import RakisStore

/// Four serving nodes and a follower, each its own `rakis node` process with the real SmolLM2 and
/// MiniLM, reach consensus on loopback over each transport alone and over all three.
@Suite(.serialized, .enabled(if: LoopbackCluster.servicesAvailable, "needs the relay, broker and release binary: run scripts/test.sh"))
struct LoopbackNetworkTests {
    /// Submits one request and checks that every node, the follower included, stored the same
    /// final result as the one the client received.
    private func expectAgreement(_ cluster: LoopbackCluster, _ outcome: SubmitOutcome) {
        #expect(outcome.status == "final", "\(outcome.json)\n\(cluster.logs())")
        guard let requestId = outcome.requestId, let commitment = outcome.commitment else { return }
        for index in 0..<(cluster.serving + cluster.followers) {
            let result = cluster.result(of: requestId, at: index)
            guard case let .final(_, _, output, stored, _)? = result?.outcome else {
                Issue.record("node \(index) has no final result: \(String(describing: result))\n\(cluster.logs())")
                continue
            }
            #expect(stored == commitment, "node \(index) chose another output")
            #expect(output == outcome.output)
        }
    }

    private func run(over transports: Set<LoopbackCluster.TransportKind>) throws {
        let cluster = try LoopbackCluster(serving: 4, followers: 1, transports: transports)
        #expect(cluster.waitUntilConnected(), "\(cluster.logs())")
        expectAgreement(cluster, try cluster.submit("What is the capital of France?"))
        #expect(cluster.stopAll().allSatisfy { $0 == 0 }, "every node exits cleanly on SIGTERM\n\(cluster.logs())")
    }

    @Test func overTheMeshAlone() throws {
        try run(over: [.mesh])
    }

    @Test func overNostrAlone() throws {
        try run(over: [.nostr])
    }

    @Test func overMQTTAlone() throws {
        try run(over: [.mqtt])
    }

    /// All three transports, and the MQTT broker dies while the nodes are inferring: the packets
    /// still to come (commits, quorum, reveals, results) travel over the mesh and Nostr.
    @Test func overAllThreeWithTheBrokerStoppedMidRequest() throws {
        let broker = try Broker()
        let cluster = try LoopbackCluster(serving: 4, followers: 1, transports: [.mesh, .nostr, .mqtt], mqttBroker: broker.address)
        #expect(cluster.waitUntilConnected(), "\(cluster.logs())")
        let outcome = try cluster.submit("Name three colours.") { _ in
            let inferring = poll(timeout: 60) { cluster.nodes.contains { $0.log.contains(": inferring") } }
            #expect(inferring)
            broker.stop()
        }
        expectAgreement(cluster, outcome)
        #expect(cluster.metrics(0)["rakis_transport_connected{transport=\"mqtt\"}"] == 0)
        #expect(cluster.stopAll().allSatisfy { $0 == 0 })
    }

    /// kill -9 a node right after it commits, start it again on the same data directory: it
    /// reveals what it committed to, the request completes everywhere, and nothing it had stored
    /// is gone. With a quorum of all four nodes, the request cannot complete without it; the
    /// reveal window is long enough for the origin's quorum retransmissions to reach it again.
    @Test func aNodeKilledAfterCommittingCompletesTheRequestAfterRestart() throws {
        let cluster = try LoopbackCluster(serving: 4, followers: 0, transports: [.mesh])
        #expect(cluster.waitUntilConnected(), "\(cluster.logs())")
        let victim = 1
        var atCrash: StoreCounts?
        let outcome = try cluster.submit("Count from one to five.", quorum: 4, extra: ["--reveal-window", "60000"]) { _ in
            let committed = poll(timeout: 90) { cluster.nodes[victim].log.contains(": committed") }
            #expect(committed, "\(cluster.logs())")
            cluster.nodes[victim].kill()
            atCrash = try? cluster.counts(at: victim)
            try? cluster.nodes[victim].restart()
        }
        expectAgreement(cluster, outcome)
        let after = try cluster.counts(at: victim)
        let crashed = try #require(atCrash)
        #expect(crashed.ownOutputs == 1, "the own output was stored before the commit went out")
        #expect(after.packets >= crashed.packets && after.requests >= crashed.requests && after.ownOutputs >= crashed.ownOutputs,
                "store before the crash \(crashed), after the restart \(after)")
        #expect(cluster.nodes[victim].log.contains("taking up 1 unfinished request"))
        #expect(cluster.stopAll().allSatisfy { $0 == 0 })
    }
}

/// A private mosquitto for a test that stops it.
final class Broker {
    let port = freePort()
    private let process = Process()
    private let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-broker-\(UUID().uuidString)").path

    var address: String { "127.0.0.1:\(port)" }

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let config = "\(directory)/mosquitto.conf"
        try "listener \(port) 127.0.0.1\nallow_anonymous true\npersistence false\n".write(toFile: config, atomically: true, encoding: .utf8)
        let binary = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "mosquitto"
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-c", config]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let port = port
        guard poll(timeout: 10, { canConnect(port: port) }) else { throw ClusterError("mosquitto did not start on \(port)") }
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

func canConnect(port: Int) -> Bool {
    let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
}
