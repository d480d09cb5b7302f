#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import RakisCore
import RakisTestSupport
import Testing
@testable import RakisNetwork

/// Real meshes on 127.0.0.1 talking over TCP. Every wait polls with a generous timeout.
@Suite(.timeLimit(.minutes(3))) struct MeshNetworkTests {
    @Test func peerExchangeConnectsAndPacketsFlow() async throws {
        let a = try await TestNode.start("discovery A")
        let b = try await TestNode.start("discovery B", bootstrap: [a])
        // C joins once A and B are neighbours, so B's PEERS frame to C names A.
        #expect(await eventually { b.isNeighbour(of: a) })
        let c = try await TestNode.start("discovery C", bootstrap: [b])
        defer { Task { for node in [a, b, c] { await node.mesh.stop() } } }

        // C was only told about B; B's PEERS frame names A, and C dials it.
        #expect(await eventually { c.isNeighbour(of: a) && a.isNeighbour(of: c) }, "C should learn A from B and connect")
        #expect(c.mesh.neighbours.first { $0.nodeId == a.nodeId }?.isOutbound == true)

        let packet = Array("from A to everyone".utf8)
        a.runtime.originate(packet)
        #expect(await eventually { c.runtime.copies(of: packet) == 1 && b.runtime.copies(of: packet) == 1 })
        let source = try #require(c.runtime.packets.first?.source)
        #expect(source == PacketSource(transport: "mesh", peer: a.nodeId.hex))
        #expect(a.mesh.statistics.packetsSent == 2)
        #expect(c.mesh.statistics.connections == 2)
        #expect(c.mesh.statistics.bytesReceived > packet.count)
    }

    @Test func runtimeRelaysAlongALineAndNothingEchoes() async throws {
        // A - B - C in a line: C keeps one neighbour, so it reaches A only through B's runtime.
        let a = try await TestNode.start("line A", forwards: true)
        let b = try await TestNode.start("line B", bootstrap: [a], forwards: true)
        // C joins after A and B have exchanged peers, so A never learns C's address.
        #expect(await eventually { b.isNeighbour(of: a) })
        let c = try await TestNode.start("line C", bootstrap: [b], forwards: true) { $0.maxNeighbours = 1 }
        defer { Task { for node in [a, b, c] { await node.mesh.stop() } } }
        #expect(await eventually { b.mesh.neighbours.count == 2 && c.mesh.neighbours.count == 1 })

        let packet = Array("gossip".utf8)
        a.runtime.originate(packet)
        #expect(await eventually { c.runtime.copies(of: packet) == 1 })
        // B relayed it to C except A; C relayed it to no one (its only neighbour was the source).
        let quiet = await eventually(timeout: .milliseconds(300)) { a.runtime.copies(of: packet) > 0 || b.runtime.copies(of: packet) > 1 }
        #expect(!quiet, "a packet came back to a node that had already seen it")
        #expect(b.runtime.copies(of: packet) == 1)
        #expect(c.runtime.packets.first?.source.peer == b.nodeId.hex)
        #expect(c.mesh.statistics.packetsSent == 0)
    }

    @Test func wrongNetworkIsRefused() async throws {
        let a = try await TestNode.start("network A")
        let stranger = try await TestNode.start("network X", network: "another-network", bootstrap: [a])
        defer { Task { for node in [a, stranger] { await node.mesh.stop() } } }
        #expect(await eventually { a.mesh.statistics.framesRejected >= 1 && stranger.mesh.statistics.framesRejected >= 1 })
        #expect(a.mesh.neighbours.isEmpty && stranger.mesh.neighbours.isEmpty)
    }

    @Test func forgedStaleAndReplayedHellosAreRefused() async throws {
        let a = try await TestNode.start("hello A")
        defer { Task { await a.mesh.stop() } }
        let victim = NodeIdentity(deterministicLabel: "hello victim")
        let forger = NodeIdentity(deterministicLabel: "hello forger")

        // Signed by the forger's key but claiming the victim's node id.
        var forged = MeshHello.signed(by: forger, network: "mesh-test", address: nil, timestamp: wallClockMillis())
        forged.nodeId = victim.nodeId
        let stale = MeshHello.signed(by: victim, network: "mesh-test", address: nil, timestamp: wallClockMillis() - 3_600_000)
        for (hello, count) in [(forged, 1), (stale, 2)] {
            let raw = try await RawPeer.connect(to: a.address)
            await raw.sendFrame(.hello, hello.encoded())
            #expect(await eventually { raw.isClosed }, "the mesh should cut a connection with a bad HELLO")
            #expect(a.mesh.statistics.framesRejected == count)
        }

        // A genuine HELLO is accepted once; the same bytes on a second connection are a replay.
        let genuine = MeshHello.signed(by: victim, network: "mesh-test", address: nil, timestamp: wallClockMillis())
        let first = try await RawPeer.connect(to: a.address)
        await first.sendFrame(.hello, genuine.encoded())
        #expect(await eventually { a.mesh.neighbours.map(\.nodeId) == [victim.nodeId] })
        await first.close()
        #expect(await eventually { a.mesh.neighbours.isEmpty })
        let replay = try await RawPeer.connect(to: a.address)
        await replay.sendFrame(.hello, genuine.encoded())
        #expect(await eventually { replay.isClosed })
        #expect(a.mesh.statistics.framesRejected == 3)
        #expect(a.mesh.statistics.reconnects == 0)
    }

    @Test func brokenPeersAreCutOffWhileNeighboursKeepTalking() async throws {
        // Only the attack may close a connection here: on a loaded machine the few steps between
        // connecting and sending could otherwise outlast the 5 s handshake deadline, which closes
        // the connection without counting a rejected frame.
        let a = try await TestNode.start("broken A") { $0.handshakeTimeout = .seconds(120) }
        let b = try await TestNode.start("broken B", bootstrap: [a])
        defer { Task { for node in [a, b] { await node.mesh.stop() } } }
        #expect(await eventually { a.isNeighbour(of: b) && b.isNeighbour(of: a) })

        var oversized = [UInt8]()
        withUnsafeBytes(of: UInt32(a.mesh.configuration.maxFrameBytes + 1).bigEndian) { oversized += $0 }
        let attacks: [(String, [UInt8])] = [
            ("HTTP instead of frames", Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)),
            ("oversized length prefix alone", oversized),
            ("unknown frame type", [0, 0, 0, 2, 99, 0]),
            ("packet before HELLO", Array(MeshFrame.encode(.packet, payload: [1, 2, 3], allocator: ByteBufferAllocator()).readableBytesView)),
            ("garbage HELLO", [0, 0, 0, 4, MeshFrameKind.hello.rawValue, 1, 200, 3]),
        ]
        for (index, (what, bytes)) in attacks.enumerated() {
            let raw = try await RawPeer.connect(to: a.address)
            await raw.send(bytes)
            #expect(await eventually { raw.isClosed }, "\(what) should close the connection")
            #expect(await eventually { a.mesh.statistics.framesRejected == index + 1 }, "\(what) should be counted")
        }

        let packet = Array("still fine".utf8)
        a.runtime.originate(packet)
        b.runtime.originate(Array("and back".utf8))
        #expect(await eventually { b.runtime.copies(of: packet) == 1 && a.runtime.copies(of: Array("and back".utf8)) == 1 })
        #expect(a.mesh.statistics.peersBanned == 0)
    }

    @Test func floodingPeerIsRateLimitedThenBanned() async throws {
        let a = try await TestNode.start("flood A") {
            $0.rateLimit.framesPerSecond = 20
            $0.rateLimit.frameBurst = 20
            $0.misbehaviour.banThreshold = 50
        }
        let b = try await TestNode.start("flood B", bootstrap: [a])
        defer { Task { for node in [a, b] { await node.mesh.stop() } } }
        #expect(await eventually { a.isNeighbour(of: b) })

        let flooder = NodeIdentity(deterministicLabel: "flooder")
        let raw = try await RawPeer.connect(to: a.address)
        await raw.sendFrame(.hello, MeshHello.signed(by: flooder, network: "mesh-test", address: nil, timestamp: wallClockMillis()).encoded())
        #expect(await eventually { a.mesh.neighbours.contains { $0.nodeId == flooder.nodeId } })
        var flood = ByteBuffer()
        for index in 0..<500 {
            var frame = MeshFrame.encode(.packet, payload: Array("flood \(index)".utf8), allocator: ByteBufferAllocator())
            flood.writeBuffer(&frame)
        }
        await raw.send(Array(flood.readableBytesView))

        #expect(await eventually { raw.isClosed }, "a sustained flood should end in a disconnect")
        let statistics = a.mesh.statistics
        #expect(statistics.framesRejected >= 50)
        #expect(statistics.peersBanned == 1)
        let delivered = a.runtime.packets.count { $0.source.peer == flooder.nodeId.hex }
        #expect(delivered >= 20 && delivered < 40, "about the burst gets through, got \(delivered)")
        #expect(!a.mesh.neighbours.contains { $0.nodeId == flooder.nodeId })

        let packet = Array("B is unaffected".utf8)
        b.runtime.originate(packet)
        #expect(await eventually { a.runtime.copies(of: packet) == 1 })
    }

    @Test func reportedPeerIsBannedAndStaysOut() async throws {
        // No decay, so the arithmetic is exact: 25 points per invalid packet, ban at 100.
        let a = try await TestNode.start("ban A") { $0.misbehaviour.decayPerSecond = 0 }
        let b = try await TestNode.start("ban B", bootstrap: [a])
        defer { Task { for node in [a, b] { await node.mesh.stop() } } }
        #expect(await eventually { a.isNeighbour(of: b) })

        let source = PacketSource(transport: "mesh", peer: b.nodeId.hex)
        for _ in 0..<3 { a.mesh.report(source, .invalid) }
        let stillConnected = await eventually(timeout: .milliseconds(300)) { !a.isNeighbour(of: b) }
        #expect(!stillConnected, "three reports (75 points) stay under the threshold of 100")
        a.mesh.report(source, .invalid)
        #expect(await eventually { !a.isNeighbour(of: b) && a.mesh.statistics.peersBanned == 1 })
        // B redials A (its bootstrap peer) after its backoff; A refuses it in the handshake.
        #expect(await eventually { a.mesh.statistics.framesRejected >= 1 })
        #expect(!a.isNeighbour(of: b))
        #expect(a.mesh.statistics.peersBanned == 1)
    }

    /// Starts a node on a chosen port, trying again for a few seconds while the port is in use:
    /// in a full test run other suites open and close loopback sockets all the time, and CI has
    /// seen the bind fail once in a while.
    static func startOnFixedPort(_ start: () async throws -> TestNode) async throws -> TestNode {
        var lastError: (any Error)?
        for _ in 0..<50 {
            do {
                return try await start()
            } catch let error as IOError where error.errnoCode == EADDRINUSE {
                lastError = error
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        throw lastError!
    }

    @Test func restartedPeerIsRedialed() async throws {
        let a = try await TestNode.start("restart A")
        let b = try await Self.startOnFixedPort { try await TestNode.start("restart B", bootstrap: [a], port: try freeLoopbackPort()) }
        #expect(await eventually { a.isNeighbour(of: b) })
        let port = b.address.port
        await b.mesh.stop()
        #expect(await eventually { a.mesh.neighbours.isEmpty })

        // Same identity and port, no bootstrap peers: only A's redial can bring it back.
        let restarted = ContinuousClock.now
        let again = try await Self.startOnFixedPort { try await TestNode.start("restart B", port: port) }
        defer { Task { for node in [a, again] { await node.mesh.stop() } } }
        #expect(await eventually { a.isNeighbour(of: again) && a.mesh.statistics.reconnects >= 1 })
        print("Mesh peer restart: redialed \(ContinuousClock.now - restarted) after the peer came back")
        #expect(again.mesh.neighbours.first?.isOutbound == false, "A dialed the new B")

        let packet = Array("welcome back".utf8)
        a.runtime.originate(packet)
        #expect(await eventually { again.runtime.copies(of: packet) == 1 })
        #expect(b.runtime.copies(of: packet) == 0, "the stopped mesh delivers nothing")
    }

    @Test func stopClosesEverythingAndSendsAreDropped() async throws {
        let a = try await TestNode.start("stop A")
        let b = try await TestNode.start("stop B", bootstrap: [a])
        #expect(await eventually { b.isNeighbour(of: a) })
        await a.mesh.stop()
        #expect(await eventually { b.mesh.neighbours.isEmpty })
        b.runtime.originate(Array("nobody listens".utf8))
        #expect(await eventually { b.mesh.statistics.packetsDropped == 1 })
        await b.mesh.stop()
        await #expect(throws: MeshError.alreadyStarted) { try await b.mesh.start { _ in } }
    }
}
