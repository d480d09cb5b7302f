import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import RakisCore
import RakisTestSupport

extension LoopbackNetworkTests {
    /// A `rakis node` whose API needs keys, made and revoked with `rakis keys api` while it runs:
    /// no key, a wrong key and a revoked key get 401, a key over its rate 429 with Retry-After;
    /// then a soak of 10,000 calls from 4 keys, every one answered.
    @Test(.requires(.testClients))
    func theAPIKeysHoldAgainstARealNodeAndASoakOf10000Calls() async throws {
        // A follower answers the API without loading a model; the allowlist names a member it never meets.
        let cluster = try LoopbackCluster(serving: 0, followers: 1, transports: [.mesh], api: true, apiAccess: "keys",
                                          extraMembers: [NodeIdentity.generate().nodeId])
        let api = "http://127.0.0.1:\(try #require(cluster.apiPort))"
        #expect(await eventually(timeout: .seconds(60)) { (try? await HTTP.get("\(api)/")).map { $0.status == 200 } ?? false },
                "the dashboard page answers without a key:\n\(cluster.logs())")
        func bearer(_ key: String) -> [String: String] { ["Authorization": "Bearer \(key)"] }
        func message(_ reply: HTTP.Reply) -> String { ((try? reply.object())?["error"] as? [String: Any])?["message"] as? String ?? "" }

        let missing = try await HTTP.get("\(api)/v1/models")
        #expect(missing.status == 401 && message(missing).contains("needs an API key"), "\(missing.status) \(message(missing))")
        let key = try await cluster.createAPIKey(name: "client")
        let wrong = try await HTTP.get("\(api)/v1/models", headers: bearer(String(key.dropLast()) + (key.hasSuffix("0") ? "1" : "0")))
        #expect(wrong.status == 401 && message(wrong).contains("invalid API key"), "\(wrong.status) \(message(wrong))")
        #expect(try await HTTP.get("\(api)/v1/models", headers: bearer(key)).status == 200)
        try await cluster.revokeAPIKey(key)
        let revoked = try await HTTP.get("\(api)/v1/models", headers: bearer(key))
        #expect(revoked.status == 401 && message(revoked).contains("was revoked"), "\(revoked.status) \(message(revoked))")

        let slow = try await cluster.createAPIKey(name: "slow", ratePerMinute: 3)
        for _ in 0..<3 { #expect(try await HTTP.get("\(api)/api/status", headers: bearer(slow)).status == 200) }
        let over = try await HTTP.get("\(api)/api/status", headers: bearer(slow))
        #expect(over.status == 429 && over.header("Retry-After") == "20", "\(over.status) Retry-After \(over.header("Retry-After") ?? "none"): \(message(over))")
        print("FIGURES api keys: no key \(missing.status), wrong key \(wrong.status), revoked key \(revoked.status), over its rate \(over.status) (Retry-After \(over.header("Retry-After") ?? "?") s)")

        // The official openai package sees the same answers as its own exceptions.
        if let python = ProcessInfo.processInfo.environment["RAKIS_TEST_PYTHON"] {
            let valid = try await cluster.createAPIKey(name: "openai")
            let slowClient = try await cluster.createAPIKey(name: "openai-slow", ratePerMinute: 2)
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appending(path: "Clients/openai_keys.py").path
            let client = try ChildProcess(executable: python, arguments: [script, api, valid, key, slowClient], logPath: "\(cluster.directory)/openai-keys.log")
            #expect(await client.waitForExit(timeout: .seconds(120)) == 0, "openai client:\n\(client.log)")
            for check in ["valid key", "wrong key", "revoked key", "over its rate"] {
                #expect(client.log.contains("\"check\": \"\(check)\", \"ok\": true"), "no passed check \(check):\n\(client.log)")
            }
        }

        // The soak: 4 keys, 8 callers each, 10,000 calls over the node's read routes and a refused
        // submission (its body is checked before anything is sent to the network).
        var soakKeys: [String] = []
        for index in 0..<4 { soakKeys.append(try await cluster.createAPIKey(name: "soak\(index)", ratePerMinute: 100_000, maxInFlight: 16)) }
        let keys = soakKeys
        let calls: [(method: String, path: String, body: Data?, status: Int)] = [
            ("GET", "/api/status", nil, 200), ("GET", "/v1/models", nil, 200), ("GET", "/api/peers", nil, 200),
            ("GET", "/api/requests?limit=5", nil, 200), ("GET", "/api/requests/\(String(repeating: "0", count: 64))", nil, 404),
            ("POST", "/api/requests", Data(#"{"prompt": "hi", "quorum": 0}"#.utf8), 400),
        ]
        let total = 10_000, callersPerKey = 8
        let callers = keys.count * callersPerKey
        // One connection per caller, so that the latencies are the node's and not a client queue's.
        let configuration = URLSessionConfiguration.default
        configuration.httpMaximumConnectionsPerHost = callers
        let session = URLSession(configuration: configuration)
        let started = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: [(status: Int, expected: Int, millis: Double)].self) { group in
            for caller in 0..<callers {
                group.addTask {
                    var answered: [(status: Int, expected: Int, millis: Double)] = []
                    for index in stride(from: caller, to: total, by: callers) {
                        let call = calls[index % calls.count]
                        let sent = ContinuousClock.now
                        let reply = try await HTTP.send(call.method, api + call.path, body: call.body, timeout: 30, headers: bearer(keys[caller % keys.count]),
                                                        session: session)
                        answered.append((reply.status, call.status, (ContinuousClock.now - sent) / .microseconds(1) / 1000))
                    }
                    return answered
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let elapsed = (ContinuousClock.now - started) / .seconds(1)
        #expect(results.count == total, "every call answered")
        let unexpected = results.filter { $0.status != $0.expected }
        #expect(unexpected.isEmpty, "\(unexpected.count) calls answered otherwise than expected: \(Dictionary(grouping: unexpected, by: \.status).mapValues(\.count))")
        let latencies = results.map(\.millis).sorted()
        func percentile(_ p: Double) -> String { String(format: "%.1f", latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]) }
        let byStatus = Dictionary(grouping: results, by: \.status).mapValues(\.count).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        print("FIGURES api soak: \(results.count) of \(total) calls answered from \(keys.count) keys × \(callersPerKey) callers in \(String(format: "%.1f", elapsed)) s",
              "(\(Int(Double(total) / elapsed)) calls/s); by status \(byStatus.joined(separator: ", ")); latency ms p50 \(percentile(0.5)) p90 \(percentile(0.9))",
              "p99 \(percentile(0.99)) max \(percentile(1))")
        let metrics = await cluster.metrics(0)
        let admitted = metrics["rakis_api_calls_total{outcome=\"admitted\"}"] ?? 0
        #expect(admitted >= Double(total), "the node counted \(admitted) admitted calls")
        print("FIGURES api calls by the access check: \(metrics.filter { $0.key.hasPrefix("rakis_api_calls_total") }.sorted { $0.key < $1.key }.map { "\($0.key) \(Int($0.value))" }.joined(separator: ", "))")
        #expect(await cluster.stopAll().allSatisfy { $0 == 0 })
    }
}
