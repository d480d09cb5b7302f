import Foundation
import Synchronization
import Testing
import RakisCore
import RakisTestSupport
@testable import RakisNetwork

/// The relay the integration tests use, if any.
private let relayURL = ProcessInfo.processInfo.environment["RAKIS_TEST_NOSTR"]

/// Against a real relay: set RAKIS_TEST_NOSTR to its ws:// URL (see
/// scripts/services/nostr-relay.yaml for a local one).
@Suite(.timeLimit(.minutes(3))) struct NostrRelayTests {
    /// Collects what a transport delivers.
    final class Inbox: Sendable {
        private let packets = Mutex<[ReceivedPacket]>([])
        func deliver(_ packet: ReceivedPacket) { packets.withLock { $0.append(packet) } }
        var received: [ReceivedPacket] { packets.withLock { $0 } }
        func contains(_ bytes: [UInt8], from node: NodeID) -> Bool {
            received.contains { $0.bytes == bytes && $0.source == PacketSource(transport: "nostr", peer: node.hex) }
        }
    }

    /// A fresh network per test run, so events stored by earlier runs stay out.
    func node(_ network: String) throws -> (NostrTransport, NodeID, Inbox) {
        let identity = NodeIdentity.generate()
        let transport = try NostrTransport(
            identity: identity, configuration: NostrTransportConfiguration(relays: [relayURL!], network: network))
        return (transport, identity.nodeId, Inbox())
    }

    func packet(_ text: String) -> [UInt8] { Array(#"{"test":"\#(text)"}"#.utf8) }

    @Test(.requires(.nostrRelay))
    func twoNodesExchangePacketsBothWays() async throws {
        let network = "test-\(UInt64.random(in: 0 ... .max))"
        let (alice, aliceId, aliceInbox) = try node(network)
        let (bob, bobId, bobInbox) = try node(network)
        try await alice.start(deliver: { aliceInbox.deliver($0) })
        try await bob.start(deliver: { bobInbox.deliver($0) })
        #expect(await eventually { alice.statistics.connected && bob.statistics.connected })

        alice.send(packet("from alice"), except: nil)
        bob.send(packet("from bob"), except: nil)
        // What came from Nostr is not published there again.
        bob.send(packet("relayed"), except: PacketSource(transport: "nostr", peer: aliceId.hex))
        #expect(await eventually { bobInbox.contains(packet("from alice"), from: aliceId) })
        #expect(await eventually { aliceInbox.contains(packet("from bob"), from: bobId) })
        try await Task.sleep(for: .milliseconds(500))
        #expect(!aliceInbox.received.contains { $0.bytes == packet("from alice") }, "own events are not delivered")
        #expect(!aliceInbox.received.contains { $0.bytes == packet("relayed") })

        await alice.stop()
        await bob.stop()
        let statistics = alice.statistics
        // A relay may deliver an event again after a reconnection (the subscription restarts a
        // minute back); the runtime drops such copies by packet id.
        #expect(statistics.packetsSent == 1 && statistics.packetsReceived >= 1)
        #expect(statistics.bytesSent > 0 && statistics.bytesReceived > 0)
        #expect(statistics.framesRejected == 0 && statistics.packetsDropped == 0)
        #expect(!statistics.connected && statistics.connections == 0)
    }

    @Test(.requires(.nostrRelay))
    func aLateNodeCatchesUpWithStoredEvents() async throws {
        let network = "test-\(UInt64.random(in: 0 ... .max))"
        let (alice, aliceId, aliceInbox) = try node(network)
        try await alice.start(deliver: { aliceInbox.deliver($0) })
        alice.send(packet("before bob"), except: nil)
        #expect(await eventually { alice.statistics.packetsSent == 1 })

        let (bob, _, bobInbox) = try node(network)
        try await bob.start(deliver: { bobInbox.deliver($0) })
        #expect(await eventually { bobInbox.contains(packet("before bob"), from: aliceId) })
        await alice.stop()
        await bob.stop()
    }

    @Test(.requires(.nostrRelay))
    func otherNetworksStayApart() async throws {
        let (alice, _, aliceInbox) = try node("test-\(UInt64.random(in: 0 ... .max))")
        let (bob, _, bobInbox) = try node("test-\(UInt64.random(in: 0 ... .max))")
        try await alice.start(deliver: { aliceInbox.deliver($0) })
        try await bob.start(deliver: { bobInbox.deliver($0) })
        alice.send(packet("other network"), except: nil)
        #expect(await eventually { alice.statistics.packetsSent == 1 && bob.statistics.connected })
        try await Task.sleep(for: .seconds(1))
        #expect(bobInbox.received.isEmpty)
        await alice.stop()
        await bob.stop()
    }

    /// The relay goes down and comes back: the transport reconnects with backoff, subscribes
    /// again from the last event it saw, and the packet sent during the outage is published
    /// from the outbox and reaches the other node.
    @Test(.requires(.nostrRelayProgram))
    func relayRestartReconnectsAndDeliversWhatWasSentDuringTheOutage() async throws {
        let relay = try PrivateNostrRelay()
        try await relay.start()
        let network = "test-\(UInt64.random(in: 0 ... .max))"
        func node() throws -> (NostrTransport, NodeID, Inbox) {
            let identity = NodeIdentity.generate()
            let transport = try NostrTransport(
                identity: identity, configuration: NostrTransportConfiguration(relays: [relay.url], network: network))
            return (transport, identity.nodeId, Inbox())
        }
        let (alice, aliceId, _) = try node()
        let (bob, _, bobInbox) = try node()
        try await alice.start(deliver: { _ in })
        try await bob.start(deliver: { bobInbox.deliver($0) })
        #expect(await eventually { alice.statistics.connected && bob.statistics.connected })

        await relay.stop()
        #expect(await eventually { !alice.statistics.connected && !bob.statistics.connected })
        alice.send(packet("during outage"), except: nil)
        let restarted = ContinuousClock.now
        try await relay.start()
        #expect(await eventually(timeout: .seconds(60)) { alice.statistics.connected && bob.statistics.connected })
        let reconnected = ContinuousClock.now - restarted
        #expect(await eventually { bobInbox.contains(packet("during outage"), from: aliceId) })
        let delivered = ContinuousClock.now - restarted
        #expect(alice.statistics.reconnects >= 1 && bob.statistics.reconnects >= 1)
        print("Nostr relay restart: both reconnected \(reconnected) after the relay restarted; the outage packet arrived after \(delivered)")
        await alice.stop()
        await bob.stop()
        await relay.stop()
    }
}
