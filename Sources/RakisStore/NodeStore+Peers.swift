import GRDB
import RakisCore

/// A peer as the store remembers it.
public struct StoredPeer: Sendable, Equatable {
    public let node: NodeID
    /// How to reach it, from peer exchanges; empty until one names it.
    public let addresses: [String]
    /// Its last status packet, if it ever sent one to this node.
    public let status: PeerStatus?
    /// When its last status packet arrived.
    public let lastSeen: Millis?
    public let updatedAt: Millis
}

extension NodeStore {
    /// Remembers what was learned about a peer: its addresses (from a peer exchange) and/or its
    /// status (from its own status packet, which also makes it seen now). What is not given is
    /// kept as it was.
    public func notePeer(_ node: NodeID, addresses: [String]? = nil, status: PeerStatus? = nil, at now: Millis) throws {
        try write("note peer \(node.hex)") { db in
            try db.execute(sql: """
                INSERT INTO peers (node_id, addresses, models, embedding_models, active_jobs, queued_jobs, last_seen, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (node_id) DO UPDATE SET
                    addresses = COALESCE(excluded.addresses, addresses),
                    models = COALESCE(excluded.models, models),
                    embedding_models = COALESCE(excluded.embedding_models, embedding_models),
                    active_jobs = COALESCE(excluded.active_jobs, active_jobs),
                    queued_jobs = COALESCE(excluded.queued_jobs, queued_jobs),
                    last_seen = COALESCE(excluded.last_seen, last_seen),
                    updated_at = excluded.updated_at
                """, arguments: [
                    node.hex, addresses.map(Self.storedList),
                    status.map { Self.storedList($0.models) }, status.map { Self.storedList($0.embeddingModels) },
                    status?.activeJobs, status?.queuedJobs, status.map { _ in now }, now,
                ])
        }
    }

    /// Known peers, most recently updated first.
    public func peers() throws -> [StoredPeer] {
        try read("list peers") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM peers ORDER BY updated_at DESC, node_id").compactMap { row in
                guard let node = NodeID(hex: row["node_id"]) else { return nil }
                let addresses: String? = row["addresses"]
                let models: String? = row["models"]
                let embeddingModels: String? = row["embedding_models"]
                let activeJobs: Int? = row["active_jobs"]
                let queuedJobs: Int? = row["queued_jobs"]
                var status: PeerStatus?
                if let models, let embeddingModels, let activeJobs, let queuedJobs {
                    status = PeerStatus(models: Self.stringList(models), embeddingModels: Self.stringList(embeddingModels),
                                        activeJobs: activeJobs, queuedJobs: queuedJobs)
                }
                return StoredPeer(node: node, addresses: addresses.map(Self.stringList) ?? [], status: status,
                                  lastSeen: row["last_seen"], updatedAt: row["updated_at"])
            }
        }
    }
}
