import Foundation
import GRDB
import RakisCore
import RakisNode

/// One line of `rakis store`'s request list.
public struct RequestSummary: Sendable, Equatable {
    public let requestId: Hash256
    /// nil if the stored phase name is unknown to this version.
    public let phase: RequestPhase?
    public let originNode: String
    public let originKind: String
    public let createdAt: Millis
    public let commitDeadline: Millis
    public let revealDeadline: Millis
    public let updatedAt: Millis
    public let packetCount: Int
}

/// Rows per table: a cheap fingerprint of the store's contents.
public struct StoreCounts: Sendable, Equatable, CustomStringConvertible {
    public var packets = 0
    public var deliveries = 0
    public var requests = 0
    public var ownOutputs = 0
    public var results = 0
    public var peers = 0

    public var description: String {
        "packets \(packets), deliveries \(deliveries), requests \(requests), own outputs \(ownOutputs), results \(results), peers \(peers)"
    }
}

extension NodeStore {
    /// The most recent requests, newest first.
    public func requests(limit: Int) throws -> [RequestSummary] {
        try read("list requests") { db in
            try Row.fetchAll(db, sql: Self.summarySQL + " ORDER BY r.created_at DESC, r.id LIMIT ?", arguments: [limit])
                .compactMap(Self.summary)
        }
    }

    /// One request's summary, or nil if the store does not hold it.
    public func request(_ requestId: Hash256) throws -> RequestSummary? {
        try read("read request \(requestId.hex)") { db in
            try Row.fetchOne(db, sql: Self.summarySQL + " WHERE r.id = ?", arguments: [requestId.hex]).flatMap(Self.summary)
        }
    }

    private static let summarySQL = """
        SELECT r.*, (SELECT COUNT(*) FROM packets p WHERE p.request_id = r.id) AS packet_count FROM requests r
        """

    private static func summary(_ row: Row) -> RequestSummary? {
        guard let id = Hash256(hex: row["id"]) else { return nil }
        return RequestSummary(
            requestId: id, phase: RequestPhase(storedName: row["phase"]),
            originNode: row["origin_node"], originKind: row["origin_kind"], createdAt: row["created_at"],
            commitDeadline: row["commit_deadline"], revealDeadline: row["reveal_deadline"],
            updatedAt: row["updated_at"], packetCount: row["packet_count"]
        )
    }

    /// How a request ended, or nil while it has not.
    public func result(of requestId: Hash256) throws -> StoredResult? {
        try read("read the result of \(requestId.hex)") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM results WHERE request_id = ?", arguments: [requestId.hex]) else {
                return nil
            }
            let outcome: StoredResult.Outcome
            if (row["outcome"] as String) == "final" {
                outcome = .final(try chosenOutput(row, of: requestId))
            } else {
                outcome = .failed(StoredResult.Failure(code: row["failure_code"], reason: row["failure_text"]))
            }
            let certificate: Data? = row["certificate"]
            return StoredResult(requestId: requestId, outcome: outcome, certificate: certificate.map { Array($0) },
                                concludedAt: row["concluded_at"])
        }
    }

    /// The chosen output of a final result row. The node wrote its ids as hex, so ids that do not
    /// read back mean the file was damaged or written by something else: that is said, not guessed.
    private func chosenOutput(_ row: Row, of requestId: Hash256) throws -> ChosenOutput {
        // The cluster's commitments live in the column `members`, named before the word meant a quorum's.
        let clusterTexts = Self.stringList(row["members"])
        let cluster = clusterTexts.compactMap(Hash256.init(hex:))
        guard let node = NodeID(hex: row["chosen_node"]), let commitment = Hash256(hex: row["commitment"]),
              cluster.count == clusterTexts.count else {
            throw StoreError.unreadableResult(path: path, requestId: requestId)
        }
        return ChosenOutput(node: node, model: row["model"], output: row["output"], commitment: commitment, cluster: cluster)
    }

    public func counts() throws -> StoreCounts {
        try read("count rows") { db in
            func count(_ table: String) throws -> Int { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
            var counts = StoreCounts()
            counts.packets = try count("packets")
            counts.deliveries = try count("packet_deliveries")
            counts.requests = try count("requests")
            counts.ownOutputs = try count("own_outputs")
            counts.results = try count("results")
            counts.peers = try count("peers")
            return counts
        }
    }

    /// A list of strings as stored: a canonical JSON array.
    static func storedList(_ strings: [String]) -> String {
        JSONValue.array(strings.map(JSONValue.string)).canonicalString
    }

    /// The strings of a stored JSON array of strings (empty if it is not one).
    static func stringList(_ json: String) -> [String] {
        guard case let .array(items)? = try? JSONParser.parse(Array(json.utf8), maxDepth: 2) else { return [] }
        return items.compactMap { if case let .string(text) = $0 { text } else { nil } }
    }
}

/// How often one transport delivered a stored packet.
public struct PacketDelivery: Sendable, Equatable {
    public let transport: String
    public let count: Int
    public let firstSeenAt: Millis
    public let lastSeenAt: Millis
}

extension NodeStore {
    /// The transports that delivered a packet, by name.
    public func deliveries(of packetId: Hash256) throws -> [PacketDelivery] {
        try read("read deliveries of \(packetId.hex)") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM packet_deliveries WHERE packet_id = ? ORDER BY transport",
                             arguments: [packetId.hex]).map { row in
                PacketDelivery(transport: row["transport"], count: row["count"],
                               firstSeenAt: row["first_seen_at"], lastSeenAt: row["last_seen_at"])
            }
        }
    }
}
