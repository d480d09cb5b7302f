import Foundation
import GRDB
import RakisCore

/// A stored packet with when it was stored and the transports that brought it.
public struct StoredPacket: Sendable {
    public let envelope: Envelope
    public let storedAt: Millis
    /// Transport names, sorted; empty for the node's own packets.
    public let transports: [String]
}

extension NodeStore {
    /// Every stored packet of a request, the request itself first, in the order they were stored.
    /// Packets whose bytes no longer decode are left out (`unfinishedRequests` reports them).
    public func packets(of requestId: Hash256) throws -> [StoredPacket] {
        try read("read the packets of \(requestId.hex)") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT p.id, p.stored_at, p.wire, group_concat(d.transport) AS transports
                FROM packets p LEFT JOIN packet_deliveries d ON d.packet_id = p.id
                WHERE p.request_id = ? GROUP BY p.seq ORDER BY p.seq
                """, arguments: [requestId.hex])
            return rows.compactMap { row -> StoredPacket? in
                guard case let .success(envelope) = Self.decode(row["wire"], id: row["id"]) else { return nil }
                let transports = (row["transports"] as String?)?.split(separator: ",").map(String.init).sorted() ?? []
                return StoredPacket(envelope: envelope, storedAt: row["stored_at"], transports: transports)
            }
        }
    }
}
