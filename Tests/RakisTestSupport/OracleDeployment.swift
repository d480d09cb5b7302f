import Foundation
import RakisChain
import RakisCore

/// The oracle and the StoryTeller consumer deployed on a private chain, and the calls the tests
/// make on them, through the same RakisChain code the nodes use.
public struct OracleDeployment: Sendable {
    public let chain: PrivateChain
    public let rpc: EthereumRPC
    /// Funded account 1 of the test chain; it deployed both contracts.
    public let deployer: ChainAccount
    public let oracle: EthereumAddress
    public let storyTeller: EthereumAddress
    public let deploymentBlock: Int

    public static let minDeposit = UInt256(1_000_000_000_000_000_000)
    public static let minFee = UInt256(1_000_000_000_000_000)

    /// Deploys the oracle (deposit 1 ether, fee 0.001 ether, callback gas 500,000, exit delay 60 s)
    /// and a StoryTeller for `model` whose stories run to `maxTokens` and may take `timeout` seconds.
    public static func deploy(on chain: PrivateChain, model: String = "smollm2-135m-instruct", maxTokens: Int = 24,
                              timeout: Int = 600) async throws -> OracleDeployment {
        let rpc = EthereumRPC(url: chain.url)
        let deployer = ChainAccount(key: try ChainKey(secret: [UInt8](repeating: 0, count: 31) + [1]), rpcURL: chain.url)
        let oracleArguments = try ABI.encode([.uint(minDeposit), .uint(minFee), .uint(500_000), .uint(60)],
                                             as: Array(repeating: .uint(bits: 256), count: 4))
        let oracleReceipt = try await deployer.send(to: nil, data: try initcode("RakisOracle") + oracleArguments)
        let oracle = try EthereumAddress(oracleReceipt.contractAddress ?? "")
        let tellerArguments = try ABI.encode([.address(oracle), .string(model), .uint(UInt256(UInt64(maxTokens))), .uint(UInt256(UInt64(timeout)))],
                                             as: [.address, .string, .uint(bits: 32), .uint(bits: 64)])
        let tellerReceipt = try await deployer.send(to: nil, data: try initcode("StoryTeller") + tellerArguments)
        return OracleDeployment(chain: chain, rpc: rpc, deployer: deployer, oracle: oracle,
                                storyTeller: try EthereumAddress(tellerReceipt.contractAddress ?? ""),
                                deploymentBlock: oracleReceipt.blockNumber)
    }

    static func initcode(_ name: String) throws -> [UInt8] {
        guard let bytes = EthereumHex.decode(try PrivateChain.initcode(name)) else { throw ChildProcessError("\(name): bytecode is not hex") }
        return bytes
    }

    /// A new key with `ether` from the deployer.
    public func fundedAccount(ether: UInt64 = 10) async throws -> ChainAccount {
        let account = ChainAccount(key: ChainKey.generate(), rpcURL: chain.url)
        try await deployer.send(to: account.address, value: UInt256(ether) * UInt256(1_000_000_000_000_000_000), data: [])
        return account
    }

    /// Registers `account` as the chain address of `node`, with the minimum deposit unless told.
    public func register(_ account: ChainAccount, as node: NodeID, deposit: Wei = OracleDeployment.minDeposit) async throws {
        try await account.send(to: oracle, value: deposit, data: OracleContract.register(nodeId: node))
    }

    /// Asks the StoryTeller for a story; returns the oracle's request id.
    public func tell(_ prompt: String, from account: ChainAccount, payment: Wei = UInt256(10_000_000_000_000_000)) async throws -> UInt256 {
        let receipt = try await account.send(to: storyTeller, value: payment, data: try ABI.encodeCall("tell(string)", [.string(prompt)], as: [.string]))
        return try await requestId(madeIn: receipt)
    }

    /// The oracle request id of the `Requested` log a consumer's transaction emitted.
    func requestId(madeIn receipt: TransactionReceipt) async throws -> UInt256 {
        let logs = try await rpc.logs(LogFilter(address: oracle.lowercaseHex, topics: [[OracleContract.requestedTopic]],
                                                from: receipt.blockNumber, to: receipt.blockNumber))
        guard let log = logs.first(where: { $0.transactionHash == receipt.transactionHash }), log.topics.count > 1,
              let id = UInt256(bigEndian: log.topics[1])
        else { throw ChildProcessError("no Requested log in \(receipt.transactionHash)") }
        return id
    }

    public func story(_ requestId: UInt256) async throws -> String {
        let answer = try await rpc.call(to: storyTeller.lowercaseHex, data: try ABI.encodeCall("storyOf(uint256)", [.uint(requestId)], as: [.uint(bits: 256)]))
        return try ABI.decode([.string], from: answer).first?.stringValue ?? ""
    }

    /// The transaction that fulfilled a request, and who sent it (from its `Fulfilled` log).
    public func fulfilment(_ requestId: UInt256) async throws -> (receipt: TransactionReceipt, submitter: EthereumAddress) {
        let head = try await rpc.blockNumber()
        let logs = try await rpc.logs(LogFilter(address: oracle.lowercaseHex, topics: [[OracleContract.fulfilledTopic], [requestId.bigEndianBytes]],
                                                from: deploymentBlock, to: head))
        guard let log = logs.first, logs.count == 1, log.topics.count == 3, let receipt = try await rpc.receipt(log.transactionHash),
              let submitter = EthereumAddress(bytes: Array(log.topics[2].suffix(20)))
        else { throw ChildProcessError("request \(requestId) has not exactly one Fulfilled log: \(logs)") }
        return (receipt, submitter)
    }

    /// Sends nearly all of an account's ether back to the deployer: it can still sign
    /// attestations, but no longer pay for a fulfilment.
    public func drain(_ account: ChainAccount) async throws {
        let balance = UInt256(hexQuantity: try await rpc.balance(of: account.address.lowercaseHex)) ?? .zero
        // Three times the transfer's gas at its highest fee, which the base fee cannot outgrow in a block.
        let reserve = UInt256(3 * 25_200) * (try await account.fees().maxFee)
        try await account.send(to: deployer.address, value: balance - reserve, data: [])
    }

    public func earnings(_ address: EthereumAddress) async throws -> Wei {
        try await uint(OracleContract.earnings(address))
    }

    public func state(_ requestId: UInt256) async throws -> OracleContract.RequestState {
        OracleContract.RequestState(rawValue: Int(try await uint(OracleContract.stateOf(requestId)).exactUInt64 ?? 0)) ?? .unknown
    }

    func uint(_ call: [UInt8]) async throws -> UInt256 {
        let answer = try await rpc.call(to: oracle.lowercaseHex, data: call)
        guard let value = UInt256(bigEndian: answer) else { throw ChildProcessError("not a uint256: \(answer.count) bytes") }
        return value
    }
}
