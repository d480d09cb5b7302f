import RakisCore

/// The last chat messages this node saw, its own included, each with the transports that
/// delivered it and how long each took: what `GET /api/chat`, the dashboard's chat page and
/// `rakis chat` show. Bounded: the oldest message goes when a new one would exceed `capacity`.
struct RecentChat {
    static let capacity = 200

    /// Oldest first.
    private var entries: [ChatEntry] = []

    /// A message the node accepted: received over `via`, or its own (`via` nil).
    mutating func add(_ envelope: Envelope, text: String, via: TransportName?, at now: Millis) -> ChatEntry {
        var entry = ChatEntry(packetId: envelope.id, sender: envelope.sender, text: text, sentAt: envelope.packet.createdAt, own: via == nil)
        if let via { entry.deliveries.append(ChatDelivery(transport: via.name, receivedAt: now, sentAt: entry.sentAt)) }
        entries.append(entry)
        if entries.count > Self.capacity { entries.removeFirst(entries.count - Self.capacity) }
        return entry
    }

    /// Another transport's copy of a message held here (for this node's own, an echo); the
    /// message as it now stands, or nil when the message is unknown or the transport had brought it.
    mutating func delivered(_ id: Hash256, over transport: TransportName, at now: Millis) -> ChatEntry? {
        guard let index = entries.lastIndex(where: { $0.packetId == id }),
              !entries[index].deliveries.contains(where: { $0.transport == transport.name }) else { return nil }
        entries[index].deliveries.append(ChatDelivery(transport: transport.name, receivedAt: now, sentAt: entries[index].sentAt))
        return entries[index]
    }

    func entry(_ id: Hash256) -> ChatEntry? { entries.last { $0.packetId == id } }

    /// The last `limit` messages, oldest first.
    func recent(limit: Int) -> [ChatEntry] { Array(entries.suffix(max(0, limit))) }
}

/// One chat message as this node saw it.
public struct ChatEntry: Sendable, Equatable {
    /// The chat packet's id.
    public let packetId: Hash256
    public let sender: NodeID
    public let text: String
    /// The sender's clock when it signed the message.
    public let sentAt: Millis
    /// Written by this node: its deliveries are the copies that came back (a broker's echo, a
    /// neighbour relaying it on).
    public let own: Bool
    /// Each transport's first copy, in order of arrival.
    public var deliveries: [ChatDelivery]

    public init(packetId: Hash256, sender: NodeID, text: String, sentAt: Millis, own: Bool, deliveries: [ChatDelivery] = []) {
        self.packetId = packetId
        self.sender = sender
        self.text = text
        self.sentAt = sentAt
        self.own = own
        self.deliveries = deliveries
    }
}

/// A transport's first copy of a chat message.
public struct ChatDelivery: Sendable, Equatable {
    public let transport: String
    public let receivedAt: Millis
    /// From the sender's clock to arrival, at least 0 (the clocks of two machines differ).
    public let delay: Millis

    public init(transport: String, receivedAt: Millis, sentAt: Millis) {
        self.transport = transport
        self.receivedAt = receivedAt
        delay = max(0, receivedAt - sentAt)
    }
}
