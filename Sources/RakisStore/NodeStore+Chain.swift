import Foundation
import GRDB
import RakisCore

/// A fulfilment transaction this node signed for a contract's request.
public struct ChainSubmission: Sendable, Equatable {
    public enum State: String, Sendable {
        /// Signed and stored, maybe sent, not yet seen in a block.
        case sent
        case mined
        case reverted
        /// The chain refused the bytes (too little ether for the gas, say): never on chain.
        case refused
    }

    /// "chainId:contract:requestId".
    public let chainRequest: String
    public let requestId: Hash256
    public let txHash: String
    public let rawTransaction: [UInt8]
    public let nonce: Int
    public var state: State

    public init(chainRequest: String, requestId: Hash256, txHash: String, rawTransaction: [UInt8], nonce: Int, state: State) {
        self.chainRequest = chainRequest
        self.requestId = requestId
        self.txHash = txHash
        self.rawTransaction = rawTransaction
        self.nonce = nonce
        self.state = state
    }
}

/// The last block whose oracle logs the connector handled.
public struct ChainCursor: Sendable, Equatable {
    public let blockNumber: Int
    public let blockHash: String

    public init(blockNumber: Int, blockHash: String) {
        self.blockNumber = blockNumber
        self.blockHash = blockHash
    }
}

extension NodeStore {
    /// Stores a signed submission unless one exists for the same contract request; returns the
    /// stored one, which is the one to send. This is what makes submission idempotent: a node
    /// signs at most one fulfilment per contract request, across restarts.
    public func claimSubmission(_ submission: ChainSubmission, at now: Millis) throws -> ChainSubmission {
        try write("store a chain submission") { db in
            if let existing = try Self.submission(submission.chainRequest, in: db) { return existing }
            try db.execute(sql: """
                INSERT INTO chain_submissions (chain_request, request_id, tx_hash, raw_tx, nonce, state, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [submission.chainRequest, submission.requestId.hex, submission.txHash,
                                 Data(submission.rawTransaction), submission.nonce, submission.state.rawValue, now, now])
            return submission
        }
    }

    /// Records that this node attests `outputHash` for a contract request, unless an output is
    /// on record for it already; true if `outputHash` is the one on record, the only one it may
    /// sign. Two network requests for one contract request can end with different outputs:
    /// signing both would be equivocation, which the oracle slashes.
    public func claimAttestation(chainRequest: String, requestId: Hash256, outputHash: Hash256, at now: Millis) throws -> Bool {
        try write("store a chain attestation") { db in
            if let stored = try String.fetchOne(db, sql: "SELECT output_hash FROM chain_attestations WHERE chain_request = ?",
                                                arguments: [chainRequest]) {
                return stored == outputHash.hex
            }
            try db.execute(sql: "INSERT INTO chain_attestations (chain_request, request_id, output_hash, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [chainRequest, requestId.hex, outputHash.hex, now])
            return true
        }
    }

    public func submission(for chainRequest: String) throws -> ChainSubmission? {
        try read("read a chain submission") { db in try Self.submission(chainRequest, in: db) }
    }

    /// Submissions not yet seen in a block: sent again after a restart.
    public func unconfirmedSubmissions() throws -> [ChainSubmission] {
        try read("read unconfirmed chain submissions") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM chain_submissions WHERE state = 'sent' ORDER BY nonce").compactMap(Self.submission)
        }
    }

    /// The highest nonce of a stored submission that may be on chain, so that a restarted node
    /// never signs a second transaction with a nonce it already used.
    public func highestSubmissionNonce() throws -> Int? {
        try read("read chain submission nonces") { db in
            try Int.fetchOne(db, sql: "SELECT MAX(nonce) FROM chain_submissions WHERE state != 'refused'")
        }
    }

    public func markSubmission(_ chainRequest: String, _ state: ChainSubmission.State, at now: Millis) throws {
        try write("update a chain submission") { db in
            try db.execute(sql: "UPDATE chain_submissions SET state = ?, updated_at = ? WHERE chain_request = ?",
                           arguments: [state.rawValue, now, chainRequest])
        }
    }

    public func chainCursor(contract: String) throws -> ChainCursor? {
        try read("read the chain cursor") { db in
            try Row.fetchOne(db, sql: "SELECT block_number, block_hash FROM chain_cursors WHERE contract = ?", arguments: [contract])
                .map { ChainCursor(blockNumber: $0["block_number"], blockHash: $0["block_hash"]) }
        }
    }

    public func setChainCursor(_ cursor: ChainCursor, contract: String, at now: Millis) throws {
        try write("store the chain cursor") { db in
            try db.execute(sql: """
                INSERT INTO chain_cursors (contract, block_number, block_hash, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (contract) DO UPDATE SET block_number = excluded.block_number, block_hash = excluded.block_hash,
                    updated_at = excluded.updated_at
                """, arguments: [contract, cursor.blockNumber, cursor.blockHash, now])
        }
    }

    private static func submission(_ chainRequest: String, in db: Database) throws -> ChainSubmission? {
        try Row.fetchOne(db, sql: "SELECT * FROM chain_submissions WHERE chain_request = ?", arguments: [chainRequest]).flatMap(submission)
    }

    private static func submission(_ row: Row) -> ChainSubmission? {
        guard let requestId = Hash256(hex: row["request_id"]), let state = ChainSubmission.State(rawValue: row["state"]) else { return nil }
        let raw: Data = row["raw_tx"]
        return ChainSubmission(chainRequest: row["chain_request"], requestId: requestId, txHash: row["tx_hash"],
                               rawTransaction: Array(raw), nonce: row["nonce"], state: state)
    }
}
