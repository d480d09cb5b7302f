import RakisCore

/// The Ethereum JSON-RPC methods the connector uses, with typed answers.
public struct EthereumRPC: ChainReader {
    public let client: JSONRPCClient

    public init(url: String) {
        client = JSONRPCClient(url: url)
    }

    public func chainId() async throws -> Int {
        try Self.int(try await client.call("eth_chainId"), "eth_chainId")
    }

    public func blockNumber() async throws -> Int {
        try Self.int(try await client.call("eth_blockNumber"), "eth_blockNumber")
    }

    public func header(_ number: Int) async throws -> BlockHeader? {
        try await block(.string(Self.quantity(number)))
    }

    public func latestHeader() async throws -> BlockHeader {
        guard let header = try await block("latest") else { throw ChainRPCError.malformed(method: "eth_getBlockByNumber", reason: "no latest block") }
        return header
    }

    private func block(_ tag: JSONValue) async throws -> BlockHeader? {
        let method = "eth_getBlockByNumber"
        let answer = try await client.call(method, [tag, false])
        if answer == .null { return nil }
        let block = try JSONObjectReader(answer, path: method)
        return BlockHeader(number: try Self.int(try block.value("number"), "number"), hash: try block.string("hash"),
                           parentHash: try block.string("parentHash"), timestamp: try Self.int(try block.value("timestamp"), "timestamp"),
                           baseFeePerGas: try block.optionalString("baseFeePerGas"))
    }

    public func logs(_ filter: LogFilter) async throws -> [LogEntry] {
        let method = "eth_getLogs"
        let topics: [JSONValue] = filter.topics.map { position in
            position.map { .array($0.map { .string(EthereumHex.encode($0)) }) } ?? .null
        }
        let query: JSONValue = [
            "address": .string(filter.address), "fromBlock": .string(Self.quantity(filter.from)),
            "toBlock": .string(Self.quantity(filter.to)), "topics": .array(topics),
        ]
        guard case let .array(entries) = try await client.call(method, [query]) else {
            throw ChainRPCError.malformed(method: method, reason: "not an array of logs")
        }
        return try entries.enumerated().map { index, value in
            let log = try JSONObjectReader(value, path: "\(method)[\(index)]")
            return LogEntry(
                address: try log.string("address").lowercased(),
                topics: try log.stringArray("topics").map { try Self.bytes($0, "topics") },
                data: try Self.bytes(try log.string("data"), "data"),
                blockNumber: try Self.int(try log.value("blockNumber"), "blockNumber"),
                blockHash: try log.string("blockHash"),
                transactionHash: try log.string("transactionHash"),
                logIndex: try Self.int(try log.value("logIndex"), "logIndex")
            )
        }
    }

    /// `eth_call` against the latest block; a revert throws with its reason.
    public func call(to: String, data: [UInt8], from: String? = nil) async throws -> [UInt8] {
        var transaction: [String: JSONValue] = ["to": .string(to), "data": .string(EthereumHex.encode(data))]
        if let from { transaction["from"] = .string(from) }
        return try Self.bytes(try Self.string(try await client.call("eth_call", [.object(transaction), "latest"]), "eth_call"), "eth_call")
    }

    public func estimateGas(from: String, to: String?, value: String = "0x0", data: [UInt8]) async throws -> Int {
        var transaction: [String: JSONValue] = ["from": .string(from), "value": .string(value), "data": .string(EthereumHex.encode(data))]
        if let to { transaction["to"] = .string(to) }
        return try Self.int(try await client.call("eth_estimateGas", [.object(transaction)]), "eth_estimateGas")
    }

    /// The next nonce of an account, counting transactions still in the pool.
    public func pendingNonce(of address: String) async throws -> Int {
        try Self.int(try await client.call("eth_getTransactionCount", [.string(address), "pending"]), "eth_getTransactionCount")
    }

    public func maxPriorityFeePerGas() async throws -> String {
        try Self.string(try await client.call("eth_maxPriorityFeePerGas"), "eth_maxPriorityFeePerGas")
    }

    public func balance(of address: String) async throws -> String {
        try Self.string(try await client.call("eth_getBalance", [.string(address), "latest"]), "eth_getBalance")
    }

    /// Sends signed transaction bytes; returns the transaction hash the node reports.
    public func sendRawTransaction(_ raw: [UInt8]) async throws -> String {
        try Self.string(try await client.call("eth_sendRawTransaction", [.string(EthereumHex.encode(raw))]), "eth_sendRawTransaction")
    }

    /// The receipt of a mined transaction; nil while it is not in a block.
    public func receipt(_ transactionHash: String) async throws -> TransactionReceipt? {
        let method = "eth_getTransactionReceipt"
        let answer = try await client.call(method, [.string(transactionHash)])
        if answer == .null { return nil }
        let receipt = try JSONObjectReader(answer, path: method)
        return TransactionReceipt(
            transactionHash: try receipt.string("transactionHash"),
            succeeded: try Self.int(try receipt.value("status"), "status") == 1,
            gasUsed: try Self.int(try receipt.value("gasUsed"), "gasUsed"),
            blockNumber: try Self.int(try receipt.value("blockNumber"), "blockNumber"),
            contractAddress: try? receipt.string("contractAddress").lowercased()
        )
    }

    // MARK: - Quantities

    /// A JSON-RPC quantity: "0x" and hex digits without leading zeros.
    public static func quantity(_ value: Int) -> String { "0x" + String(value, radix: 16) }

    static func int(_ value: JSONValue, _ field: String) throws -> Int {
        let text = try string(value, field)
        guard text.hasPrefix("0x"), let number = Int(text.dropFirst(2), radix: 16) else {
            throw ChainRPCError.malformed(method: field, reason: "\"\(text)\" is not a hex quantity")
        }
        return number
    }

    static func string(_ value: JSONValue, _ field: String) throws -> String {
        guard case let .string(text) = value else { throw ChainRPCError.malformed(method: field, reason: "expected a string") }
        return text
    }

    static func bytes(_ text: String, _ field: String) throws -> [UInt8] {
        guard let bytes = EthereumHex.decode(text) else {
            throw ChainRPCError.malformed(method: field, reason: "\"\(text.prefix(20))\" is not hex data")
        }
        return bytes
    }
}

/// What the connector reads from a receipt.
public struct TransactionReceipt: Sendable, Hashable {
    public let transactionHash: String
    public let succeeded: Bool
    public let gasUsed: Int
    public let blockNumber: Int
    public let contractAddress: String?
}
