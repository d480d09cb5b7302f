import Foundation
import Testing
import RakisCore
import RakisNetwork
import RakisTestSupport

extension LoopbackNetworkTests {
    /// A peer sends junk, an oversized frame, replays and a forged signature to a running node.
    /// The node cuts the raw connections, counts and logs every kind of abuse, bans the peer,
    /// and still serves a request afterwards.
    @Test func aHostilePeerIsCountedAndBannedWhileTheNodeKeepsServing() async throws {
        let cluster = try LoopbackCluster(serving: 3, followers: 0, transports: [.mesh])
        #expect(await cluster.waitUntilConnected(), "\(cluster.logs())")
        let target = cluster.meshPorts[0]

        // Below the handshake: bytes that are no frame at all, and a frame announcing 256 MiB.
        let junk = try RawConnection(port: target)
        junk.send((0..<64).map { _ in UInt8.random(in: 0...255) } + Array("GET / HTTP/1.1\r\n\r\n".utf8))
        let oversized = try RawConnection(port: target)
        oversized.send([0x10, 0x00, 0x00, 0x00, 3] + [UInt8](repeating: 0x41, count: 1024))
        #expect(await eventually { junk.isClosed && oversized.isClosed }, "the node must hang up on raw garbage")

        // Above it: a peer that completes the handshake, then abuses it.
        let network = cluster.network
        let attacker = NodeIdentity.generate()
        let mesh = MeshTransport(configuration: MeshConfiguration(
            identity: attacker, network: network, listenHost: "127.0.0.1", bootstrapPeers: ["127.0.0.1:\(target)"]))
        try await mesh.start { _ in }
        defer { Task { await mesh.stop() } }
        #expect(await eventually { !mesh.neighbours.isEmpty })

        func status(activeJobs: Int) -> Envelope {
            let body = PacketBody.peerStatus(PeerStatus(models: [], embeddingModels: [], activeJobs: activeJobs, queuedJobs: 0))
            return Envelope(signing: Packet(body, createdAt: Millis(Date().timeIntervalSince1970 * 1000)), network: network, identity: attacker)
        }
        let replayed = status(activeJobs: 0)
        for _ in 0..<12 { mesh.send(replayed.wireBytes, except: nil) }
        mesh.send(forged(status(activeJobs: 1)), except: nil)
        for _ in 0..<6 { mesh.send(Array("{\"v\":1,\"not\":\"a packet\"}".utf8), except: nil) }

        let counted = await eventually {
            let metrics = await cluster.metrics(0)
            return ["replay", "rejected", "malformed"].allSatisfy {
                metrics["rakis_packets_received_total{transport=\"mesh\",outcome=\"\($0)\"}"] ?? 0 >= 1
            } && metrics["rakis_transport_peers_banned{transport=\"mesh\"}"] ?? 0 >= 1
                && metrics["rakis_transport_frames_rejected{transport=\"mesh\"}"] ?? 0 >= 2
        }
        let metrics = await cluster.metrics(0)
        #expect(counted, "\(metrics.filter { $0.key.contains("outcome") || $0.key.contains("banned") || $0.key.contains("rejected") })")
        // The attacker's key is admitted nowhere, so its packets, the forged one too, are refused
        // before any signature check.
        #expect(metrics["rakis_packets_rejected_total{reason=\"notAdmitted\"}"] ?? 0 >= 1)
        let log = cluster.nodes[0].log
        for line in ["malformed packet from", "replays packet", "rejected a packet from \(attacker.nodeId.short)", "banned"] {
            #expect(log.contains(line), "node log lacks \"\(line)\"")
        }
        #expect(await eventually { mesh.neighbours.allSatisfy { $0.address?.port != target } },
                "the banned peer is cut off")

        // The node is still a full member of the network.
        let outcome = try await cluster.submit("What is two plus two?")
        #expect(outcome.status == "final", "\(outcome.json)\n\(cluster.logs())")
        if let requestId = outcome.requestId {
            #expect(await cluster.result(of: requestId, at: 0) != nil)
        }
        #expect(await cluster.stopAll().allSatisfy { $0 == 0 })
    }

    /// The same envelope with one signature bit flipped.
    private func forged(_ envelope: Envelope) -> [UInt8] {
        let text = String(decoding: envelope.wireBytes, as: UTF8.self)
        let signature = Hex.encode(envelope.signature)
        var bytes = envelope.signature
        bytes[0] ^= 1
        return Array(text.replacingOccurrences(of: signature, with: Hex.encode(bytes)).utf8)
    }
}
