/// Follows a contract's logs block range by block range, handing out only logs buried under
/// `confirmations` blocks, and noticing when the chain it read has been replaced.
///
/// Confirmation depth keeps ordinary reorganizations out of sight: a log is handed out only
/// once `confirmations` blocks sit on top of it. For deeper ones it remembers the hash of the
/// last block of each range it handled; when the chain no longer has that hash at that height,
/// it steps back to the newest range end the chain still agrees with and reads again from
/// there. Logs handed out from the abandoned blocks cannot be taken back: their consumer must be
/// idempotent per event (the connector keys everything by the contract's request id, and reads
/// its registry again from the start).
public struct LogFollower: Sendable {
    public enum Step: Sendable, Equatable {
        /// Confirmed logs of blocks up to `through`, in chain order; maybe none.
        case logs([LogEntry], through: BlockRef)
        /// The chain replaced `depth` handled range ends; reading resumes after `resumeAfter`.
        case reorganized(depth: Int, resumeAfter: Int)
        /// Nothing new is confirmed yet, or the chain moved while it was read: try again later.
        case idle
    }

    public let address: String
    public let topics: [[[UInt8]]?]
    public let confirmations: Int
    /// Blocks read per `eth_getLogs`, which nodes limit.
    public let maxRange: Int
    /// The first block to read when nothing has been handled yet.
    public let startBlock: Int
    /// Ends of the ranges handled, oldest first, at most `rememberedRanges`.
    public private(set) var handled: [BlockRef]

    public init(address: String, topics: [[[UInt8]]?], confirmations: Int, startBlock: Int, resumingAfter cursor: BlockRef? = nil,
                maxRange: Int = 1_000) {
        precondition(confirmations >= 0 && maxRange > 0)
        self.address = address
        self.topics = topics
        self.confirmations = confirmations
        self.startBlock = startBlock
        self.maxRange = maxRange
        handled = cursor.map { [$0] } ?? []
    }

    /// The last block handled: where to resume after a restart.
    public var cursor: BlockRef? { handled.last }

    /// Reads the next confirmed range, ending at `limit` at the latest.
    public mutating func poll(_ chain: some ChainReader, upTo limit: Int = .max) async throws -> Step {
        if let depth = try await rewindIfReplaced(chain) {
            return .reorganized(depth: depth, resumeAfter: (handled.last?.number ?? startBlock - 1))
        }
        let confirmed = min(limit, try await chain.blockNumber() - confirmations)
        let from = (handled.last?.number ?? startBlock - 1) + 1
        guard from <= confirmed else { return .idle }
        let to = min(confirmed, from + maxRange - 1)
        guard let end = try await chain.header(to) else { return .idle }
        let logs = try await chain.logs(LogFilter(address: address, topics: topics, from: from, to: to))
        // Every log must come from the chain whose block `to` was read; otherwise the chain moved
        // in between, and the range is read again next time.
        var canonical: [Int: String] = [to: end.hash]
        for log in logs {
            if canonical[log.blockNumber] == nil { canonical[log.blockNumber] = try await chain.header(log.blockNumber)?.hash }
            guard canonical[log.blockNumber] == log.blockHash else { return .idle }
        }
        guard try await chain.header(to)?.hash == end.hash else { return .idle }
        let reached = BlockRef(number: to, hash: end.hash)
        handled.append(reached)
        if handled.count > Self.rememberedRanges { handled.removeFirst() }
        return .logs(logs.sorted { ($0.blockNumber, $0.logIndex) < ($1.blockNumber, $1.logIndex) }, through: reached)
    }

    /// Drops the handled range ends the chain no longer has; returns how many, or nil if the
    /// newest still stands.
    private mutating func rewindIfReplaced(_ chain: some ChainReader) async throws -> Int? {
        var depth = 0
        while let last = handled.last, try await chain.header(last.number)?.hash != last.hash {
            handled.removeLast()
            depth += 1
        }
        return depth > 0 ? depth : nil
    }

    static let rememberedRanges = 256
}

/// A block by number and hash.
public struct BlockRef: Sendable, Hashable {
    public let number: Int
    public let hash: String

    public init(number: Int, hash: String) {
        self.number = number
        self.hash = hash
    }
}
