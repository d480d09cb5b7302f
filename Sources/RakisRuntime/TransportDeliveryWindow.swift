import RakisCore

/// Which transports brought each of the packets this node received lately, and after how long
/// from the sender's `createdAt` (the sender's clock: across machines the delay includes the two
/// clocks' difference, so it is clamped at 0). Every transport carries every packet, so the
/// traffic itself measures them: latency percentiles per transport, and loss, the share of
/// packets another transport brought that this one brought late or never.
///
/// Only packets the state machine accepted count (a forger's made-up `createdAt` measures
/// nothing), and only other nodes' (this node's own come back as echoes, if at all). Bounded:
/// the last `capacity` packets, none older than `maxAge`.
struct TransportDeliveryWindow {
    static let capacity = 2_048
    static let maxAge: Millis = 10 * 60_000
    /// A packet counts for loss once this long has passed since its first copy arrived; a
    /// transport that had not brought it by then lost it.
    static let grace: Millis = 10_000

    private struct Entry {
        let sender: NodeID
        let createdAt: Millis
        let firstArrival: Millis
        let first: TransportName
        /// Each transport's first copy: when it arrived.
        var arrivals: [TransportName: Millis]
    }

    private var entries = BoundedDictionary<Hash256, Entry>(capacity: TransportDeliveryWindow.capacity)

    /// The first copy of a packet, which the state machine accepted.
    mutating func first(_ id: Hash256, sender: NodeID, createdAt: Millis, over transport: TransportName, at now: Millis) {
        entries[id] = Entry(sender: sender, createdAt: createdAt, firstArrival: now, first: transport, arrivals: [transport: now])
    }

    /// Another transport's first copy; ignored when the packet's first copy was not recorded.
    mutating func copy(_ id: Hash256, over transport: TransportName, at now: Millis) {
        guard var entry = entries[id], entry.arrivals[transport] == nil else { return }
        entry.arrivals[transport] = now
        entries[id] = entry
    }

    /// Per transport of `transports`: what it delivered, how fast, and what it lost.
    ///
    /// A transport is expected to bring a sender's packets once it has brought one of them within
    /// the window: a peer that does not use a transport is not that transport's loss.
    func report(transports: [TransportName], now: Millis) -> TransportDeliveryReport {
        let recent = entries.values.filter { now - $0.firstArrival <= Self.maxAge }
        var usedBy: [NodeID: Set<TransportName>] = [:]
        for entry in recent { usedBy[entry.sender, default: []].formUnion(entry.arrivals.keys) }
        let settled = recent.filter { now - $0.firstArrival >= Self.grace }
        let deliveries = transports.map { transport in
            let delays = recent.compactMap { entry in entry.arrivals[transport].map { max(0, $0 - entry.createdAt) } }
            let expected = settled.filter { usedBy[$0.sender]?.contains(transport) == true }
            let lost = expected.filter { entry in
                guard let arrival = entry.arrivals[transport] else { return true }
                return arrival - entry.firstArrival > Self.grace
            }
            return TransportDelivery(transport: transport.name, delivered: delays.count, firsts: recent.count(where: { $0.first == transport }),
                                     latency: LatencyPercentiles(delays), expected: expected.count, lost: lost.count)
        }
        return TransportDeliveryReport(packets: recent.count, settled: settled.count, transports: deliveries)
    }
}
