import Foundation
import Testing
import RakisTestSupport

extension LoopbackNetworkTests {
    /// A real headless Chromium loads node 0's dashboard, whose API needs a key: the page asks for
    /// one, refuses a wrong one and logs in with a key made by `rakis keys api create`; then it
    /// asks through its form and watches the
    /// request finalize: timeline, members table, embedding plot and packet log. The screenshot
    /// is kept in $RAKIS_TEST_ARTIFACTS (default: the system's temporary directory).
    @Test(.requires(.testClients, .chromium))
    func theDashboardAsksAndShowsTheRequestFinalize() async throws {
        let cluster = try LoopbackCluster(serving: 3, followers: 0, transports: [.mesh], api: true, apiAccess: "keys")
        #expect(await cluster.waitUntilConnected(), "\(cluster.logs())")
        let api = "http://127.0.0.1:\(try #require(cluster.apiPort))"
        let key = try await cluster.createAPIKey(name: "dashboard")
        let artifacts = ProcessInfo.processInfo.environment["RAKIS_TEST_ARTIFACTS"] ?? FileManager.default.temporaryDirectory.path
        try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
        let screenshot = "\(artifacts)/dashboard.png"
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "Clients/dashboard_browser.py").path
        let browser = try ChildProcess(executable: ProcessInfo.processInfo.environment["RAKIS_TEST_PYTHON"]!,
                                       arguments: [script, api, screenshot, key], logPath: "\(cluster.directory)/browser.log")
        let exit = await browser.waitForExit(timeout: .seconds(300))
        #expect(exit == 0, "browser:\n\(browser.log)\n\(cluster.logs())")
        #expect(FileManager.default.fileExists(atPath: screenshot))
        if let loaded = browser.log.split(separator: "\n").first(where: { $0.contains("\"check\": \"loaded\"") }) {
            print("FIGURES dashboard: \(loaded)")
        }
        #expect(await cluster.stopAll().allSatisfy { $0 == 0 })
    }
}
