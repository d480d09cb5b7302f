import Foundation
import Testing
import RakisCore
import RakisTestSupport

extension LoopbackNetworkTests {
    /// An agent's view: the Python `mcp` package starts `rakis mcp` over stdio against a node
    /// that needs an API key, lists the tools, asks three serving nodes (with progress), and
    /// verifies the certificate it got; a tampered certificate and bad arguments are refused
    /// (Tests/Clients/mcp_client.py).
    @Test(.requires(.testClients))
    func anMCPClientGetsACertifiedAnswerAndChecksItsCertificate() async throws {
        let cluster = try LoopbackCluster(serving: 3, followers: 0, transports: [.mesh], api: true, apiAccess: "keys")
        #expect(await cluster.waitUntilConnected(), "\(cluster.logs())")
        let api = "http://127.0.0.1:\(try #require(cluster.apiPort))"
        #expect(await eventually { (try? await HTTP.get("\(api)/api/status"))?.status == 401 }, "the API never answered\n\(cluster.logs())")
        let key = try await cluster.createAPIKey(name: "mcp")
        let python = try #require(ProcessInfo.processInfo.environment["RAKIS_TEST_PYTHON"])
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appending(path: "Clients/mcp_client.py").path
        let started = ContinuousClock.now
        let client = try ChildProcess(executable: python, arguments: [script, NodeProcess.binary, api, "--api-key", key] + cluster.membershipArguments,
                                      logPath: "\(cluster.directory)/mcp-client.log")
        #expect(await client.waitForExit(timeout: .seconds(300)) == 0, "mcp client:\n\(client.log)\n\(cluster.logs())")
        for check in ["initialized", "tools listed", "ask's schema", "network status", "asked the network", "progress reported",
                      "certificate verified", "certificate verified from its text", "tampered certificate refused",
                      "bad argument refused", "unknown argument refused"] {
            #expect(client.log.contains("\"check\": \"\(check)\", \"ok\": true"), "no passed check \(check):\n\(client.log)")
        }
        print("FIGURES mcp: the client's whole session (start, list, ask, verify twice, refusals) took \(Int((ContinuousClock.now - started) / .milliseconds(1))) ms")
        for line in client.log.split(separator: "\n") where line.contains("\"asked the network\"") || line.contains("\"progress reported\"") {
            print("FIGURES mcp: \(line)")
        }
    }
}
