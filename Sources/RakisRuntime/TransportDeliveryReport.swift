import RakisCore

/// How each transport has been delivering the packets this node received lately
/// (`TransportDeliveryWindow`): for the metrics, `GET /api/transports` and the dashboard.
public struct TransportDeliveryReport: Sendable, Equatable {
    /// Packets in the window, and those old enough to count for loss.
    public let packets: Int
    public let settled: Int
    /// One per transport of the node, in the node's order.
    public let transports: [TransportDelivery]

    public init(packets: Int, settled: Int, transports: [TransportDelivery]) {
        self.packets = packets
        self.settled = settled
        self.transports = transports
    }

    public static let windowPackets = TransportDeliveryWindow.capacity
    public static let windowAge = TransportDeliveryWindow.maxAge
    public static let grace = TransportDeliveryWindow.grace
}

/// One transport's share of the recent traffic.
public struct TransportDelivery: Sendable, Equatable {
    public let transport: String
    /// Packets of the window it brought, at any time.
    public let delivered: Int
    /// Packets it brought before any other transport did.
    public let firsts: Int
    /// Its delays from the sender's `createdAt` to arrival; nil when it brought nothing.
    public let latency: LatencyPercentiles?
    /// Settled packets it should have brought (their sender's packets come over it), and of
    /// those, the ones it brought late (after the grace period) or never.
    public let expected: Int
    public let lost: Int

    public init(transport: String, delivered: Int, firsts: Int, latency: LatencyPercentiles?, expected: Int, lost: Int) {
        self.transport = transport
        self.delivered = delivered
        self.firsts = firsts
        self.latency = latency
        self.expected = expected
        self.lost = lost
    }

    /// The share of expected packets lost; nil before any packet settled.
    public var loss: Double? { expected > 0 ? Double(lost) / Double(expected) : nil }
}

/// Delays in milliseconds, by nearest rank: p90 is the smallest delay at least 90% of the
/// deliveries did not exceed.
public struct LatencyPercentiles: Sendable, Equatable {
    public let p50: Millis
    public let p90: Millis
    public let p99: Millis
    public let max: Millis

    public init(p50: Millis, p90: Millis, p99: Millis, max: Millis) {
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.max = max
    }

    /// Nil for no delays.
    public init?(_ delays: [Millis]) {
        guard !delays.isEmpty else { return nil }
        let sorted = delays.sorted()
        func rank(_ share: Double) -> Millis { sorted[Swift.max(0, Int((share * Double(sorted.count)).rounded(.up)) - 1)] }
        self.init(p50: rank(0.5), p90: rank(0.9), p99: rank(0.99), max: sorted[sorted.count - 1])
    }
}
