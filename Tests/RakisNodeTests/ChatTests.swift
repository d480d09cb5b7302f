import Testing
import RakisCore
@testable import RakisNode

/// Chat messages at the state machine: checked, rate-limited, handed to the runtime, and kept
/// apart from everything inference.
@Suite struct ChatTests {
    func chat(_ text: String, from identity: NodeIdentity, at time: Millis) -> Envelope {
        Envelope(signing: Packet(.chat(ChatPost(text: text)), createdAt: time), network: TestCluster.network, identity: identity)
    }

    @Test func aPostedMessageReachesEveryNodeAndTouchesNoRequest() {
        let cluster = TestCluster(serving: 2, followers: 1)
        let step = cluster.nodes[0].handle(.chatSubmitted(text: "hello\nall"), now: cluster.now)
        guard case let .chatPosted(packetId) = step.verdict else { Issue.record("not posted: \(step.verdict)"); return }
        // One broadcast and the node's own notification: nothing stored, no timer, no job.
        #expect(step.effects.count == 2)
        guard case let .broadcast(envelope)? = step.effects.first, case let .notify(.chat(notified, via: nil))? = step.effects.last,
              notified.id == envelope.id else {
            Issue.record("effects: \(step.effects)"); return
        }
        #expect(envelope.id == packetId && envelope.chat?.text == "hello\nall" && envelope.packet.createdAt == cluster.now)
        cluster.schedule(1, .packetReceived(envelope, via: "mesh"), at: cluster.now + 5)
        cluster.schedule(2, .packetReceived(envelope, via: "mqtt"), at: cluster.now + 7)
        cluster.run(until: cluster.now + 100)
        for node in [1, 2] {
            let received = cluster.notifications.filter { $0.node == node }.compactMap { entry -> (Envelope, TransportName?)? in
                if case let .chat(chat, via) = entry.notification { (chat, via) } else { nil }
            }
            #expect(received.count == 1 && received.first?.0.id == packetId, "node \(node)")
            #expect(received.first?.1 == (node == 1 ? "mesh" : "mqtt"))
            #expect(cluster.nodes[node].records.isEmpty && cluster.nodes[node].orphans.count == 0)
        }
        #expect(cluster.persisted.values.allSatisfy { records in records.allSatisfy { if case .packet = $0 { false } else { true } } })
        #expect(cluster.rejections().isEmpty)
    }

    @Test func aLocalMessageOutsideTheRulesIsRefusedBeforeItIsSigned() {
        let cluster = TestCluster(serving: 1)
        for text in ["", String(repeating: "x", count: 501), "bell\u{07}"] {
            let step = cluster.nodes[0].handle(.chatSubmitted(text: text), now: cluster.now)
            guard case .submissionRejected(.outOfRange(field: "chat.text", _)) = step.verdict else {
                Issue.record("\(text.debugDescription): \(step.verdict)"); continue
            }
            #expect(step.effects.isEmpty)
        }
    }

    @Test func aSenderBeyondItsRateIsRefusedAndLetBackInAsItsAllowanceRefills() {
        let cluster = TestCluster(serving: 2)
        let sender = cluster.nodes[1].identity
        let now = cluster.now
        var verdicts: [NodeVerdict] = []
        for index in 0..<11 {
            verdicts.append(cluster.nodes[0].handle(.packetReceived(chat("message \(index)", from: sender, at: now), via: "mesh"), now: now).verdict)
        }
        #expect(verdicts.prefix(10).allSatisfy { $0 == .accepted }, "a burst of ten")
        guard case let .rejected(.rateLimited(reason)) = verdicts.last else { Issue.record("the eleventh: \(verdicts.last!)"); return }
        #expect(reason == "chat from \(sender.nodeId.short) beyond 1 message a second (bursts of 10)")
        let later = cluster.nodes[0].handle(.packetReceived(chat("a second later", from: sender, at: now + 1_000), via: "mesh"), now: now + 1_000)
        #expect(later.verdict == .accepted)

        // The node holds its own messages to the same rate.
        for index in 0..<10 { _ = cluster.nodes[1].handle(.chatSubmitted(text: "own \(index)"), now: now) }
        let own = cluster.nodes[1].handle(.chatSubmitted(text: "one too many"), now: now)
        guard case .submissionRejected(.rateLimited) = own.verdict else { Issue.record("own eleventh: \(own.verdict)"); return }
        #expect(own.effects.isEmpty)
    }

    /// Fresh identities cost nothing, so together they share one allowance; a weighted sender
    /// spends only its own and still gets through a swarm.
    @Test func identitiesWithoutWeightShareOneAllowance() {
        let cluster = TestCluster(serving: 2)
        let now = cluster.now
        let verdicts = (0..<21).map { index in
            cluster.nodes[0].handle(.packetReceived(chat("hi", from: NodeIdentity(deterministicLabel: "fresh \(index)"), at: now), via: "mqtt"),
                                    now: now).verdict
        }
        #expect(verdicts.prefix(20).allSatisfy { $0 == .accepted })
        guard case let .rejected(.rateLimited(reason)) = verdicts.last else { Issue.record("the 21st: \(verdicts.last!)"); return }
        #expect(reason == "chat from identities without weight beyond 5 messages a second together (bursts of 20)")
        let member = cluster.nodes[0].handle(.packetReceived(chat("still here", from: cluster.nodes[1].identity, at: now), via: "mqtt"), now: now)
        #expect(member.verdict == .accepted)
    }

    @Test func copiesAndStaleMessagesAreRefused() {
        let cluster = TestCluster(serving: 2)
        let message = chat("once", from: cluster.nodes[1].identity, at: cluster.now)
        #expect(cluster.nodes[0].handle(.packetReceived(message, via: "mesh"), now: cluster.now).verdict == .accepted)
        #expect(cluster.nodes[0].handle(.packetReceived(message, via: "nostr"), now: cluster.now + 3).verdict == .rejected(.duplicate))
        let old = chat("from long ago", from: cluster.nodes[1].identity, at: cluster.now - 40_000)
        guard case .rejected(.clockSkew) = cluster.nodes[0].handle(.packetReceived(old, via: "mesh"), now: cluster.now).verdict else {
            Issue.record("a stale chat message was taken"); return
        }
    }
}
