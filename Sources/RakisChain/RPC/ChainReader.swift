import RakisCore

/// What the log follower needs from a chain: its head, block hashes and logs. `EthereumRPC`
/// reads them from a node; the seam keeps the follower's reorganization logic apart from HTTP.
public protocol ChainReader: Sendable {
    func blockNumber() async throws -> Int
    /// nil if the chain has no block at that height (it may have just become shorter).
    func header(_ number: Int) async throws -> BlockHeader?
    func logs(_ filter: LogFilter) async throws -> [LogEntry]
}

/// The parts of a block header the connector uses.
public struct BlockHeader: Sendable, Hashable {
    public let number: Int
    /// "0x" and 64 lowercase hex digits.
    public let hash: String
    public let parentHash: String
    /// Unix seconds.
    public let timestamp: Int
    /// Wei, as the node spelled it ("0x..."); nil before EIP-1559.
    public let baseFeePerGas: String?

    public init(number: Int, hash: String, parentHash: String, timestamp: Int, baseFeePerGas: String?) {
        self.number = number
        self.hash = hash
        self.parentHash = parentHash
        self.timestamp = timestamp
        self.baseFeePerGas = baseFeePerGas
    }
}

/// An `eth_getLogs` query: one contract, blocks `from...to`, topics by position (nil matches
/// anything, several values match any of them).
public struct LogFilter: Sendable, Hashable {
    public let address: String
    public let topics: [[[UInt8]]?]
    public let from: Int
    public let to: Int

    public init(address: String, topics: [[[UInt8]]?], from: Int, to: Int) {
        self.address = address
        self.topics = topics
        self.from = from
        self.to = to
    }
}

/// One event log.
public struct LogEntry: Sendable, Hashable {
    public let address: String
    public let topics: [[UInt8]]
    public let data: [UInt8]
    public let blockNumber: Int
    public let blockHash: String
    public let transactionHash: String
    public let logIndex: Int

    public init(address: String, topics: [[UInt8]], data: [UInt8], blockNumber: Int, blockHash: String, transactionHash: String, logIndex: Int) {
        self.address = address
        self.topics = topics
        self.data = data
        self.blockNumber = blockNumber
        self.blockHash = blockHash
        self.transactionHash = transactionHash
        self.logIndex = logIndex
    }
}
