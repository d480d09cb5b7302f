import Foundation
import Testing
import RakisChain
import RakisCore
import RakisTestSupport

/// The log follower on a real chain whose blocks are replaced (evm_snapshot and evm_revert).
@Suite(.serialized, .timeLimit(.minutes(5)), .requires(.testChain))
struct LogFollowerTests {
    func prompts(_ step: LogFollower.Step, _ deployment: OracleDeployment) throws -> [String]? {
        guard case let .logs(logs, _) = step else { return nil }
        return try logs.filter { $0.topics.first == OracleContract.requestedTopic }
            .map { try OracleContract.requested($0, chainId: 1337, oracle: deployment.oracle).prompt }
    }

    func control(_ deployment: OracleDeployment, _ method: String, _ params: [JSONValue] = []) async throws -> JSONValue {
        try await deployment.rpc.client.call(method, params)
    }

    @Test func aLogReplacedWithinTheConfirmationDepthIsNeverHandedOut() async throws {
        let chain = try await PrivateChain(blockTime: 0)
        let deployment = try await OracleDeployment.deploy(on: chain)
        let teller = try await deployment.fundedAccount()
        var follower = LogFollower(address: deployment.oracle.lowercaseHex, topics: [[OracleContract.requestedTopic]],
                                   confirmations: 2, startBlock: deployment.deploymentBlock)
        let snapshot = try await control(deployment, "evm_snapshot")
        _ = try await deployment.tell("abandoned", from: teller)
        let early = try await follower.poll(deployment.rpc)
        #expect(try prompts(early, deployment) ?? [] == [], "not yet buried under two blocks")

        _ = try await control(deployment, "evm_revert", [snapshot])
        _ = try await deployment.tell("kept", from: teller)
        for _ in 0..<2 { _ = try await control(deployment, "evm_mine") }
        var seen: [String] = []
        while case let step = try await follower.poll(deployment.rpc), step != .idle {
            seen += try prompts(step, deployment) ?? []
        }
        #expect(seen == ["kept"])
        await chain.stop()
    }

    @Test func aReplacedBlockBeyondTheDepthIsNoticedAndItsReplacementRead() async throws {
        let chain = try await PrivateChain(blockTime: 0)
        let deployment = try await OracleDeployment.deploy(on: chain)
        let teller = try await deployment.fundedAccount()
        var follower = LogFollower(address: deployment.oracle.lowercaseHex, topics: [[OracleContract.requestedTopic]],
                                   confirmations: 0, startBlock: deployment.deploymentBlock)
        let snapshot = try await control(deployment, "evm_snapshot")
        _ = try await deployment.tell("first version", from: teller)
        #expect(try prompts(try await follower.poll(deployment.rpc), deployment) == ["first version"])

        _ = try await control(deployment, "evm_revert", [snapshot])
        _ = try await deployment.tell("second version", from: teller)
        let noticed = try await follower.poll(deployment.rpc)
        guard case let .reorganized(depth, resumeAfter) = noticed else {
            Issue.record("expected the replaced block to be noticed, got \(noticed)")
            return
        }
        #expect(depth == 1)
        #expect(resumeAfter < deployment.deploymentBlock + 4)
        var seen: [String] = []
        while case let step = try await follower.poll(deployment.rpc), step != .idle {
            seen += try prompts(step, deployment) ?? []
        }
        #expect(seen == ["second version"])
        await chain.stop()
    }
}
