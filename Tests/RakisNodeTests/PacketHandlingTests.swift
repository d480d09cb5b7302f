import Testing
import RakisCore
@testable import RakisNode

/// Late packets, replays, forgeries and out-of-order arrival at the state machine.
@Suite struct PacketHandlingTests {
    @Test func duplicatesAndReplaysAreRejected() {
        let cluster = TestCluster(serving: 3)
        let id = cluster.submit(cluster.spec(), at: 0)
        cluster.run(until: cluster.now + 1_000)
        let request = cluster.broadcasts.first { $0.envelope.request?.id == id }!.envelope
        cluster.deliver(request, to: 1)
        cluster.run(until: cluster.now + 10)
        #expect(cluster.rejections(at: 1).last == .duplicate)
        // Long after, the same packet is a stale replay.
        cluster.run(until: cluster.now + 120_000)
        cluster.deliver(request, to: 1)
        cluster.run(until: cluster.now + 10)
        guard case .clockSkew? = cluster.rejections(at: 1).last else { Issue.record("replay accepted"); return }
    }

    @Test func commitsAndAnnouncementsFromIdentitiesWithoutWeightAreRefused() {
        let cluster = TestCluster(serving: 3)
        let id = cluster.submit(cluster.spec(), at: 0)
        let outsider = NodeIdentity(deterministicLabel: "fresh key")
        let commit = Commit(requestId: id, inferenceId: Commitment.inferenceId(requestId: id, nodeId: outsider.nodeId),
                            model: TestCluster.model, commitment: Hash256.of([9]))
        let status = PeerStatus(models: [TestCluster.model], embeddingModels: [TestCluster.embedder], activeJobs: 0, queuedJobs: 0)
        for body in [PacketBody.commit(commit), .peerStatus(status)] {
            let step = cluster.nodes[0].handle(.packetReceived(
                Envelope(signing: Packet(body, createdAt: cluster.now), network: TestCluster.network, identity: outsider), via: "test"),
                now: cluster.now)
            guard case .rejected(.notAdmitted)? = Optional(step.verdict) else {
                Issue.record("\(body.typeName) from an outsider: \(step.verdict)"); continue
            }
        }
    }

    @Test func forgedSignaturesAreRejectedAndCounted() {
        let cluster = TestCluster(serving: 3)
        let id = cluster.submit(cluster.spec(), at: 0)
        cluster.run(until: cluster.now + 1_000)
        // A commit that looks like node 1's, signed by nobody.
        let node1 = cluster.nodes[1].nodeId
        let commit = Commit(requestId: id, inferenceId: Commitment.inferenceId(requestId: id, nodeId: node1),
                            model: TestCluster.model, commitment: Hash256.of([7]))
        var json = Envelope(signing: Packet(.commit(commit), createdAt: cluster.now), network: TestCluster.network,
                            identity: cluster.nodes[1].identity).json
        guard case var .object(fields) = json else { return }
        fields["sig"] = .string(String(repeating: "00", count: 64))
        json = .object(fields)
        let forged = try! Envelope.decode(json.canonicalBytes())
        cluster.deliver(forged, to: 2)
        cluster.run(until: cluster.now + 10)
        #expect(cluster.rejections(at: 2).last == .badSignature(path: "packet"))
    }

    @Test func commitsAfterTheDeadlineAreLate() {
        let cluster = TestCluster(serving: 3)
        let spec = cluster.spec()
        let id = cluster.submit(spec, at: 0)
        cluster.run(until: cluster.now + spec.commitWindow + 500)
        // A member's second commit, made after the deadline: late before anything else.
        let latecomer = cluster.nodes[2].identity
        let commit = Commit(requestId: id, inferenceId: Commitment.inferenceId(requestId: id, nodeId: latecomer.nodeId),
                            model: TestCluster.model, commitment: Hash256.of([1]))
        cluster.deliver(Envelope(signing: Packet(.commit(commit), createdAt: cluster.now), network: TestCluster.network, identity: latecomer), to: 1)
        cluster.run(until: cluster.now + 10)
        guard case .late? = cluster.rejections(at: 1).last else { Issue.record("late commit accepted: \(cluster.rejections(at: 1))"); return }
    }

    @Test func packetsThatOutrunTheirRequestWait() {
        let cluster = TestCluster(serving: 3, followers: 1)
        // The follower (3) gets the request only after everything else.
        var held: Envelope?
        cluster.link = { _, to, envelope in
            if to == 3, envelope.request != nil { held = envelope; return false }
            return true
        }
        let id = cluster.submit(cluster.spec(), at: 0)
        cluster.run(until: cluster.now + 1_000)
        // The quorum packet carried the request, so the follower already concluded.
        #expect(cluster.chosen(id, at: 3) == cluster.chosen(id, at: 0))
        #expect(held != nil)
    }

    /// The verdict is on the packet handed in, not on the orphans it sets free: a valid commit
    /// stays accepted (and is relayed) even when the same sender's reveal, held since it outran
    /// the commit, turns out not to match it.
    @Test func aRejectedOrphanDoesNotBecomeTheVerdictOnThePacketThatReleasedIt() {
        let cluster = TestCluster(serving: 4)
        // Node 3, a member of the network, speaks only through the packets signed here.
        cluster.link = { from, _, _ in from != 3 }
        let id = cluster.submit(cluster.spec(), at: 0)
        let stranger = cluster.nodes[3].identity
        let inferenceId = Commitment.inferenceId(requestId: id, nodeId: stranger.nodeId)
        let reveal = Reveal(requestId: id, inferenceId: inferenceId, model: TestCluster.model, output: "Five.",
                            salt: Commitment.salt(requestId: id, identity: stranger), embedding: TestCluster.embed("Five."))
        let commit = Commit(requestId: id, inferenceId: inferenceId, model: TestCluster.model, commitment: Hash256.of([1]))
        let sign = { (body: PacketBody) in
            Envelope(signing: Packet(body, createdAt: cluster.now), network: TestCluster.network, identity: stranger)
        }
        let origin = cluster.nodes[0]

        let early = origin.handle(.packetReceived(sign(.reveal(reveal)), via: "test"), now: cluster.now)
        #expect(early.verdict == .accepted, "a reveal that outruns its commit is held, not refused")

        let step = origin.handle(.packetReceived(sign(.commit(commit)), via: "test"), now: cluster.now)
        #expect(step.verdict == .accepted)
        let orphanRejections = step.effects.compactMap { effect -> PacketRejection? in
            guard case let .notify(.packetRejected(rejection, sender, _)) = effect, sender == stranger.nodeId else { return nil }
            return rejection
        }
        guard case .inconsistent? = orphanRejections.first else {
            Issue.record("the replayed reveal was not refused: \(orphanRejections)"); return
        }
    }

    @Test func submissionsOutOfRangeAreRejectedLocally() {
        let cluster = TestCluster(serving: 1)
        var spec = cluster.spec()
        spec.quorum = 99
        let step = cluster.nodes[0].handle(.requestSubmitted(spec, nonce: cluster.nextNonce()), now: cluster.now)
        guard case .submissionRejected(.outOfRange(field: "request.frame.quorum", _)) = step.verdict else {
            Issue.record("accepted quorum 99: \(step.verdict)"); return
        }
        #expect(step.effects.isEmpty)
    }
}

@Suite struct DigestSetTests {
    @Test func remembersExactlyWhatWasInserted() {
        var set = DigestSet()
        let inserted = (0..<5_000).map { Hash256.of([UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)]) }
        for id in inserted { set.insert(id) }
        for id in inserted { set.insert(id) }
        #expect(set.count == inserted.count)
        #expect(inserted.allSatisfy { set.contains($0) })
        let absent = (0..<5_000).map { Hash256.of([0xff, UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)]) }
        #expect(!absent.contains { set.contains($0) })
        let zero = Hash256(bytes: [UInt8](repeating: 0, count: 32))
        #expect(!set.contains(zero))
        set.insert(zero)
        #expect(set.contains(zero))
    }

    @Test func recentSetForgetsAfterTwoGenerations() {
        var recent = RecentSet(generation: 1_000)
        let id = Hash256.of([1])
        recent.insert(id, now: 0)
        recent.insert(Hash256.of([2]), now: 1_000)
        #expect(recent.contains(id))
        recent.insert(Hash256.of([3]), now: 2_000)
        #expect(!recent.contains(id))
    }
}

/// A request's table of commits is bounded, and a flood of commits from admitted identities
/// cannot crowd out the ones that rank.
@Suite struct CommitBoundTests {
    @Test func theBestRankedCommitsAreKeptWhenTheTableIsFull() throws {
        let committers = (0..<(RequestRecord.maxCommits + 40)).map { NodeIdentity(deterministicLabel: "committer \($0)") }
        let origin = NodeIdentity(deterministicLabel: "bounded origin")
        let membership = Membership.equalWeights(committers.map(\.nodeId))
        let node = Node(identity: origin, config: NodeConfig(network: TestCluster.network, membership: membership,
                                                             servedModels: [], embeddingModels: [TestCluster.embedder]))
        node.checksInvariants = true
        let now = TestCluster.start
        let spec = RequestSpec(input: .prompt("bounded"), models: [TestCluster.model], embeddingModel: TestCluster.embedder,
                               quorum: 64, commitWindow: 10_000)
        guard case let .submitted(id) = node.handle(.requestSubmitted(spec, nonce: "0b0b"), now: now).verdict else {
            Issue.record("submission refused"); return
        }
        for committer in committers {
            let commit = Commit(requestId: id, inferenceId: Commitment.inferenceId(requestId: id, nodeId: committer.nodeId),
                                model: TestCluster.model, commitment: Hash256.of(committer.nodeId.publicKeyBytes))
            _ = node.handle(.packetReceived(Envelope(signing: Packet(.commit(commit), createdAt: now), network: TestCluster.network,
                                                     identity: committer), via: "test"), now: now)
        }
        let record = try #require(node.records[id])
        #expect(record.commits.count <= RequestRecord.maxCommits)
        let ranked = committers.map(\.nodeId).sorted {
            SeatRank.scores(requestId: id, node: $0, weight: 1, count: 1)[0] < SeatRank.scores(requestId: id, node: $1, weight: 1, count: 1)[0]
        }
        #expect(ranked.prefix(64).allSatisfy { record.commits[$0] != nil }, "the 64 best-ranked committers are all held")
    }
}
