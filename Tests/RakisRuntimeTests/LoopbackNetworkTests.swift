import Foundation
import Testing
import RakisCore
import RakisStore
import RakisTestSupport

/// Four serving nodes and a follower, each its own `rakis node` process with the real SmolLM2 and
/// MiniLM, reach consensus on loopback over each transport alone and over all three.
@Suite(.serialized, .timeLimit(.minutes(10)),
       .requires(.nostrRelay, .mqttBroker, LoopbackCluster.rakisBinary))
struct LoopbackNetworkTests {
    @Test func overTheMeshAlone() async throws {
        try await run(over: [.mesh])
    }

    @Test func overNostrAlone() async throws {
        try await run(over: [.nostr])
    }

    @Test func overMQTTAlone() async throws {
        try await run(over: [.mqtt])
    }

    /// All three transports, and the MQTT broker dies while the nodes are inferring (a long
    /// answer, so that they are): the packets still to come (commits, quorum, reveals, results)
    /// travel over the mesh and Nostr.
    @Test func overAllThreeWithTheBrokerStoppedMidRequest() async throws {
        let broker = try Mosquitto()
        try await broker.start()
        let cluster = try LoopbackCluster(serving: 4, followers: 1, transports: [.mesh, .nostr, .mqtt], mqttBroker: broker.address)
        #expect(await cluster.waitUntilConnected(), "\(cluster.logs())")
        let outcome = try await cluster.submit("Count from one to sixty, separated by commas.", maxTokens: 200) {
            let inferring = await eventually(timeout: .seconds(90)) { cluster.nodes.contains { $0.log.contains(": inferring") } }
            #expect(inferring)
            await broker.stop()
            #expect(!cluster.nodes.contains { $0.log.contains(": committed") }, "the broker was gone before any node committed")
        }
        await expectAgreement(cluster, outcome)
        #expect(await cluster.metrics(0)["rakis_transport_connected{transport=\"mqtt\"}"] == 0)
        #expect(await cluster.stopAll().allSatisfy { $0 == 0 })
    }

    /// kill -9 a node right after it commits, start it again on the same data directory: it
    /// reveals what it committed to, the request completes everywhere, and nothing it had stored
    /// is gone. With a quorum of all four nodes, the request cannot complete without it; the
    /// reveal window is long enough for the origin's quorum retransmissions to reach it again.
    @Test func aNodeKilledAfterCommittingCompletesTheRequestAfterRestart() async throws {
        let cluster = try LoopbackCluster(serving: 4, followers: 0, transports: [.mesh])
        #expect(await cluster.waitUntilConnected(), "\(cluster.logs())")
        let victim = cluster.nodes[1]
        var atCrash: StoreCounts?
        let outcome = try await cluster.submit("Count from one to five.", quorum: 4, extra: ["--reveal-window", "60000"]) {
            let committed = await eventually(timeout: .seconds(120)) { victim.log.contains(": committed") }
            #expect(committed, "\(cluster.logs())")
            await victim.kill()
            atCrash = try? cluster.counts(at: 1)
            #expect((try? victim.restart()) != nil)
        }
        await expectAgreement(cluster, outcome)
        let after = try cluster.counts(at: 1)
        let crashed = try #require(atCrash)
        #expect(crashed.ownOutputs == 1, "the own output was stored before the commit went out")
        #expect(after.packets >= crashed.packets && after.requests >= crashed.requests && after.ownOutputs >= crashed.ownOutputs,
                "store before the crash \(crashed), after the restart \(after)")
        #expect(victim.log.contains("taking up 1 unfinished request"))
        #expect(await cluster.stopAll().allSatisfy { $0 == 0 })
    }

    // MARK: - Helpers

    private func run(over transports: Set<LoopbackCluster.TransportKind>) async throws {
        let cluster = try LoopbackCluster(serving: 4, followers: 1, transports: transports)
        #expect(await cluster.waitUntilConnected(), "\(cluster.logs())")
        let before = await wireBytes(cluster)
        let outcome = try await cluster.submit("What is the capital of France?")
        await expectAgreement(cluster, outcome)
        report(cluster, outcome, bytesBefore: before, bytesAfter: await wireBytes(cluster))
        #expect(await cluster.stopAll().allSatisfy { $0 == 0 }, "every node exits cleanly on SIGTERM\n\(cluster.logs())")
    }

    /// Checks that every node, the follower included, stored the same final result as the one
    /// the client received.
    private func expectAgreement(_ cluster: LoopbackCluster, _ outcome: SubmitOutcome) async {
        #expect(outcome.status == "final", "\(outcome.json)\n\(cluster.logs())")
        guard let requestId = outcome.requestId, let commitment = outcome.commitment else { return }
        for index in 0..<cluster.count {
            let result = await cluster.result(of: requestId, at: index)
            guard case let .final(chosen)? = result?.outcome else {
                Issue.record("node \(index) has no final result: \(String(describing: result))\n\(cluster.logs())")
                continue
            }
            #expect(chosen.commitment.hex == commitment, "node \(index) chose another output")
            #expect(chosen.output == outcome.output)
        }
    }

    /// Bytes each node has sent and received so far, over all its transports (protocol headers included).
    private func wireBytes(_ cluster: LoopbackCluster) async -> [(sent: Int, received: Int)] {
        var bytes: [(sent: Int, received: Int)] = []
        for index in 0..<cluster.count {
            let metrics = await cluster.metrics(index)
            func total(_ name: String) -> Int { Int(metrics.filter { $0.key.hasPrefix("rakis_transport_\(name){") }.values.reduce(0, +)) }
            bytes.append((total("bytes_sent"), total("bytes_received")))
        }
        return bytes
    }

    /// Prints the figures the closing note asks for; observed, never asserted.
    private func report(_ cluster: LoopbackCluster, _ outcome: SubmitOutcome,
                        bytesBefore: [(sent: Int, received: Int)], bytesAfter: [(sent: Int, received: Int)]) {
        guard let requestId = outcome.requestId, let seconds = outcome.seconds else { return }
        let inferences = cluster.inferenceMilliseconds(of: requestId)
        let slowest = inferences.max() ?? 0
        let sent = zip(bytesAfter, bytesBefore).map { $0.sent - $1.sent }
        let received = zip(bytesAfter, bytesBefore).map { $0.received - $1.received }
        print("FIGURES \(cluster.transports.map(\.rawValue).sorted().joined(separator: "+")): request to result \(Int(seconds * 1000)) ms,",
              "slowest inference \(slowest) ms (all: \(inferences)), beyond it \(Int(seconds * 1000) - slowest) ms;",
              "bytes sent per node \(sent), received \(received)")
    }
}
