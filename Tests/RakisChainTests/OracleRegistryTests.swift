import Foundation
import Testing
import RakisChain
import RakisCore
import RakisTestSupport

/// The registry as a fold of the oracle's logs: its rules on synthesized logs, then on a real
/// chain, whose blocks are replaced under it (evm_snapshot and evm_revert).
@Suite(.serialized, .timeLimit(.minutes(5)))
struct OracleRegistryTests {
    static let unit = UInt256(1_000)

    func address(_ n: UInt8) -> EthereumAddress { EthereumAddress(bytes: [UInt8](repeating: 0, count: 19) + [n])! }

    func node(_ n: UInt8) -> NodeID { NodeID(publicKey: [UInt8](repeating: n, count: 32)) }

    func word(_ address: EthereumAddress) -> [UInt8] { [UInt8](repeating: 0, count: 12) + address.bytes }

    func registered(_ who: EthereumAddress, _ node: NodeID, deposit: UInt256, block: Int) throws -> LogEntry {
        LogEntry(address: "0x", topics: [OracleContract.registeredTopic, word(who)],
                 data: try ABI.encode([.fixedBytes(node.publicKeyBytes), .uint(deposit)], as: [.fixedBytes(32), .uint(bits: 256)]),
                 blockNumber: block, blockHash: "0x", transactionHash: "0x", logIndex: 0)
    }

    func left(_ topic: [UInt8], _ who: EthereumAddress, block: Int) -> LogEntry {
        let topics = topic == OracleContract.slashedTopic ? [topic, word(who), word(address(99))] : [topic, word(who)]
        let data = topic == OracleContract.slashedTopic ? UInt256(5).bigEndianBytes : []
        return LogEntry(address: "0x", topics: topics, data: data, blockNumber: block, blockHash: "0x", transactionHash: "0x", logIndex: 1)
    }

    @Test func depositsWeighInWholeUnitsAndRegistrationsOfOneNodeAddUp() throws {
        var registry = OracleRegistry(minDeposit: Self.unit, startBlock: 10)
        #expect(try registry.apply(try registered(address(1), node(1), deposit: 1_999, block: 10)))
        #expect(try registry.apply(try registered(address(2), node(2), deposit: 3_000, block: 11)))
        // A second address naming node 2 adds to its weight.
        #expect(try registry.apply(try registered(address(3), node(2), deposit: 2_000, block: 11)))
        // A deposit beyond 2^40 units weighs 2^40.
        #expect(try registry.apply(try registered(address(4), node(4), deposit: .max, block: 12)))
        #expect(registry.weights == [node(1): 1, node(2): 5, node(4): Membership.maxWeight])
        #expect(registry.nodes == [node(1), node(2), node(4)].sorted())
        #expect(registry.membership.kind == .stake && registry.membership.totalWeight == 6 + Membership.maxWeight)

        #expect(try registry.apply(left(OracleContract.deregisteredTopic, address(1), block: 13)))
        #expect(try registry.apply(left(OracleContract.slashedTopic, address(3), block: 13)))
        #expect(try !registry.apply(left(OracleContract.deregisteredTopic, address(7), block: 13)), "nobody to remove")
        #expect(registry.weights == [node(2): 3, node(4): Membership.maxWeight])
    }

    @Test func logsOfBlocksAlreadyHeldChangeNothing() throws {
        var registry = OracleRegistry(minDeposit: Self.unit, startBlock: 10)
        try registry.apply(try registered(address(1), node(1), deposit: 1_000, block: 10))
        try registry.apply(left(OracleContract.deregisteredTopic, address(1), block: 12))
        registry.advance(through: 12)
        // Following the chain again from an earlier cursor hands out the same logs once more.
        #expect(try !registry.apply(try registered(address(1), node(1), deposit: 1_000, block: 10)))
        #expect(registry.weights.isEmpty)
        #expect(registry.membership.weights.isEmpty, "an empty registry is an empty stake membership, not an error")
        // A follower behind the registry (read ahead at start) hands out older ranges: nothing moves back.
        registry.advance(through: 11)
        #expect(registry.through == 12)
    }

    @Test func registrationsBeyondTheBoundAreNotCounted() throws {
        var registry = OracleRegistry(minDeposit: Self.unit, startBlock: 0)
        for index in 0..<OracleRegistry.maxRegistrations {
            let who = EthereumAddress(bytes: [UInt8](repeating: 1, count: 16) + withUnsafeBytes(of: UInt32(index).bigEndian, Array.init))!
            try registry.apply(try registered(who, NodeID(publicKey: [UInt8](repeating: 0, count: 28) + who.bytes.suffix(4)), deposit: 1_000, block: 1))
        }
        #expect(try !registry.apply(try registered(address(1), node(1), deposit: 1_000, block: 2)))
        #expect(registry.registrations.count == OracleRegistry.maxRegistrations)
        #expect(registry.membership.weights.count == Membership.maxMembers)
    }

    @Test func aLogOfAnotherShapeIsAnError() throws {
        var registry = OracleRegistry(minDeposit: Self.unit, startBlock: 0)
        let truncated = LogEntry(address: "0x", topics: [OracleContract.registeredTopic, word(address(1))], data: [1, 2, 3],
                                 blockNumber: 1, blockHash: "0x", transactionHash: "0xab", logIndex: 4)
        #expect(throws: RegistryError.self) { try registry.apply(truncated) }
        #expect(registry.registrations.isEmpty)
    }

    @Test(.requires(.testChain))
    func aRegistrationInReplacedBlocksIsGoneWhenTheRegistryIsReadAgain() async throws {
        let chain = try await PrivateChain(blockTime: 0)
        let deployment = try await OracleDeployment.deploy(on: chain)
        let staying = try await deployment.fundedAccount()
        let stayingNode = NodeIdentity.generate().nodeId
        try await deployment.register(staying, as: stayingNode, deposit: OracleDeployment.minDeposit * 3)
        let read = { (through: Int) in
            try await OracleRegistry.read(deployment.rpc, oracle: deployment.oracle.lowercaseHex, minDeposit: OracleDeployment.minDeposit,
                                          startBlock: deployment.deploymentBlock, through: through)
        }
        let snapshot = try await deployment.rpc.client.call("evm_snapshot")
        let replaced = try await deployment.fundedAccount()
        let replacedNode = NodeIdentity.generate().nodeId
        try await deployment.register(replaced, as: replacedNode)
        let before = try await read(try await deployment.rpc.blockNumber())
        #expect(before.weights == [stayingNode: 3, replacedNode: 1])

        _ = try await deployment.rpc.client.call("evm_revert", [snapshot])
        let newcomer = try await deployment.fundedAccount()
        let newcomerNode = NodeIdentity.generate().nodeId
        try await deployment.register(newcomer, as: newcomerNode, deposit: OracleDeployment.minDeposit * 2)
        for _ in 0..<3 { _ = try await deployment.rpc.client.call("evm_mine") }
        let head = try await deployment.rpc.blockNumber()
        let after = try await read(head)
        #expect(after.weights == [stayingNode: 3, newcomerNode: 2])
        #expect(after.through == head)
        await chain.stop()
    }
}
