/// The QoS 1 publishes this client owes the broker: those sent but not yet acknowledged
/// (in flight) and those waiting for a connection or a free slot in the window.
///
/// Pure bookkeeping, no I/O, so the transport's delivery guarantees can be tested directly.
/// Both parts together are bounded by count and by bytes: once either bound is reached, new
/// payloads are refused (the caller counts them as dropped) rather than memory growing without
/// limit during an outage.
struct MQTTOutbox {
    struct Message: Equatable {
        let packetID: UInt16
        let payload: [UInt8]
    }

    /// Most payloads held, in flight and waiting together.
    let capacity: Int
    /// Most payload bytes held, in flight and waiting together.
    let capacityBytes: Int
    /// Most publishes sent and not yet acknowledged; brokers cap their own receive window
    /// (mosquitto: 20 by default) and queue the rest, so a larger window gains little.
    let maxInFlight: Int

    /// Sent, awaiting PUBACK, in the order they were first sent.
    private(set) var inFlight: [Message] = []
    private var waiting: [[UInt8]] = []
    private var waitingHead = 0
    private var lastPacketID: UInt16 = 0
    private(set) var byteCount = 0

    init(capacity: Int, capacityBytes: Int, maxInFlight: Int) {
        precondition(capacity >= 1 && capacityBytes >= 0 && maxInFlight >= 1 && maxInFlight <= capacity)
        self.capacity = capacity
        self.capacityBytes = capacityBytes
        self.maxInFlight = maxInFlight
    }

    var count: Int { inFlight.count + waiting.count - waitingHead }

    /// Takes a payload to publish; false when the outbox is full.
    mutating func enqueue(_ payload: [UInt8]) -> Bool {
        guard count < capacity, byteCount + payload.count <= capacityBytes else { return false }
        waiting.append(payload)
        byteCount += payload.count
        return true
    }

    /// Moves waiting payloads into flight while the window has room, giving each a packet id;
    /// the caller sends what this returns.
    mutating func takeSendable() -> [Message] {
        var taken: [Message] = []
        while inFlight.count < maxInFlight, waitingHead < waiting.count {
            let message = Message(packetID: nextPacketID(), payload: waiting[waitingHead])
            waiting[waitingHead] = []
            waitingHead += 1
            inFlight.append(message)
            taken.append(message)
        }
        // Reclaim the consumed prefix once it dominates, keeping dequeues amortised O(1).
        if waitingHead > 64, waitingHead * 2 > waiting.count {
            waiting.removeFirst(waitingHead)
            waitingHead = 0
        }
        return taken
    }

    /// Handles a PUBACK; false if no publish with that id was in flight (a late duplicate).
    mutating func acknowledge(_ packetID: UInt16) -> Bool {
        guard let index = inFlight.firstIndex(where: { $0.packetID == packetID }) else { return false }
        byteCount -= inFlight.remove(at: index).payload.count
        return true
    }

    /// The one packet id publishes never use, left for the transport's SUBSCRIBE: ids must be
    /// unique among all unacknowledged packets, whatever their type (MQTT-2.3.1-2).
    static let subscribePacketID: UInt16 = .max

    /// Ids run 1...65534 and wrap, skipping any still in flight (an id is reused only after its
    /// acknowledgement).
    private mutating func nextPacketID() -> UInt16 {
        repeat {
            lastPacketID = lastPacketID >= Self.subscribePacketID - 1 ? 1 : lastPacketID + 1
        } while inFlight.contains(where: { $0.packetID == lastPacketID })
        return lastPacketID
    }
}
