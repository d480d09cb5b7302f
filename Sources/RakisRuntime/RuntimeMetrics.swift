import Prometheus
import RakisCore
import RakisNetwork
import RakisNode
import Synchronization

/// The node's Prometheus metrics. Counters are bumped by the runtime as things happen; transport
/// gauges are read from the transports' own statistics when the metrics are scraped.
public final class RuntimeMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    /// Which transports brought the recent packets, and how fast: written by the runtime as
    /// packets arrive, read by scrapes and the API from their own threads.
    private let deliveries = Mutex(TransportDeliveryWindow())

    /// Packets by transport and what became of them: accepted, duplicate, replay, malformed, rejected.
    func packet(_ transport: TransportName, _ outcome: PacketOutcome) {
        registry.makeCounter(descriptor: Self.name("packets_received", "total", "Packets received, by transport and outcome"),
                             labels: [("transport", transport.name), ("outcome", outcome.rawValue)]).increment()
    }

    /// Packets this node sent (its own and relayed), by transport, with their wire bytes.
    func sent(_ transport: TransportName, bytes: Int) {
        let labels = [("transport", transport.name)]
        registry.makeCounter(descriptor: Self.name("packets_sent", "total", "Packets handed to a transport"), labels: labels)
            .increment()
        registry.makeCounter(descriptor: Self.name("packet_bytes_sent", "total", "Envelope bytes handed to a transport"), labels: labels)
            .increment(by: Int64(bytes))
    }

    func rejection(_ code: String) {
        registry.makeCounter(descriptor: Self.name("packets_rejected", "total", "Packets the state machine refused, by reason"),
                             labels: [("reason", code)]).increment()
    }

    func memberFault(_ fault: MemberFault) {
        let kind = if case .withheld = fault { "withheld" } else { "invalidReveal" }
        registry.makeCounter(descriptor: Self.name("member_faults", "total", "Committee members that withheld or spoiled their reveal"),
                             labels: [("fault", kind)]).increment()
    }

    func concluded(_ outcome: String) {
        registry.makeCounter(descriptor: Self.name("requests_concluded", "total", "Requests concluded, final or failed"),
                             labels: [("outcome", outcome)]).increment()
    }

    /// One call to the HTTP API, by what its access check decided: `admitted`, `unauthorized`,
    /// `over_rate` or `in_flight` (the caller's cap of requests in flight).
    public func apiCall(_ outcome: String) {
        registry.makeCounter(descriptor: Self.name("api_calls", "total", "HTTP API calls, by the access check's decision"),
                             labels: [("outcome", outcome)]).increment()
    }

    func job(_ kind: String) {
        registry.makeCounter(descriptor: Self.name("jobs_started", "total", "Inference and embedding jobs started"),
                             labels: [("kind", kind)]).increment()
    }

    func inference(seconds: Double) {
        registry.makeValueHistogram(descriptor: Self.name("inference", "seconds", "Time from starting an inference to its output"),
                                    buckets: [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128]).record(seconds)
    }

    /// The chain connector's work: contract requests brought in, attestations made and received
    /// (kept or refused), fulfilments sent and their outcome on chain.
    func chain(_ event: String, _ outcome: String) {
        registry.makeCounter(descriptor: Self.name("chain_events", "total", "Oracle work, by event and outcome"),
                             labels: [("event", event), ("outcome", outcome)]).increment()
    }

    /// The last block whose oracle logs the connector handled.
    func chainBlock(_ number: Int) {
        registry.makeGauge(descriptor: Self.name("chain_block", "", "Last block whose oracle logs were handled"), labels: [])
            .set(Int64(number))
    }

    /// This node's weight and the membership's, when the node starts and when a `stake` registry changes.
    func membership(ownWeight: Int, totalWeight: Int) {
        registry.makeGauge(descriptor: Self.name("node_weight", "", "This node's weight in the network's membership"), labels: [])
            .set(Int64(ownWeight))
        registry.makeGauge(descriptor: Self.name("membership_weight", "", "Weight of every member (0 on an open network, where nobody knows it)"),
                           labels: []).set(Int64(totalWeight))
    }

    /// The first copy of a packet the state machine accepted, over `transport`.
    func delivered(first envelope: Envelope, over transport: TransportName, at now: Millis) {
        deliveries.withLock { $0.first(envelope.id, sender: envelope.sender, createdAt: envelope.packet.createdAt, over: transport, at: now) }
    }

    /// Another transport's first copy of a packet.
    func delivered(copy envelope: Envelope, over transport: TransportName, at now: Millis) {
        deliveries.withLock { $0.copy(envelope.id, over: transport, at: now) }
    }

    /// Each transport's latency and loss over the recent traffic.
    public func transportDeliveries(of transports: [TransportName], now: Millis) -> TransportDeliveryReport {
        deliveries.withLock { $0.report(transports: transports, now: now) }
    }

    /// Copies every transport's own counters into gauges, just before a scrape.
    func record(_ transports: [any Transport]) {
        for transport in transports {
            let stats = transport.statistics
            let values: [(String, Int)] = [
                ("connected", stats.connected ? 1 : 0), ("connections", stats.connections),
                ("packets_sent", stats.packetsSent), ("packets_received", stats.packetsReceived),
                ("bytes_sent", stats.bytesSent), ("bytes_received", stats.bytesReceived),
                ("packets_dropped", stats.packetsDropped), ("frames_rejected", stats.framesRejected),
                ("peers_banned", stats.peersBanned), ("reconnects", stats.reconnects),
            ]
            for (name, value) in values {
                let help = "Transport statistic: \(name.replacingOccurrences(of: "_", with: " "))"
                registry.makeGauge(descriptor: Self.name("transport_\(name)", "", help), labels: [("transport", transport.name.name)])
                    .set(Int64(value))
            }
        }
    }

    /// The delivery report as gauges: latency quantiles and loss per transport, over the window
    /// (NaN while a transport has nothing to measure).
    func record(_ report: TransportDeliveryReport) {
        for delivery in report.transports {
            let transport = ("transport", delivery.transport)
            let latency = delivery.latency
            for (quantile, value) in [("0.5", latency?.p50), ("0.9", latency?.p90), ("0.99", latency?.p99)] {
                registry.makeGauge(descriptor: Self.name("transport_delivery_latency", "milliseconds",
                                                         "Delay from a packet's createdAt to its first copy over the transport, recent packets"),
                                   labels: [transport, ("quantile", quantile)]).set(value.map { Double($0) } ?? .nan)
            }
            registry.makeGauge(descriptor: Self.name("transport_delivery_loss", "ratio",
                                                     "Share of recent packets the transport brought late or never while another brought them"),
                               labels: [transport]).set(delivery.loss ?? .nan)
            registry.makeGauge(descriptor: Self.name("transport_delivered_packets", "", "Recent packets the transport brought"),
                               labels: [transport]).set(Int64(delivery.delivered))
            registry.makeGauge(descriptor: Self.name("transport_first_deliveries", "", "Recent packets the transport brought before any other"),
                               labels: [transport]).set(Int64(delivery.firsts))
        }
    }

    public func text(transports: [any Transport]) -> String {
        record(transports)
        record(transportDeliveries(of: transports.map(\.name), now: NodeRuntime.now()))
        return registry.emitToString()
    }

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "rakis", metricName: metric, unitName: unit, helpText: help)
    }
}

/// What became of a received packet.
enum PacketOutcome: String {
    case accepted, duplicate, replay, malformed, rejected
    /// From a sender banned, or over its rate, on every transport (`SenderDiscipline`).
    case senderBanned, senderOverRate
}
