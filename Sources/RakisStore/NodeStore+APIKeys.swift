import Foundation
import GRDB
import RakisCore

/// An API key as the store keeps it: its public id and the SHA-256 of the whole key, never the
/// key itself; the limits the API holds its callers to.
public struct StoredAPIKey: Sendable, Equatable {
    /// The key's public part, which names it in `list`, `revoke` and the logs.
    public let id: String
    /// Whom or what the key is for, as its creator wrote it.
    public let name: String
    public let secretHash: [UInt8]
    public let ratePerMinute: Int
    public let maxInFlight: Int
    public let createdAt: Millis
    public let revokedAt: Millis?

    public init(id: String, name: String, secretHash: [UInt8], ratePerMinute: Int, maxInFlight: Int, createdAt: Millis, revokedAt: Millis? = nil) {
        self.id = id
        self.name = name
        self.secretHash = secretHash
        self.ratePerMinute = ratePerMinute
        self.maxInFlight = maxInFlight
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    public var isRevoked: Bool { revokedAt != nil }
}

extension NodeStore {
    /// Keys a store holds that are not revoked, at most: the API keeps a rate-limit entry per
    /// key in use, so this bounds that table too.
    public static let maxActiveAPIKeys = 1_000

    /// Stores a new key. Refused when the id is taken (revoked ids included) or when the store
    /// already holds `maxActiveAPIKeys` active keys.
    public func insertAPIKey(_ key: StoredAPIKey) throws {
        precondition(key.secretHash.count == 32, "an API key is stored as its SHA-256")
        precondition(key.ratePerMinute > 0 && key.maxInFlight > 0, "an API key's limits are positive")
        try write("create API key \(key.id)") { db in
            let active = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL") ?? 0
            guard active < Self.maxActiveAPIKeys else {
                throw StoreError.refused(path: path, reason: "the store already holds \(Self.maxActiveAPIKeys) active API keys: revoke some first")
            }
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM api_keys WHERE id = ?", arguments: [key.id]) == 0 else {
                throw StoreError.refused(path: path, reason: "an API key with id \(key.id) exists already")
            }
            try db.execute(sql: """
                INSERT INTO api_keys (id, name, secret_hash, rate_per_minute, max_in_flight, created_at, revoked_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [key.id, key.name, Data(key.secretHash), key.ratePerMinute, key.maxInFlight, key.createdAt, key.revokedAt])
        }
    }

    /// The key with this id, revoked or not.
    public func apiKey(id: String) throws -> StoredAPIKey? {
        try read("read API key \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE id = ?", arguments: [id]).map(Self.apiKey)
        }
    }

    /// Every key, oldest first.
    public func apiKeys() throws -> [StoredAPIKey] {
        try read("list API keys") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_keys ORDER BY created_at, id").map(Self.apiKey)
        }
    }

    /// Revokes a key from now on; false when there is no such key. Revoking a revoked key keeps
    /// its first revocation time.
    @discardableResult
    public func revokeAPIKey(id: String, at now: Millis) throws -> Bool {
        try write("revoke API key \(id)") { db in
            try db.execute(sql: "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", arguments: [now, id])
            return db.changesCount > 0
        }
    }

    private static func apiKey(_ row: Row) -> StoredAPIKey {
        let hash: Data = row["secret_hash"]
        return StoredAPIKey(id: row["id"], name: row["name"], secretHash: Array(hash), ratePerMinute: row["rate_per_minute"],
                            maxInFlight: row["max_in_flight"], createdAt: row["created_at"], revokedAt: row["revoked_at"])
    }
}
