import Prometheus
import RakisCore
import RakisNetwork
import RakisNode

/// The node's Prometheus metrics. Counters are bumped by the runtime as things happen; transport
/// gauges are read from the transports' own statistics when the metrics are scraped.
public final class RuntimeMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

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

    public func text(transports: [any Transport]) -> String {
        record(transports)
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
