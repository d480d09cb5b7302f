@testable import RakisAPI
import RakisCore
import RakisNetwork
import RakisRuntime
import Testing

/// The transport chat's routes and the transport figures, as clients, the dashboard's chat page
/// and `rakis chat` read them.
struct ChatRoutesTests {
    static let peer = NodeIdentity(deterministicLabel: "chat peer").nodeId
    static let received = ChatEntry(packetId: Hash256.of(Array("first".utf8)), sender: peer, text: "hello\nover every transport",
                                    sentAt: 1_700_000_000_000, own: false,
                                    deliveries: [ChatDelivery(transport: "mesh", receivedAt: 1_700_000_000_003, sentAt: 1_700_000_000_000),
                                                 ChatDelivery(transport: "nostr", receivedAt: 1_700_000_000_041, sentAt: 1_700_000_000_000)])
    static let later = ChatEntry(packetId: Hash256.of(Array("second".utf8)), sender: peer, text: "again", sentAt: 1_700_000_001_000, own: false)

    @Test func recentMessagesComeOldestFirstWithEachTransportAndItsDelay() async throws {
        let node = StandInNode(chat: [Self.received, Self.later])
        let answer = try await call(node, .get, "/api/chat")
        #expect(answer.status == .ok)
        #expect(answer.body == [
            ["packetId": .string(Self.received.packetId.hex), "sender": .string(Self.peer.hex), "text": "hello\nover every transport",
             "sentAt": 1_700_000_000_000, "own": false,
             "deliveries": [["transport": "mesh", "receivedAt": 1_700_000_000_003, "delayMs": 3],
                            ["transport": "nostr", "receivedAt": 1_700_000_000_041, "delayMs": 41]]],
            ["packetId": .string(Self.later.packetId.hex), "sender": .string(Self.peer.hex), "text": "again",
             "sentAt": 1_700_000_001_000, "own": false, "deliveries": []],
        ])
        let last = try await call(node, .get, "/api/chat?limit=1")
        guard case let .array(entries) = last.body else { Issue.record("not an array: \(last.body)"); return }
        #expect(entries == [Self.later.json])
    }

    @Test func aPostedMessageIsSignedByTheNodeAndAnsweredAsItStands() async throws {
        let node = StandInNode()
        let answer = try await call(node, .post, "/api/chat", body: ["text": "hi all"])
        #expect(answer.status == .created)
        #expect(answer.body == ["packetId": .string(Hash256.of(Array("hi all".utf8)).hex), "sender": .string(node.nodeId.hex), "text": "hi all",
                                "sentAt": .number(Double(node.startedAt)), "own": true, "deliveries": []])
        #expect(node.chat.withLock { $0.map(\.text) } == ["hi all"])
    }

    @Test func aBadBodyOrARefusedMessageNamesWhy() async throws {
        let node = StandInNode()
        let unknown = try await call(node, .post, "/api/chat", body: ["text": "hi", "to": "everyone"])
        #expect(unknown.status == .badRequest)
        #expect(unknown.body == apiError("the request body: unknown field \"to\"", type: "invalid_request_error"))
        let missing = try await call(node, .post, "/api/chat", body: [:])
        #expect(missing.body == apiError("text: missing required field", type: "invalid_request_error", param: "text"))
        let notText = try await call(node, .post, "/api/chat", body: ["text": 5])
        #expect(notText.status == .badRequest)
        #expect(notText.body == apiError("text: expected a string, found number", type: "invalid_request_error", param: "text"))

        let tooLong = PacketRejection.outOfRange(field: "chat.text", detail: "501 bytes of UTF-8, must be 1...500")
        let refused = try await call(StandInNode(chatRefusal: tooLong), .post, "/api/chat", body: ["text": "x"])
        #expect(refused.status == .badRequest)
        #expect(refused.body == apiError("the message was refused: \(tooLong)", type: "invalid_request_error", param: "text"))

        let tooFast = PacketRejection.rateLimited("this node's chat beyond 1 message a second (bursts of 10)")
        let limited = try await call(StandInNode(chatRefusal: tooFast), .post, "/api/chat", body: ["text": "x"])
        #expect(limited.status == .tooManyRequests)
        #expect(limited.body == apiError("the message was refused: \(tooFast)", type: "rate_limit_error"))
        #expect(node.chat.withLock { $0 }.isEmpty)
    }

    @Test func transportsGiveTheirCountersLatencyAndLossOverTheWindow() async throws {
        var mqtt = TransportStatistics()
        mqtt.connected = true
        mqtt.connections = 1
        let delivery = TransportDelivery(transport: "mqtt", delivered: 10, firsts: 6, latency: LatencyPercentiles(p50: 4, p90: 7, p99: 12, max: 12),
                                         expected: 8, lost: 0)
        let node = StandInNode(transportStatistics: [("mqtt", mqtt)],
                               deliveryReport: TransportDeliveryReport(packets: 10, settled: 8, transports: [delivery]))
        let answer = try await call(node, .get, "/api/transports")
        #expect(answer.status == .ok)
        #expect(answer.body == [
            "window": ["packets": 10, "settled": 8, "maxPackets": 2_048, "maxAgeMs": 600_000, "graceMs": 10_000],
            "transports": [["name": "mqtt", "connected": true, "connections": 1, "packetsSent": 0, "packetsReceived": 0, "bytesSent": 0,
                            "bytesReceived": 0, "reconnects": 0, "peersBanned": 0,
                            "delivery": ["delivered": 10, "firsts": 6, "latencyMs": ["p50": 4, "p90": 7, "p99": 12, "max": 12],
                                         "expected": 8, "lost": 0, "loss": 0]]],
        ])
        let silent = TransportDelivery(transport: "mqtt", delivered: 0, firsts: 0, latency: nil, expected: 0, lost: 0)
        #expect(silent.json == ["delivered": 0, "firsts": 0, "latencyMs": .null, "expected": 0, "lost": 0, "loss": .null])
    }

    /// Live, each chat message comes as a `chat` event; a stream of one request's events has none.
    @Test func chatMessagesStreamAsChatEvents() async throws {
        let node = StandInNode(liveEvents: [.chat(Self.received), .phase(requestId: StandInNode.requestId, phase: .seen, at: 1)])
        let all = try await callText(node, .get, "/api/events", body: [:])
        #expect(all.text.contains("event: chat\ndata: \(Self.received.json.canonicalString)\n\n"))
        let one = try await callText(node, .get, "/api/events?request=\(StandInNode.requestId.hex)", body: [:])
        #expect(!one.text.contains("event: chat") && one.text.contains("event: phase"))
    }
}
