import Foundation
import GRDB
import RakisCore
import RakisNode

extension NodeStore {
    /// Writes one effect list's persist records in one transaction: all of them or, on error,
    /// none. The runtime calls it before sending that list's broadcasts.
    ///
    /// Idempotent, so replaying records after a restart is harmless: a packet stored twice is one
    /// row, a request's phase only moves forward, and the first own output and conclusion of a
    /// request are kept (the commit that went out was derived from the first output).
    public func apply(_ records: [PersistRecord], at now: Millis) throws {
        guard !records.isEmpty else { return }
        try write("store \(records.count) records") { db in
            for record in records {
                switch record {
                case let .packet(envelope):
                    try storePacket(envelope, at: now, in: db)
                case let .requestState(requestId, phase):
                    try advance(requestId, to: phase, at: now, in: db)
                case let .ownOutput(own):
                    try requireRequest(own.requestId, for: "own output", in: db)
                    try db.execute(sql: """
                        INSERT INTO own_outputs (request_id, model, output, embedding, field_embeddings, stored_at)
                        VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING
                        """, arguments: [own.requestId.hex, own.model, own.output, Data(own.embedding.bytes),
                                        Data(own.fieldEmbeddings.flatMap(\.bytes)), now])
                case let .finished(conclusion):
                    try storeConclusion(conclusion, at: now, in: db)
                }
            }
        }
    }

    /// Notes which transports delivered stored packets. Deliveries of packets the store does not
    /// hold (peer status, rejected packets) are not kept: they would pile up with nothing to
    /// prune them by. Call it after `apply` for the same packets. Returns how many were recorded.
    @discardableResult
    public func recordDeliveries(_ deliveries: [(packetId: Hash256, transport: String)], at now: Millis) throws -> Int {
        guard !deliveries.isEmpty else { return 0 }
        return try write("record \(deliveries.count) deliveries") { db in
            var recorded = 0
            for delivery in deliveries {
                try db.execute(sql: """
                    INSERT INTO packet_deliveries (packet_id, transport, first_seen_at, last_seen_at, count)
                    SELECT id, ?, ?, ?, 1 FROM packets WHERE id = ?
                    ON CONFLICT (packet_id, transport) DO UPDATE SET count = count + 1, last_seen_at = excluded.last_seen_at
                    """, arguments: [delivery.transport, now, now, delivery.packetId.hex])
                recorded += db.changesCount
            }
            return recorded
        }
    }

    private func storePacket(_ envelope: Envelope, at now: Millis, in db: Database) throws {
        try db.execute(sql: """
            INSERT INTO packets (id, request_id, type, sender, created_at, stored_at, wire)
            VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
            """, arguments: [envelope.id.hex, envelope.requestId?.hex, envelope.packet.body.typeName, envelope.sender.hex,
                             envelope.packet.createdAt, now, Data(envelope.wireBytes)])
        guard let request = envelope.request else { return }
        try db.execute(sql: """
            INSERT INTO requests (id, phase, origin_node, origin_kind, created_at, commit_deadline, reveal_deadline, stored_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
            """, arguments: [request.id.hex, RequestPhase.seen.storedName, request.origin.node.hex, request.origin.kind.rawValue,
                             request.createdAt, request.frame.commitDeadline, request.frame.revealDeadline, now, now])
    }

    private func advance(_ requestId: Hash256, to phase: RequestPhase, at now: Millis, in db: Database) throws {
        let stored = try String.fetchOne(db, sql: "SELECT phase FROM requests WHERE id = ?", arguments: [requestId.hex])
        guard let stored else {
            throw StoreError.unknownRequest(path: path, requestId: requestId, record: "phase \(phase)")
        }
        // An unreadable stored phase is kept rather than overwritten: it may be a newer
        // version's, and guessing would lose it.
        guard let current = RequestPhase(storedName: stored), phase > current, !current.isTerminal else { return }
        try db.execute(sql: "UPDATE requests SET phase = ?, finished = ?, updated_at = ? WHERE id = ?",
                       arguments: [phase.storedName, phase.isTerminal, now, requestId.hex])
    }

    private func storeConclusion(_ conclusion: RequestConclusion, at now: Millis, in db: Database) throws {
        try requireRequest(conclusion.requestId, for: "conclusion", in: db)
        let result = StoredResult(conclusion)
        var chosen: ChosenOutput?
        var failure: StoredResult.Failure?
        switch result.outcome {
        case let .final(output): chosen = output
        case let .failed(reason): failure = reason
        }
        try db.execute(sql: """
            INSERT INTO results (request_id, outcome, chosen_node, model, output, commitment, members,
                                 failure_code, failure_text, certificate, concluded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING
            """, arguments: [
                result.requestId.hex, chosen == nil ? "failed" : "final",
                chosen?.node.hex, chosen?.model, chosen?.output, chosen?.commitment.hex,
                chosen.map { Self.storedList($0.cluster.map(\.hex)) },
                failure?.code, failure?.reason,
                result.certificate.map { Data($0) },
                result.concludedAt,
            ])
        try advance(result.requestId, to: chosen == nil ? .failed : .final, at: now, in: db)
    }

    private func requireRequest(_ requestId: Hash256, for record: String, in db: Database) throws {
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM requests WHERE id = ?)", arguments: [requestId.hex]) == true else {
            throw StoreError.unknownRequest(path: path, requestId: requestId, record: record)
        }
    }
}
