import RakisCore
import RakisNetwork
import RakisRuntime

extension TransportDelivery {
    /// A transport's share of the recent traffic: packets brought (and brought first), latency
    /// percentiles in milliseconds (null before it brought any), and loss (null before any
    /// packet settled).
    var json: JSONValue {
        var object: [String: JSONValue] = [
            "delivered": .number(Double(delivered)), "firsts": .number(Double(firsts)),
            "expected": .number(Double(expected)), "lost": .number(Double(lost)),
        ]
        object["latencyMs"] = latency.map { latency -> JSONValue in
            ["p50": .number(Double(latency.p50)), "p90": .number(Double(latency.p90)),
             "p99": .number(Double(latency.p99)), "max": .number(Double(latency.max))]
        } ?? .null
        object["loss"] = loss.map(JSONValue.number) ?? .null
        return .object(object)
    }
}

/// Each transport as `/api/status` and `/api/transports` show it: its counters and how it has
/// been delivering the recent traffic.
enum TransportsJSON {
    static func entries(_ node: any NodeService, report: TransportDeliveryReport) -> [JSONValue] {
        let deliveries = Dictionary(report.transports.map { ($0.transport, $0) }, uniquingKeysWith: { first, _ in first })
        return node.transportStatistics.map { name, stats -> JSONValue in
            var object: [String: JSONValue] = [
                "name": .string(name), "connected": .bool(stats.connected), "connections": .number(Double(stats.connections)),
                "packetsSent": .number(Double(stats.packetsSent)), "packetsReceived": .number(Double(stats.packetsReceived)),
                "bytesSent": .number(Double(stats.bytesSent)), "bytesReceived": .number(Double(stats.bytesReceived)),
                "reconnects": .number(Double(stats.reconnects)), "peersBanned": .number(Double(stats.peersBanned)),
            ]
            object["delivery"] = deliveries[name]?.json ?? .null
            return .object(object)
        }
    }

    /// The window the figures are over.
    static func window(_ report: TransportDeliveryReport) -> JSONValue {
        ["packets": .number(Double(report.packets)), "settled": .number(Double(report.settled)),
         "maxPackets": .number(Double(TransportDeliveryReport.windowPackets)),
         "maxAgeMs": .number(Double(TransportDeliveryReport.windowAge)), "graceMs": .number(Double(TransportDeliveryReport.grace))]
    }
}
