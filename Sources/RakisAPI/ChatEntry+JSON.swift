import RakisCore
import RakisRuntime

extension ChatEntry {
    /// How clients see a chat message (`GET /api/chat`, the `chat` event, `rakis chat`): who
    /// wrote it and when by its clock, and each transport that brought it, in order of arrival,
    /// with its delay.
    var json: JSONValue {
        [
            "packetId": .string(packetId.hex), "sender": .string(sender.hex), "text": .string(text),
            "sentAt": .number(Double(sentAt)), "own": .bool(own),
            "deliveries": .array(deliveries.map { delivery in
                ["transport": .string(delivery.transport), "receivedAt": .number(Double(delivery.receivedAt)),
                 "delayMs": .number(Double(delivery.delay))]
            }),
        ]
    }
}
