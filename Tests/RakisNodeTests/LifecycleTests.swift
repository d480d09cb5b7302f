import Testing
import RakisCore
@testable import RakisNode

/// Every lifecycle path of the node state machine, the failure paths included.
@Suite struct LifecycleTests {
    @Test func honestNodesFinalizeTheSameOutputBeforeTheCommitDeadline() {
        let cluster = TestCluster(serving: 4)
        let spec = cluster.spec()
        let id = cluster.submit(spec, at: 0)
        cluster.run(until: cluster.now + 20_000)
        let chosen = (0..<4).compactMap { cluster.chosen(id, at: $0) }
        #expect(chosen.count == 4)
        #expect(Set(chosen.map(\.commitment)).count == 1)
        #expect(chosen.first?.output == "Four.")
        // Event-driven: the result arrives long before the commit deadline.
        let concludedAt = cluster.conclusion(id, at: 0)!.concludedAt
        #expect(concludedAt < TestCluster.start + 100 + spec.commitWindow)
        // A quorum member walks every phase in order.
        let member = chosen[0].node
        let memberIndex = cluster.nodes.firstIndex { $0.nodeId == member }!
        #expect(cluster.phases(id, at: memberIndex) == [.seen, .inferring, .committed, .quorumFixed, .revealed, .verified, .final])
    }

    @Test func aFollowerVerifiesAndReachesTheSameResult() {
        let cluster = TestCluster(serving: 3, followers: 1)
        let id = cluster.submit(cluster.spec(), at: 3)
        cluster.run(until: cluster.now + 20_000)
        #expect(cluster.chosen(id, at: 3) != nil)
        #expect(cluster.chosen(id, at: 3) == cluster.chosen(id, at: 0))
        #expect(cluster.phases(id, at: 3) == [.seen, .quorumFixed, .verified, .final])
        // The follower verified by re-embedding, it did not take the result on trust.
        #expect(!cluster.broadcasts.contains { $0.node == 3 && $0.envelope.commit != nil })
    }

    @Test func tooFewWorkersFailsWithNotEnoughCommits() {
        let cluster = TestCluster(serving: 2, followers: 1)
        let id = cluster.submit(cluster.spec(), at: 2)
        cluster.run(until: cluster.now + 20_000)
        for node in 0..<3 {
            #expect(cluster.failure(id, at: node) == .notEnoughCommits(have: 2, need: 3))
        }
    }

    @Test func aMemberThatWithholdsItsRevealCannotFailTheRequest() {
        let cluster = TestCluster(serving: 3)
        // Node 1 goes silent once it has committed; nodes 0 and 2 alone hold 2 of 3 seats, the threshold.
        cluster.link = { from, _, envelope in from != 1 || envelope.commit != nil || envelope.request != nil }
        let id = cluster.submit(cluster.spec(), at: 0)
        cluster.run(until: cluster.now + 20_000)
        let silent = cluster.nodes[1].nodeId
        let chosen = cluster.chosen(id, at: 0)
        #expect(chosen != nil && chosen?.cluster.count == 2)
        #expect(cluster.chosen(id, at: 2) == chosen, "the other member decides over the fixer's reveal set")
        let faults = cluster.notifications.compactMap { entry -> NodeID? in
            guard entry.node == 0, case let .memberFaulted(_, member, .withheld) = entry.notification else { return nil }
            return member
        }
        #expect(faults == [silent])
    }

    @Test func withholdersThatHoldTheThresholdFailTheRequest() {
        let cluster = TestCluster(serving: 3)
        // Nodes 1 and 2 go silent after committing: node 0 alone cannot reach 2 of 3 seats.
        cluster.link = { from, _, envelope in from == 0 || envelope.commit != nil || envelope.request != nil }
        let id = cluster.submit(cluster.spec(), at: 0)
        cluster.run(until: cluster.now + 20_000)
        guard case let .missingReveals(missing)? = cluster.failure(id, at: 0) else {
            Issue.record("expected missing reveals, got \(String(describing: cluster.failure(id, at: 0)))"); return
        }
        #expect(Set(missing) == Set([cluster.nodes[1].nodeId, cluster.nodes[2].nodeId]))
    }

    @Test func aRevealThatDoesNotMatchItsCommitIsRejected() {
        let cluster = TestCluster(serving: 4)
        let liar = cluster.nodes[3].identity
        // Node 3 swaps its output after committing, and re-signs the reveal.
        cluster.rewrite = { from, envelope in
            guard from == 3, let reveal = envelope.reveal else { return envelope }
            let swapped = Reveal(requestId: reveal.requestId, inferenceId: reveal.inferenceId, model: reveal.model,
                                 output: "Five.", salt: reveal.salt, embedding: reveal.embedding)
            return Envelope(signing: Packet(.reveal(swapped), createdAt: envelope.packet.createdAt), network: TestCluster.network, identity: liar)
        }
        let id = cluster.submit(cluster.spec(quorum: 4, secPercentage: 0.75), at: 0)
        cluster.run(until: cluster.now + 20_000)
        for node in 0..<3 {
            #expect(cluster.rejections(at: node).contains { "\($0)".contains("does not re-derive its commitment") })
            #expect(cluster.chosen(id, at: node)?.output != "Five.")
        }
        // Honest nodes that conclude agree (here they learn the liar's true reveal from its
        // certificate, or fail for want of it; never do they count the swapped one).
        let finals = Set((0..<3).compactMap { cluster.chosen(id, at: $0)?.commitment })
        #expect(finals.count <= 1)
    }

    @Test func anEquivocatingMemberCannotSplitHonestNodes() {
        let cluster = TestCluster(serving: 4)
        let liar = cluster.nodes[3].identity
        var equivocated = false
        // Node 1 never hears node 3's true reveal directly; node 3 sends it a mismatching one first.
        cluster.link = { from, to, envelope in !(from == 3 && to == 1 && envelope.reveal != nil) }
        cluster.rewrite = { [unowned cluster] from, envelope in
            guard from == 3, let reveal = envelope.reveal, !equivocated else { return envelope }
            equivocated = true
            let other = Reveal(requestId: reveal.requestId, inferenceId: reveal.inferenceId, model: reveal.model,
                               output: "Five.", salt: reveal.salt, embedding: reveal.embedding)
            cluster.deliver(Envelope(signing: Packet(.reveal(other), createdAt: envelope.packet.createdAt),
                                     network: TestCluster.network, identity: liar), to: 1)
            return envelope
        }
        let id = cluster.submit(cluster.spec(quorum: 4, secPercentage: 0.75), at: 0)
        cluster.run(until: cluster.now + 20_000)
        #expect(equivocated)
        let finals = (0..<3).compactMap { cluster.chosen(id, at: $0) }
        #expect(finals.count == 3, "node 1 got the true reveal from the fixer's certificate")
        #expect(Set(finals.map(\.commitment)).count == 1)
        #expect(Set(finals.map(\.cluster)).count == 1)
    }

    @Test func aRevealWhoseEmbeddingLiesIsExcluded() {
        let cluster = TestCluster(serving: 3)
        // Node 2 commits to an embedding that is not its output's.
        cluster.embedOwn = { node, text in node == 2 ? TestCluster.embed("something else entirely") : TestCluster.embed(text) }
        let id = cluster.submit(cluster.spec(), at: 0)
        cluster.run(until: cluster.now + 20_000)
        for node in 0..<2 {
            #expect(cluster.chosen(id, at: node)?.cluster.count == 2)
        }
    }

    @Test func adversarialOutputsDoNotWinAgainstAnHonestMajority() {
        let cluster = TestCluster(serving: 5)
        cluster.infer = { node, _ in node == 4 ? "A completely different and wrong answer." : "Four." }
        let id = cluster.submit(cluster.spec(quorum: 5, secPercentage: 0.6), at: 0)
        cluster.run(until: cluster.now + 20_000)
        #expect(cluster.chosen(id, at: 0)?.output == "Four.")
        #expect(cluster.chosen(id, at: 0)?.cluster.count == 4)
    }

    @Test func noClusterLargeEnoughFailsTheRequest() {
        let cluster = TestCluster(serving: 3)
        cluster.infer = { node, _ in "answer number \(node)" }
        let id = cluster.submit(cluster.spec(), at: 0)
        cluster.run(until: cluster.now + 20_000)
        #expect(cluster.failure(id, at: 0) == .consensus(.noClusterLargeEnough(largest: 1, required: 2)))
    }

    @Test func conflictingFallbackQuorumsResolveToTheSameOne() {
        let cluster = TestCluster(serving: 4, followers: 1)
        // The origin (a follower) goes silent after sending its request.
        cluster.link = { from, _, envelope in from != 4 || envelope.request != nil }
        let id = cluster.submit(cluster.spec(), at: 4)
        cluster.run(until: cluster.now + 30_000)
        let quorums = Set(cluster.broadcasts.filter { $0.envelope.quorum != nil && $0.envelope.sender != cluster.nodes[4].nodeId }.map(\.envelope.id))
        #expect(quorums.count >= 2, "several workers fixed a fallback quorum")
        let results = (0..<4).compactMap { cluster.chosen(id, at: $0) }
        #expect(results.count == 4)
        #expect(Set(results.map(\.commitment)).count == 1)
        #expect(cluster.notifications.contains { if case .conflictingQuorum = $0.notification { true } else { false } })
    }

    @Test func everyRequestReachesAFinalStateUnderRandomLoss() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<5 {
            let cluster = TestCluster(serving: 4, followers: 1)
            cluster.link = { _, _, _ in Double.random(in: 0..<1, using: &random) > 0.4 }
            let ids = (0..<3).map { cluster.submit(cluster.spec(), at: $0) }
            cluster.run(until: cluster.now + 60_000)
            for node in 0..<5 {
                #expect(cluster.nodes[node].openRequests.isEmpty)
            }
            var finals: [Hash256: Set<Hash256>] = [:]
            for id in ids {
                for node in 0..<5 { if let chosen = cluster.chosen(id, at: node) { finals[id, default: []].insert(chosen.commitment) } }
            }
            #expect(finals.values.allSatisfy { $0.count == 1 }, "every node that finalizes agrees")
        }
    }
}

/// An open network: admission tickets instead of a list, quorums at the commit deadline.
@Suite struct OpenMembershipTests {
    @Test func ticketHoldersReachConsensusAtTheCommitDeadline() throws {
        let cluster = TestCluster(serving: 4, openDifficulty: 6)
        let spec = cluster.spec()
        let id = cluster.submit(spec, at: 0)
        cluster.run(until: cluster.now + 30_000)
        let chosen = try #require(cluster.chosen(id, at: 0))
        #expect((1..<4).allSatisfy { cluster.chosen(id, at: $0) == chosen })
        // Nothing can be complete without a list of candidates: the origin fixed at the deadline.
        let quorum = try #require(cluster.broadcasts.first { $0.envelope.quorum != nil }?.envelope)
        #expect(quorum.packet.createdAt >= TestCluster.start + 100 + spec.commitWindow - 200)
        #expect(quorum.quorum!.commits.allSatisfy { $0.commit?.ticket != nil }, "every commit shows its ticket")
    }
}
