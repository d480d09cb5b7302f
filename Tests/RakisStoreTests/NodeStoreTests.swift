import Foundation
import GRDB
import Testing
import RakisCore
import RakisNode
@testable import RakisStore

/// The store against records from real nodes: what goes in comes back after a reopen, replays
/// are harmless, retention keeps what a restart needs, and bad files are refused untouched.
@Suite struct NodeStoreTests {
    /// A fresh path in a directory that does not exist yet (the store creates it).
    static func freshPath() -> String {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("rakis-store-tests/\(UUID().uuidString)/node/rakis.sqlite").path
    }

    static func apply(_ batches: [RecordingNetwork.Batch], to store: NodeStore) throws {
        for batch in batches { try store.apply(batch.records, at: batch.time) }
    }

    /// Three nodes: request `done` runs to its end, `open` is stopped once the nodes have
    /// committed (inference takes 200 ms) and before the quorum is fixed.
    static func network() -> (network: RecordingNetwork, done: Hash256, open: Hash256) {
        let network = RecordingNetwork(nodes: 3)
        let done = network.submit(at: 0)
        network.run(for: 2_000)
        let open = network.submit(at: 0)
        network.run(for: 220)
        return (network, done, open)
    }

    @Test func unfinishedRequestsComeBackAfterReopeningInStoredOrder() throws {
        let (network, done, open) = Self.network()
        let path = Self.freshPath()
        let batches = network.batches(of: 1)
        let before: StoreCounts
        do {
            let store = try NodeStore(path: path)
            try Self.apply(batches, to: store)
            before = try store.counts()
        }

        // What node 1 asked to persist about the open request, in order.
        let records = batches.flatMap(\.records)
        let packets = records.compactMap { record -> Envelope? in
            if case let .packet(envelope) = record, envelope.requestId == open { envelope } else { nil }
        }
        let own = records.compactMap { record -> OwnOutput? in
            if case let .ownOutput(output) = record, output.requestId == open { output } else { nil }
        }
        let phase = records.compactMap { record -> RequestPhase? in
            if case let .requestState(id, phase) = record, id == open { phase } else { nil }
        }.max()
        #expect(packets.count >= 3, "the request, this node's commit and others' commits")
        #expect(own.count == 1)
        #expect(phase == .committed)

        let store = try NodeStore(path: path)
        #expect(try store.counts() == before)
        let recovery = try store.unfinishedRequests()
        #expect(recovery.unreadable.isEmpty)
        #expect(recovery.requests.map(\.requestId) == [open])
        let stored = try #require(recovery.requests.first)
        #expect(stored.request.wireBytes == packets[0].wireBytes)
        #expect(stored.packets.map(\.id) == packets.dropFirst().map(\.id))
        #expect(stored.packets.map(\.wireBytes) == packets.dropFirst().map(\.wireBytes))
        #expect(stored.ownOutput == own.first)
        #expect(stored.phase == phase)

        // The finished request is not resumed; its result is there for the CLI.
        let result = try #require(try store.result(of: done))
        guard case let .final(chosen) = result.outcome else {
            Issue.record("expected a final result, got \(result.outcome)")
            return
        }
        #expect(chosen.model == RecordingNetwork.model)
        #expect(chosen.output == "Four.")
        #expect(chosen.cluster.count == 3)
        let certificate = try JSONParser.parse(try #require(result.certificate))
        guard case let .object(fields) = certificate else { Issue.record("certificate is not an object"); return }
        #expect(Set(fields.keys) == ["quorum", "reveals", "outcome"])
        #expect(try store.result(of: open) == nil)
        #expect(try store.requests(limit: 10).map(\.requestId) == [open, done])
        #expect(try store.requests(limit: 10).map(\.phase) == [.committed, .final])
    }

    @Test func replayingRecordsChangesNothing() throws {
        let (network, _, _) = Self.network()
        let store = try NodeStore(path: Self.freshPath())
        let batches = network.batches(of: 0)
        try Self.apply(batches, to: store)
        let once = try store.counts()
        try Self.apply(batches, to: store)
        // The same packet twice in one list is one row too.
        try store.apply(batches.flatMap(\.records), at: network.now)
        #expect(try store.counts() == once)
        #expect(once.requests == 2 && once.results == 1 && once.ownOutputs == 2)
    }

    @Test func phasesOnlyMoveForward() throws {
        let (network, _, open) = Self.network()
        let store = try NodeStore(path: Self.freshPath())
        try Self.apply(network.batches(of: 2), to: store)
        func phase() throws -> RequestPhase? { try store.requests(limit: 10).first { $0.requestId == open }?.phase }
        #expect(try phase() == .committed)
        try store.apply([.requestState(requestId: open, phase: .seen)], at: network.now)
        #expect(try phase() == .committed)
        try store.apply([.requestState(requestId: open, phase: .revealed)], at: network.now)
        #expect(try phase() == .revealed)
        // Terminal phases are final: failed (which sorts after final) does not replace final.
        try store.apply([.requestState(requestId: open, phase: .final)], at: network.now)
        try store.apply([.requestState(requestId: open, phase: .failed)], at: network.now)
        #expect(try phase() == .final)
        #expect(try store.unfinishedRequests().requests.isEmpty)
    }

    @Test func aRecordForAnUnknownRequestRollsBackItsWholeList() throws {
        let (network, _, open) = Self.network()
        let store = try NodeStore(path: Self.freshPath())
        let requests = network.batches(of: 0).flatMap(\.records).compactMap { record -> Envelope? in
            if case let .packet(envelope) = record, envelope.request?.id == open { envelope } else { nil }
        }
        let request = try #require(requests.first)
        let stranger = Hash256.of(Array("no such request".utf8))
        let error = #expect(throws: StoreError.self) {
            try store.apply([.packet(request), .requestState(requestId: stranger, phase: .committed)], at: network.now)
        }
        #expect(error?.description == "\(store.path): phase committed for request \(stranger.hex), whose request packet is not stored")
        #expect(try store.counts() == StoreCounts())
    }

    @Test func theStoreIsInWALMode() throws {
        let store = try NodeStore(path: Self.freshPath())
        #expect(try store.pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
    }

    @Test func pruningKeepsUnfinishedRequestsAndTheNewestFinishedOnes() throws {
        let network = RecordingNetwork(nodes: 3)
        var finished: [Hash256] = []
        for _ in 0..<5 {
            finished.append(network.submit(at: 0))
            network.run(for: 2_000)
        }
        let open = network.submit(at: 1)
        network.run(for: 220)
        let store = try NodeStore(path: Self.freshPath())
        try Self.apply(network.batches(of: 0), to: store)
        let packets = try store.pool.read { try String.fetchAll($0, sql: "SELECT id FROM packets") }.compactMap(Hash256.init(hex:))
        try store.recordDeliveries(packets.map { (packetId: $0, transport: "mesh") }, at: network.now)
        #expect(try store.counts().results == 5)

        #expect(try store.prune(keepingFinished: 2) == 3)
        let kept = try store.requests(limit: 10).map(\.requestId)
        #expect(kept == [open, finished[4], finished[3]])
        #expect(try store.unfinishedRequests().requests.map(\.requestId) == [open])
        // Nothing of the pruned requests is left behind.
        let counts = try store.counts()
        #expect(counts.results == 2)
        #expect(counts.ownOutputs == 3)
        let orphans = try store.pool.read { db in
            try Int.fetchOne(db, sql: """
                SELECT (SELECT COUNT(*) FROM packets WHERE request_id NOT IN (SELECT id FROM requests))
                     + (SELECT COUNT(*) FROM packet_deliveries WHERE packet_id NOT IN (SELECT id FROM packets))
                """)
        }
        #expect(orphans == 0)
        #expect(counts.deliveries == counts.packets)

        // Even a cap of zero never touches an unfinished request.
        #expect(try store.prune(keepingFinished: 0) == 2)
        #expect(try store.requests(limit: 10).map(\.requestId) == [open])
        #expect(try store.unfinishedRequests().requests.first?.packets.isEmpty == false)
    }

    @Test func deliveriesAreCountedPerTransport() throws {
        let (network, _, open) = Self.network()
        let store = try NodeStore(path: Self.freshPath())
        try Self.apply(network.batches(of: 1), to: store)
        let stranger = Hash256.of(Array("never stored".utf8))
        // Only stored packets get deliveries recorded.
        #expect(try store.recordDeliveries([(packetId: stranger, transport: "mesh")], at: network.now) == 0)
        let requestPacket = try #require(try store.unfinishedRequests().requests.first { $0.requestId == open }?.request.id)
        let recorded = try store.recordDeliveries([(packetId: requestPacket, transport: "mesh"), (packetId: requestPacket, transport: "nostr")],
                                                  at: network.now)
        #expect(recorded == 2)
        try store.recordDeliveries([(packetId: requestPacket, transport: "mesh")], at: network.now + 7)
        let deliveries = try store.deliveries(of: requestPacket)
        #expect(deliveries.map(\.transport) == ["mesh", "nostr"])
        #expect(deliveries.map(\.count) == [2, 1])
        #expect(deliveries[0].firstSeenAt == network.now && deliveries[0].lastSeenAt == network.now + 7)
        #expect(try store.deliveries(of: stranger).isEmpty)
    }

    @Test func anUnreadablePacketIsReportedAndKept() throws {
        let (network, _, open) = Self.network()
        let store = try NodeStore(path: Self.freshPath())
        try Self.apply(network.batches(of: 1), to: store)
        let stored = try #require(try store.unfinishedRequests().requests.first)
        let damaged = try #require(stored.packets.first)
        let before = try store.counts()
        try store.pool.write { db in
            try db.execute(sql: "UPDATE packets SET wire = ? WHERE id = ?", arguments: [Data("{\"v\":1}".utf8), damaged.id.hex])
        }
        let recovery = try store.unfinishedRequests()
        #expect(recovery.unreadable.map(\.packetId) == [damaged.id.hex])
        #expect(recovery.unreadable.first?.requestId == open.hex)
        #expect(recovery.requests.first?.packets.map(\.id) == stored.packets.dropFirst().map(\.id))
        #expect(try store.counts() == before)

        // Without a readable request packet the request cannot be resumed: it is reported instead.
        try store.pool.write { db in
            try db.execute(sql: "UPDATE packets SET wire = ? WHERE id = ?", arguments: [Data("garbage".utf8), stored.request.id.hex])
        }
        let worse = try store.unfinishedRequests()
        #expect(worse.requests.isEmpty)
        #expect(Set(worse.unreadable.map(\.packetId)) == [damaged.id.hex, stored.request.id.hex])
        #expect(try store.counts() == before)
    }

    @Test func aFileThatIsNotADatabaseIsRefusedAndLeftAlone() throws {
        let path = Self.freshPath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let garbage = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
        try garbage.write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StoreError.self) {
            try NodeStore(path: path)
        }
        #expect(error?.description == "\(path): not a Rakis store (file is not a database)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func anotherApplicationsDatabaseIsRefusedAndLeftAlone() throws {
        let path = Self.freshPath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.write { try $0.execute(sql: "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine')") }
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let error = #expect(throws: StoreError.self) {
            try NodeStore(path: path)
        }
        #expect(error?.description == "\(path): not a Rakis store (a SQLite database of another application)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }

    @Test func aStoreFromANewerVersionIsRefused() throws {
        let path = Self.freshPath()
        do {
            let store = try NodeStore(path: path)
            try store.pool.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')") }
        }
        let error = #expect(throws: StoreError.self) {
            try NodeStore(path: path)
        }
        let message = error.map(\.description) ?? ""
        #expect(message.hasPrefix("\(path): written by a newer version of Rakis (unknown schema migrations: v99)"))
    }

    @Test func peersKeepWhatWasLearnedFromEachSource() throws {
        let store = try NodeStore(path: Self.freshPath())
        let peer = NodeIdentity(deterministicLabel: "peer").nodeId
        try store.notePeer(peer, addresses: ["tcp://10.0.0.1:7400"], at: 1_000)
        #expect(try store.peers().first?.lastSeen == nil)
        let status = PeerStatus(models: ["m"], embeddingModels: ["e"], activeJobs: 1, queuedJobs: 2)
        try store.notePeer(peer, status: status, at: 2_000)
        let stored = try #require(try store.peers().first)
        #expect(stored.node == peer)
        #expect(stored.addresses == ["tcp://10.0.0.1:7400"])
        #expect(stored.status == status)
        #expect(stored.lastSeen == 2_000)
        #expect(try store.counts().peers == 1)
    }
}
