import Foundation
import GRDB
import RakisCore
import RakisNode

/// A node's durable memory: the packets it persisted, where each request stands, its own outputs
/// (needed to reveal after a restart), results and peers. One SQLite file in WAL mode, so the
/// CLI and metrics can read while the runtime writes.
///
/// The store never deletes anything on its own initiative or on error; only `prune` removes rows,
/// and only those of finished requests.
public final class NodeStore: Sendable {
    public let path: String
    let pool: DatabasePool

    /// Opens the store at `path`, creating the file and its directory if needed and bringing the
    /// schema up to date. An existing file is inspected before anything is written to it: a file
    /// that is not a Rakis store, or one from a newer version, is left untouched.
    public init(path: String) throws {
        self.path = path
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError.database(path: path, operation: "create directory \(directory)", underlying: error)
        }
        if FileManager.default.fileExists(atPath: path) {
            try Self.inspect(path: path)
        }
        do {
            pool = try DatabasePool(path: path, configuration: Self.configuration(readonly: false))
            try StoreSchema.migrator.migrate(pool)
        } catch {
            throw StoreError.database(path: path, operation: "open the store", underlying: error)
        }
    }

    /// Every connection to a store: the runtime writes while CLI commands and tests read from
    /// other processes, and a restarted node finds its store just as a reader holds it, so each
    /// waits a little for a lock rather than failing at once.
    private static func configuration(readonly: Bool) -> Configuration {
        var configuration = Configuration()
        configuration.readonly = readonly
        configuration.busyMode = .timeout(5)
        return configuration
    }

    /// Checks, reading only, that an existing file is a Rakis store this version understands
    /// (or an empty SQLite database, which becomes one).
    private static func inspect(path: String) throws {
        do {
            // Read-only: such a connection cannot change the file, not even by checkpointing
            // another program's write-ahead log when it closes.
            let queue = try DatabaseQueue(path: path, configuration: Self.configuration(readonly: true))
            try queue.read { db in
                let applicationId = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                let tableCount = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") ?? 0
                if applicationId == 0 && tableCount == 0 { return }
                guard applicationId == StoreSchema.applicationId else {
                    throw StoreError.notAStore(path: path, reason: "a SQLite database of another application")
                }
                let migrator = StoreSchema.migrator
                let known = Set(migrator.migrations)
                let unknown = try migrator.appliedIdentifiers(db).subtracting(known).sorted()
                guard unknown.isEmpty else {
                    throw StoreError.newerSchema(path: path, unknownMigrations: unknown)
                }
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw StoreError.notAStore(path: path, reason: "file is not a database")
        } catch {
            throw StoreError.database(path: path, operation: "inspect the existing file", underlying: error)
        }
    }

    // MARK: - Access

    /// Runs `body` in one write transaction; any error rolls it back whole and is reported with
    /// the path and what was being done.
    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.database(path: path, operation: operation, underlying: error)
        }
    }

    /// Runs `body` on a consistent snapshot of the store.
    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.database(path: path, operation: operation, underlying: error)
        }
    }
}
