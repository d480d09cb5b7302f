import Foundation
import RakisChain
import RakisTestSupport

/// What an oracle test with real nodes starts from: a private chain at one block a second with
/// the oracle and a StoryTeller, a folder for the nodes' key files (removed by `tearDown`), and
/// the chain settings file every node reads (2 confirmations, as deployed chains use; polled
/// every 250 ms), with `extraSettings` lines under `chain:`.
struct OracleTestbed {
    let chain: PrivateChain
    let deployment: OracleDeployment
    let keys: URL
    let settings: String

    init(extraSettings: [String] = []) async throws {
        chain = try await PrivateChain(blockTime: 1)
        deployment = try await OracleDeployment.deploy(on: chain, maxTokens: 24)
        keys = FileManager.default.temporaryDirectory.appending(path: "rakis-oracle-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        settings = keys.appending(path: "chain.yaml").path
        let lines = ["chain:", "  rpc: \(chain.url)", "  oracle: \(deployment.oracle.lowercaseHex)", "  confirmations: 2",
                     "  start_block: \(deployment.deploymentBlock)", "  poll_interval_ms: 250"] + extraSettings.map { "  \($0)" }
        try lines.joined(separator: "\n").write(toFile: settings, atomically: true, encoding: .utf8)
    }

    /// Writes `account`'s chain key for node `index`; returns the file's path.
    func chainKeyFile(_ account: ChainAccount, node index: Int) throws -> String {
        let path = keys.appending(path: "chain\(index).key").path
        try account.key.secretHex.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func tearDown() async {
        try? FileManager.default.removeItem(at: keys)
        await chain.stop()
    }
}
