import RakisCore
import Testing
@testable import RakisRuntime

/// The chat buffer: each message with the transports that brought it, bounded.
@Suite struct RecentChatTests {
    let peer = NodeIdentity(deterministicLabel: "chat peer")
    let start: Millis = 1_700_000_000_000

    func message(_ text: String, at time: Millis) -> Envelope {
        Envelope(signing: Packet(.chat(ChatPost(text: text)), createdAt: time), network: "rakis-test", identity: peer)
    }

    @Test func eachTransportIsRecordedOnceInOrderOfArrival() {
        var chat = RecentChat()
        let hello = message("hello", at: start)
        let first = chat.add(hello, text: "hello", via: "mesh", at: start + 3)
        #expect(first == ChatEntry(packetId: hello.id, sender: peer.nodeId, text: "hello", sentAt: start, own: false,
                                   deliveries: [ChatDelivery(transport: "mesh", receivedAt: start + 3, sentAt: start)]))
        #expect(chat.delivered(hello.id, over: "mqtt", at: start + 5)?.deliveries.map(\.transport) == ["mesh", "mqtt"])
        #expect(chat.delivered(hello.id, over: "mesh", at: start + 8) == nil, "the mesh had brought it")
        let entry = chat.delivered(hello.id, over: "nostr", at: start + 41)
        #expect(entry?.deliveries.map(\.delay) == [3, 5, 41])
        #expect(chat.delivered(Hash256.of([1]), over: "mesh", at: start) == nil, "an unknown message")
        #expect(chat.recent(limit: 10) == [entry!])
    }

    @Test func ownMessagesStartWithoutDeliveriesAndCollectTheirEchoes() {
        var chat = RecentChat()
        let own = message("mine", at: start)
        let entry = chat.add(own, text: "mine", via: nil, at: start)
        #expect(entry.own && entry.deliveries.isEmpty)
        #expect(chat.delivered(own.id, over: "mqtt", at: start + 2)?.deliveries == [ChatDelivery(transport: "mqtt", receivedAt: start + 2, sentAt: start)])
        #expect(chat.entry(own.id)?.own == true)
    }

    @Test func theOldestMessagesGoFirst() {
        var chat = RecentChat()
        for index in 0..<(RecentChat.capacity + 5) {
            _ = chat.add(message("message \(index)", at: start + Millis(index)), text: "message \(index)", via: "mesh", at: start + Millis(index))
        }
        let all = chat.recent(limit: 10_000)
        #expect(all.count == RecentChat.capacity)
        #expect(all.first?.text == "message 5" && all.last?.text == "message \(RecentChat.capacity + 4)")
        #expect(chat.recent(limit: 2).map(\.text) == ["message \(RecentChat.capacity + 3)", "message \(RecentChat.capacity + 4)"])
        #expect(chat.delivered(message("message 0", at: start).id, over: "mqtt", at: start) == nil, "forgotten")
    }
}
