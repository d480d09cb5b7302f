import Prometheus
import RakisCore
import RakisNetwork

/// The node's Prometheus metrics. Counters are bumped by the runtime as things happen; transport
/// gauges are read from the transports' own statistics when the metrics are scraped.
public final class RuntimeMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    /// Packets by transport and what became of them: accepted, duplicate, replay, malformed, rejected.
    func packet(_ transport: TransportName, _ outcome: PacketOutcome) {
        registry.makeCounter(name: "rakis_packets_received_total",
                             labels: [("transport", transport.name), ("outcome", outcome.rawValue)],
                             help: "Packets received, by transport and outcome").increment()
    }

    /// Packets this node sent (its own and relayed), by transport, with their wire bytes.
    func sent(_ transport: TransportName, bytes: Int) {
        registry.makeCounter(name: "rakis_packets_sent_total", labels: [("transport", transport.name)],
                             help: "Packets handed to a transport").increment()
        registry.makeCounter(name: "rakis_packet_bytes_sent_total", labels: [("transport", transport.name)],
                             help: "Envelope bytes handed to a transport").increment(by: Int64(bytes))
    }

    func rejection(_ code: String) {
        registry.makeCounter(name: "rakis_packets_rejected_total", labels: [("reason", code)],
                             help: "Packets the state machine refused, by reason").increment()
    }

    func concluded(_ outcome: String) {
        registry.makeCounter(name: "rakis_requests_concluded_total", labels: [("outcome", outcome)],
                             help: "Requests concluded, final or failed").increment()
    }

    func job(_ kind: String) {
        registry.makeCounter(name: "rakis_jobs_started_total", labels: [("kind", kind)],
                             help: "Inference and embedding jobs started").increment()
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
                registry.makeGauge(name: "rakis_transport_\(name)", labels: [("transport", transport.name.name)],
                                   help: "Transport statistic: \(name.replacingOccurrences(of: "_", with: " "))")
                    .set(Int64(value))
            }
        }
    }

    public func text(transports: [any Transport]) -> String {
        record(transports)
        return registry.emitToString()
    }
}

/// What became of a received packet.
enum PacketOutcome: String {
    case accepted, duplicate, replay, malformed, rejected
}
