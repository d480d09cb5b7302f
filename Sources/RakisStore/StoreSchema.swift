import GRDB

/// The store's tables, as versioned migrations. A migration, once released, is never edited:
/// later changes are new migrations, so every existing store can be brought forward.
enum StoreSchema {
    /// Written into the SQLite header (`PRAGMA application_id`) by the first migration, so a
    /// database belonging to another program is recognized before anything is written to it.
    /// The ASCII bytes "RAKS".
    static let applicationId: Int32 = 0x5241_4B53

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: "PRAGMA application_id = \(applicationId)")

            // Every packet this node persisted, as its exact wire bytes (the signature covers
            // them, so they are the only faithful form). `seq` is the order of storage: replaying
            // packets in that order after a restart rebuilds the same state.
            try db.execute(sql: """
                CREATE TABLE packets (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    request_id TEXT,
                    type TEXT NOT NULL,
                    sender TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    stored_at INTEGER NOT NULL,
                    wire BLOB NOT NULL
                );
                CREATE INDEX packets_by_request ON packets(request_id, seq);
                """)

            // Which transports delivered each stored packet, for diagnosing the network.
            try db.execute(sql: """
                CREATE TABLE packet_deliveries (
                    packet_id TEXT NOT NULL,
                    transport TEXT NOT NULL,
                    first_seen_at INTEGER NOT NULL,
                    last_seen_at INTEGER NOT NULL,
                    count INTEGER NOT NULL,
                    PRIMARY KEY (packet_id, transport)
                ) WITHOUT ROWID;
                """)

            // One row per request, from its request packet; `phase` is a stable name (see
            // StoredPhase), not the enum's raw value, so reordering the enum cannot misread a store.
            try db.execute(sql: """
                CREATE TABLE requests (
                    id TEXT PRIMARY KEY NOT NULL,
                    phase TEXT NOT NULL,
                    origin_node TEXT NOT NULL,
                    origin_kind TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    commit_deadline INTEGER NOT NULL,
                    reveal_deadline INTEGER NOT NULL,
                    stored_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    finished INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX requests_unfinished ON requests(finished, created_at);
                """)

            // This node's output and its embedding, written before its commit goes out: after a
            // restart the node can still reveal what it committed to.
            try db.execute(sql: """
                CREATE TABLE own_outputs (
                    request_id TEXT PRIMARY KEY NOT NULL,
                    model TEXT NOT NULL,
                    output TEXT NOT NULL,
                    embedding BLOB NOT NULL,
                    stored_at INTEGER NOT NULL
                );
                """)

            // How each request ended here. The certificate is its canonical JSON
            // ({"quorum", "reveals", "outcome"}, as in a result packet), absent without a quorum.
            try db.execute(sql: """
                CREATE TABLE results (
                    request_id TEXT PRIMARY KEY NOT NULL,
                    outcome TEXT NOT NULL CHECK (outcome IN ('final', 'failed')),
                    chosen_node TEXT,
                    model TEXT,
                    output TEXT,
                    commitment TEXT,
                    members TEXT,
                    failure_code TEXT,
                    failure_text TEXT,
                    certificate BLOB,
                    concluded_at INTEGER NOT NULL
                );
                """)

            // Peers heard from (status) or learned of (addresses). Lists are JSON arrays.
            try db.execute(sql: """
                CREATE TABLE peers (
                    node_id TEXT PRIMARY KEY NOT NULL,
                    addresses TEXT,
                    models TEXT,
                    embedding_models TEXT,
                    active_jobs INTEGER,
                    queued_jobs INTEGER,
                    last_seen INTEGER,
                    updated_at INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2-chain") { db in
            // Fulfilment transactions this node signed, written before they are sent: after a
            // restart the node sends the same bytes again instead of signing a second transaction.
            // A transaction the chain refused outright keeps its row (no second one is signed)
            // but frees its nonce.
            // `chain_request` is "chainId:contract:requestId".
            try db.execute(sql: """
                CREATE TABLE chain_submissions (
                    chain_request TEXT PRIMARY KEY NOT NULL,
                    request_id TEXT NOT NULL,
                    tx_hash TEXT NOT NULL,
                    raw_tx BLOB NOT NULL,
                    nonce INTEGER NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('sent', 'mined', 'reverted', 'refused')),
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                """)
            // How far the chain connector has read the oracle's logs: the last block it handled,
            // and its hash (a different hash there after a restart means a reorganization).
            try db.execute(sql: """
                CREATE TABLE chain_cursors (
                    contract TEXT PRIMARY KEY NOT NULL,
                    block_number INTEGER NOT NULL,
                    block_hash TEXT NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v3-chain-attestations") { db in
            // The output each contract request was attested with. The oracle slashes a chain key
            // that signs two outputs for one request, whenever the two signatures surface, so
            // rows are kept for good (one small row per contract request this node attested).
            try db.execute(sql: """
                CREATE TABLE chain_attestations (
                    chain_request TEXT PRIMARY KEY NOT NULL,
                    request_id TEXT NOT NULL,
                    output_hash TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v4-field-embeddings") { db in
            // A structured output's field embeddings (`OwnOutput.fieldEmbeddings`), concatenated:
            // each is as long as the row's `embedding`, so no separator is needed.
            try db.execute(sql: "ALTER TABLE own_outputs ADD COLUMN field_embeddings BLOB NOT NULL DEFAULT x''")
        }
        migrator.registerMigration("v5-api-keys") { db in
            // The HTTP API's keys (`rakis keys api create`). Only the SHA-256 of a key is kept:
            // whoever reads the store cannot call the API with what it finds. A revoked key keeps
            // its row, so `list` still names it and its id is never handed out again.
            try db.execute(sql: """
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    secret_hash BLOB NOT NULL,
                    rate_per_minute INTEGER NOT NULL,
                    max_in_flight INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    revoked_at INTEGER
                ) WITHOUT ROWID;
                """)
        }
        return migrator
    }
}
