import Foundation
import GRDB
import RakisCore
import RakisNode

/// An unfinished request as stored: what a restarted node needs to pick it up again.
public struct StoredRequest: Sendable {
    public let request: Envelope
    /// The request's other packets, in the order they were stored.
    public let packets: [Envelope]
    /// This node's output, if it committed: it must reveal exactly this.
    public let ownOutput: OwnOutput?
    public let phase: RequestPhase

    public var requestId: Hash256 { request.request!.id }
}

/// A stored packet that no longer decodes (or whose bytes no longer hash to its id). It is
/// reported and left in place, never deleted: it may be readable by a later version, and it is
/// evidence of what happened.
public struct UnreadablePacket: Sendable, CustomStringConvertible {
    public let packetId: String
    public let requestId: String?
    public let reason: String

    public var description: String {
        "packet \(packetId)\(requestId.map { " of request \($0)" } ?? ""): \(reason)"
    }
}

/// What a restarting node gets back: the requests it can resume, and the packets it could not read.
public struct Recovery: Sendable {
    /// Unfinished requests, oldest first.
    public let requests: [StoredRequest]
    /// A request whose request packet is unreadable cannot be resumed and is listed only here.
    public let unreadable: [UnreadablePacket]
}

extension NodeStore {
    /// The requests that were neither final nor failed when the node stopped, read from one
    /// snapshot of the store.
    public func unfinishedRequests() throws -> Recovery {
        try read("read unfinished requests") { db in
            var requests: [StoredRequest] = []
            var unreadable: [UnreadablePacket] = []
            let rows = try Row.fetchAll(db, sql: "SELECT id, phase FROM requests WHERE finished = 0 ORDER BY created_at, id")
            for row in rows {
                let requestId: String = row["id"]
                let storedPhase: String = row["phase"]
                var request: Envelope?
                var packets: [Envelope] = []
                let packetRows = try Row.fetchAll(db, sql: "SELECT id, type, wire FROM packets WHERE request_id = ? ORDER BY seq",
                                                  arguments: [requestId])
                for packetRow in packetRows {
                    let packetId: String = packetRow["id"]
                    let wire: Data = packetRow["wire"]
                    switch Self.decode(wire, id: packetId) {
                    case let .success(envelope):
                        if envelope.request != nil { request = envelope } else { packets.append(envelope) }
                    case let .failure(reason):
                        unreadable.append(UnreadablePacket(packetId: packetId, requestId: requestId, reason: reason.description))
                    }
                }
                guard let request else { continue }
                guard let phase = RequestPhase(storedName: storedPhase) else {
                    unreadable.append(UnreadablePacket(packetId: request.id.hex, requestId: requestId,
                                                       reason: "request has an unknown phase \"\(storedPhase)\""))
                    continue
                }
                let own = try Row.fetchOne(db, sql: "SELECT model, output, embedding, field_embeddings FROM own_outputs WHERE request_id = ?",
                                           arguments: [requestId]).map { own in
                    let embedding = Array(own["embedding"] as Data)
                    let fields = Array(own["field_embeddings"] as Data)
                    let width = max(embedding.count, 1)
                    return OwnOutput(requestId: request.request!.id, model: own["model"], output: own["output"],
                                     embedding: BinaryEmbedding(bytes: embedding),
                                     fieldEmbeddings: stride(from: 0, to: fields.count, by: width).map {
                                         BinaryEmbedding(bytes: Array(fields[$0..<min($0 + width, fields.count)]))
                                     })
                }
                requests.append(StoredRequest(request: request, packets: packets, ownOutput: own, phase: phase))
            }
            return Recovery(requests: requests, unreadable: unreadable)
        }
    }

    /// Decodes stored wire bytes, checking they are still the packet stored under `id`.
    static func decode(_ wire: Data, id: String) -> Result<Envelope, DecodeFailure> {
        do {
            let envelope = try Envelope.decode(Array(wire))
            guard envelope.id.hex == id else {
                return .failure(DecodeFailure("stored bytes decode to packet \(envelope.id.hex)"))
            }
            return .success(envelope)
        } catch {
            return .failure(DecodeFailure("\(error)"))
        }
    }
}

/// Why stored bytes could not be turned back into a packet.
struct DecodeFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension NodeStore {
    /// Requests that finished and whose reveal deadline is at or after `since`: their packets may
    /// still arrive, and a restarted node must not take them up again.
    public func finishedRequests(revealDeadlineSince since: Millis) throws -> [Hash256] {
        try read("read recently finished requests") { db in
            try String.fetchAll(db, sql: "SELECT id FROM requests WHERE finished = 1 AND reveal_deadline >= ? ORDER BY id",
                                arguments: [since]).compactMap(Hash256.init(hex:))
        }
    }
}
