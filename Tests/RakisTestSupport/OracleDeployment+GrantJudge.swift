import RakisChain
import RakisCore

/// The GrantJudge example consumer (contracts/GrantJudge.vy) beside a deployed oracle: the
/// structured requests' end-to-end tests deploy it, fund it, apply and read its decisions.
extension OracleDeployment {
    /// Deploys a GrantJudge of this oracle for `model`, answers of at most `maxTokens` tokens, due
    /// within `timeout` seconds, without a challenge window; returns its address.
    public func deployGrantJudge(model: String = "smollm2-135m-instruct", maxTokens: Int, timeout: Int = 600) async throws -> EthereumAddress {
        let arguments = try ABI.encode([.address(oracle), .string(model), .uint(UInt256(UInt64(maxTokens))), .uint(UInt256(UInt64(timeout))), .uint(.zero)],
                                       as: [.address, .string, .uint(bits: 32), .uint(bits: 64), .uint(bits: 64)])
        let receipt = try await deployer.send(to: nil, data: try Self.initcode("GrantJudge") + arguments)
        return try EthereumAddress(receipt.contractAddress ?? "")
    }

    /// The judge's schema, as the contract holds it (`SCHEMA()`).
    public func grantSchema(_ judge: EthereumAddress) async throws -> String {
        let answer = try await rpc.call(to: judge.lowercaseHex, data: try ABI.encodeCall("SCHEMA()", [], as: []))
        return try ABI.decode([.string], from: answer).first?.stringValue ?? ""
    }

    /// `apply(proposal, amount, recipient)` from `account`, paying the oracle's fee; returns the
    /// oracle's request id.
    public func applyForGrant(_ judge: EthereumAddress, proposal: String, amount: Wei, recipient: EthereumAddress, from account: ChainAccount,
                              payment: Wei = UInt256(10_000_000_000_000_000)) async throws -> UInt256 {
        let receipt = try await account.send(to: judge, value: payment, data: try ABI.encodeCall(
            "apply(string,uint256,address)", [.string(proposal), .uint(amount), .address(recipient)], as: [.string, .uint(bits: 256), .address]))
        return try await requestId(madeIn: receipt)
    }

    /// What the judge's callback recorded for a request (`decisionOf`).
    public struct GrantDecision: Sendable {
        public let approve: Bool
        public let category: Int
        public let reason: String
        public let score: Int
        public let decided: Bool
    }

    public func grantDecision(_ judge: EthereumAddress, _ requestId: UInt256) async throws -> GrantDecision {
        let answer = try await rpc.call(to: judge.lowercaseHex, data: try ABI.encodeCall("decisionOf(uint256)", [.uint(requestId)], as: [.uint(bits: 256)]))
        let fields = try ABI.decode([.bool, .uint(bits: 8), .string, .uint(bits: 256), .bool], from: answer)
        guard let approve = fields[0].boolValue, let category = fields[1].uintValue?.exactUInt64, let reason = fields[2].stringValue,
              let score = fields[3].uintValue?.exactUInt64, let decided = fields[4].boolValue
        else { throw ChildProcessError("decisionOf(\(requestId)): fields of unexpected kinds") }
        // Scores are 0 to 10 by the schema: a negative int256 would not fit exactUInt64 at all.
        return GrantDecision(approve: approve, category: Int(category), reason: reason, score: Int(score), decided: decided)
    }

    /// The result hash and callback outcome of a request's `Fulfilled` log.
    public func fulfilled(_ requestId: UInt256) async throws -> (resultHash: [UInt8], callbackSucceeded: Bool) {
        let head = try await rpc.blockNumber()
        let logs = try await rpc.logs(LogFilter(address: oracle.lowercaseHex, topics: [[OracleContract.fulfilledTopic], [requestId.bigEndianBytes]],
                                                from: deploymentBlock, to: head))
        guard let log = logs.first, let fields = try? ABI.decode([.fixedBytes(32), .uint(bits: 256), .bool], from: log.data),
              let hash = fields[0].bytesValue, let succeeded = fields[2].boolValue
        else { throw ChildProcessError("request \(requestId) has no Fulfilled log") }
        return (hash, succeeded)
    }
}
