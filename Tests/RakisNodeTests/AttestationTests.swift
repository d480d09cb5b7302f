import Testing
import RakisCore
@testable import RakisNode

/// Chain attestations in the state machine: a node at which a chain request is final publishes
/// one; others accept weighted nodes' attestations, keep them and pass them to the connector;
/// anything else is refused.
@Suite struct AttestationTests {
    func chainSpec(_ cluster: TestCluster) -> RequestSpec {
        var spec = cluster.spec()
        spec.originKind = .chain
        spec.chain = ChainCoordinates(chainId: 1337, contract: "0x" + String(repeating: "ab", count: 20), chainRequestId: "7")
        return spec
    }

    func attestation(for requestId: Hash256) -> ChainAttestation {
        ChainAttestation(requestId: requestId, address: "0x" + String(repeating: "cd", count: 20), outputHash: Array(repeating: 1, count: 32),
                         commitmentSetHash: Array(repeating: 2, count: 32), signature: Array(repeating: 3, count: 65),
                         link: Array(repeating: 4, count: 65))
    }

    func received(_ cluster: TestCluster, by node: Int) -> [Envelope] {
        cluster.notifications.compactMap { entry in
            if entry.node == node, case let .attestationReceived(envelope) = entry.notification { envelope } else { nil }
        }
    }

    @Test func aMemberPublishesItsAttestationAndTheOthersKeepIt() throws {
        let cluster = TestCluster(serving: 3)
        let id = cluster.submit(chainSpec(cluster), at: 0)
        cluster.run(until: cluster.now + 3_000)
        #expect((0..<3).allSatisfy { cluster.chosen(id, at: $0) != nil })

        cluster.schedule(1, .attest(attestation(for: id)), at: cluster.now)
        cluster.run(until: cluster.now + 1_000)
        let published = try #require(cluster.broadcasts.last { $0.node == 1 }?.envelope)
        #expect(published.attestation == attestation(for: id))
        for node in [0, 2] {
            #expect(received(cluster, by: node).map(\.id) == [published.id])
            #expect(cluster.persisted[node]?.contains { if case let .packet(envelope) = $0 { envelope.id == published.id } else { false } } == true)
        }
    }

    @Test func noAttestationForARequestFromOutsideAChain() {
        let cluster = TestCluster(serving: 3)
        let id = cluster.submit(cluster.spec(), at: 0)
        cluster.run(until: cluster.now + 3_000)
        let before = cluster.broadcasts.count
        cluster.schedule(1, .attest(attestation(for: id)), at: cluster.now)
        cluster.run(until: cluster.now + 1_000)
        #expect(cluster.broadcasts.count == before)
        #expect(cluster.notifications.contains { if case .attestationRefused(id) = $0.notification { $0.node == 1 } else { false } })

        // Nor is one accepted from the network.
        let forged = Envelope(signing: Packet(.attestation(attestation(for: id)), createdAt: cluster.now),
                              network: TestCluster.network, identity: cluster.nodes[1].identity)
        cluster.deliver(forged, to: 0)
        cluster.run(until: cluster.now + 1_000)
        #expect(received(cluster, by: 0).isEmpty)
        #expect(cluster.notifications.contains { if case .packetRejected(.inconsistent, _, _) = $0.notification { $0.node == 0 } else { false } })
    }

    /// The contract draws its own committee, so a weighted node outside the network's quorum may
    /// attest; an identity without weight may not.
    @Test func anAttestationFromOutsideTheQuorumIsKeptOnlyFromAWeightedNode() throws {
        let cluster = TestCluster(serving: 4)
        var spec = chainSpec(cluster)
        spec.quorum = 3
        let id = cluster.submit(spec, at: 0)
        cluster.run(until: cluster.now + 3_000)
        let members = Set(cluster.conclusion(id, at: 0)?.certificate?.quorum.quorum?.commits.map(\.sender) ?? [])
        let outsider = try #require(cluster.nodes.indices.first { !members.contains(cluster.nodes[$0].nodeId) },
                                    "all four nodes in a quorum of three")
        let receiver = outsider == 0 ? 1 : 0
        let stranger = Envelope(signing: Packet(.attestation(attestation(for: id)), createdAt: cluster.now),
                                network: TestCluster.network, identity: NodeIdentity(deterministicLabel: "a key with no weight"))
        cluster.deliver(stranger, to: receiver)
        cluster.run(until: cluster.now + 1_000)
        #expect(received(cluster, by: receiver).isEmpty)
        #expect(cluster.notifications.contains { if case .packetRejected(.notAdmitted, _, _) = $0.notification { $0.node == receiver } else { false } })

        let envelope = Envelope(signing: Packet(.attestation(attestation(for: id)), createdAt: cluster.now),
                                network: TestCluster.network, identity: cluster.nodes[outsider].identity)
        cluster.deliver(envelope, to: receiver)
        cluster.run(until: cluster.now + 1_000)
        #expect(received(cluster, by: receiver).map(\.id) == [envelope.id])
    }

    @Test func malformedAttestationsFailValidation() throws {
        let identity = NodeIdentity(deterministicLabel: "attester")
        let bad = ChainAttestation(requestId: Hash256.of([1]), address: "0xABCD", outputHash: [1], commitmentSetHash: Array(repeating: 0, count: 32),
                                   signature: Array(repeating: 0, count: 65), link: Array(repeating: 0, count: 65))
        let envelope = Envelope(signing: Packet(.attestation(bad), createdAt: 0), network: "n", identity: identity)
        #expect(throws: PacketRejection.self) { try PacketValidator(network: "n", membership: .equalWeights([envelope.sender])).validate(envelope, now: 0) }
        // And the wire form round-trips.
        let good = attestation(for: Hash256.of([2]))
        let wire = Envelope(signing: Packet(.attestation(good), createdAt: 0), network: "n", identity: identity)
        #expect(try Envelope.decode(wire.wireBytes).attestation == good)
    }
}
