import Foundation
import Testing
import RakisCore
import RakisTestSupport

extension LoopbackNetworkTests {
    /// Three followers on the mesh, Nostr and MQTT, two with the dashboard: headless Chromium
    /// types a message on node 0's chat page and sees it on node 1's with all three transports
    /// listed, then an answer the other way. The screenshot is kept in $RAKIS_TEST_ARTIFACTS.
    @Test(.requires(.testClients, .chromium))
    func aChatMessageTypedOnOneDashboardShowsOnAnotherWithEveryTransport() async throws {
        let cluster = try LoopbackCluster(serving: 0, followers: 3, transports: [.mesh, .nostr, .mqtt], apiNodes: 2,
                                          extraMembers: [NodeIdentity.generate().nodeId])
        #expect(await cluster.waitUntilConnected(), "\(cluster.logs())")
        let artifacts = ProcessInfo.processInfo.environment["RAKIS_TEST_ARTIFACTS"] ?? FileManager.default.temporaryDirectory.path
        try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
        let screenshot = "\(artifacts)/chat.png"
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "Clients/chat_browser.py").path
        let apis = cluster.apiPorts.map { "http://127.0.0.1:\($0)" }
        let browser = try ChildProcess(executable: ProcessInfo.processInfo.environment["RAKIS_TEST_PYTHON"]!,
                                       arguments: [script, apis[0], apis[1], "mesh,mqtt,nostr", screenshot],
                                       logPath: "\(cluster.directory)/browser.log")
        let exit = await browser.waitForExit(timeout: .seconds(240))
        #expect(exit == 0, "browser:\n\(browser.log)\n\(cluster.logs())")
        #expect(FileManager.default.fileExists(atPath: screenshot))
        for line in browser.log.split(separator: "\n") where line.contains("\"check\": \"B lists every transport\"") {
            print("FIGURES chat in the browser: \(line)")
        }
        #expect(await cluster.stopAll().allSatisfy { $0 == 0 })
    }

    /// `rakis chat` sends from node 0 and follows node 1; twenty messages through the API then
    /// give every transport its latency percentiles and a loss of 0 on loopback, over the API and
    /// in the Prometheus metrics of a node without an API.
    @Test func theChatCommandAndTheTransportFigures() async throws {
        let cluster = try LoopbackCluster(serving: 0, followers: 3, transports: [.mesh, .nostr, .mqtt], apiNodes: 2,
                                          extraMembers: [NodeIdentity.generate().nodeId])
        #expect(await cluster.waitUntilConnected(), "\(cluster.logs())")
        let apis = cluster.apiPorts.map { "http://127.0.0.1:\($0)" }
        let follower = try NodeProcess(name: "chat-follow", arguments: ["chat", "--node", apis[1]], directory: cluster.directory)
        #expect(await eventually { follower.log.contains("following the chat") }, "\(follower.log)")

        let send = try NodeProcess(name: "chat-send", arguments: ["chat", "--node", apis[0], "from the command line"], directory: cluster.directory)
        #expect(await send.process.waitForExit(timeout: .seconds(30)) == 0, "\(send.log)")
        let packetId = try #require(send.log.split(separator: "\n").first { Hash256(hex: String($0)) != nil }, "rakis chat prints the packet id: \(send.log)")
        // The follower prints the message with the transports that had brought it, then a line for each later one.
        let printed = await eventually(timeout: .seconds(30)) {
            let lines = follower.log.split(separator: "\n")
            guard let message = lines.first(where: { $0.contains(": from the command line  [") }) else { return false }
            let later = lines.filter { $0.hasSuffix("(\(packetId.prefix(8)))") }
            return ["mesh", "mqtt", "nostr"].allSatisfy { transport in
                message.contains("\(transport) ") || later.contains { $0.contains("+ \(transport) ") && $0.contains(" ms ") }
            }
        }
        #expect(printed, "rakis chat --node \(apis[1]):\n\(follower.log)")
        let refused = try NodeProcess(name: "chat-refused", arguments: ["chat", "--node", apis[0], String(repeating: "x", count: 501)],
                                      directory: cluster.directory)
        #expect(await refused.process.waitForExit(timeout: .seconds(30)) == 1)
        #expect(refused.log.contains("the node refused the message (400): the message was refused: chat.text: 501 bytes of UTF-8, must be 1...500"),
                "\(refused.log)")

        // Eight messages from each API node: with the ones sent above, a burst within the chat's
        // rate limits (ten a sender, twenty for all senders together).
        for index in 0..<16 {
            let reply = try await HTTP.post("\(apis[index % 2])/api/chat", ["text": "figure \(index)"])
            #expect(reply.status == 201, "\(String(decoding: reply.data, as: UTF8.self))")
        }
        // Loss counts a packet once it has had its grace period (10 s) to arrive everywhere.
        var reports: [[String: Any]] = []
        let settled = await eventually(timeout: .seconds(40)) {
            reports = []
            for api in apis {
                guard let report = try? await HTTP.get("\(api)/api/transports", timeout: 5).object(),
                      let window = report["window"] as? [String: Any], let settled = window["settled"] as? Int, settled >= 8 else { return false }
                reports.append(report)
            }
            return true
        }
        #expect(settled, "\(reports)")
        for (index, report) in reports.enumerated() {
            let transports = report["transports"] as? [[String: Any]] ?? []
            #expect(Set(transports.compactMap { $0["name"] as? String }) == ["mesh", "mqtt", "nostr"])
            for transport in transports {
                let delivery = transport["delivery"] as? [String: Any] ?? [:]
                let latency = delivery["latencyMs"] as? [String: Any]
                #expect(latency?["p50"] is Int && latency?["p99"] is Int, "node \(index): \(transport)")
                #expect((delivery["expected"] as? Int ?? 0) >= 8 && delivery["lost"] as? Int == 0, "node \(index): \(transport)")
                print("FIGURES chat delivery at node \(index) over \(transport["name"]!): \(latency.map { "\($0)" } ?? "none"), brought first \(delivery["firsts"]!) of \(delivery["delivered"]!), lost \(delivery["lost"]!) of \(delivery["expected"]!)")
            }
        }
        let metrics = await cluster.metrics(2)
        for transport in ["mesh", "mqtt", "nostr"] {
            let p50 = metrics["rakis_transport_delivery_latency_milliseconds{transport=\"\(transport)\",quantile=\"0.5\"}"]
            #expect(p50.map { !$0.isNaN } == true, "node 2's metrics for \(transport): \(metrics.keys.filter { $0.contains("delivery") }.sorted())")
            #expect(metrics["rakis_transport_delivery_loss_ratio{transport=\"\(transport)\"}"] == 0)
        }
        await follower.kill()
        #expect(await cluster.stopAll().allSatisfy { $0 == 0 })
    }
}
