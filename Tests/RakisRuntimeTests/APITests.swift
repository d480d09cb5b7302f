import Foundation
import Testing
import RakisCore
import RakisTestSupport

extension LoopbackNetworkTests {
    /// Three serving nodes; node 0 serves the HTTP API. A request through the native API
    /// concludes, its story and certificate can be read back, bad input gets a 4xx that says what
    /// is wrong, and the official `openai` package works as a client.
    @Test func theHTTPAPIServesRequestsAndRefusesBadInput() async throws {
        let cluster = try LoopbackCluster(serving: 3, followers: 0, transports: [.mesh], api: true)
        #expect(await cluster.waitUntilConnected(), "\(cluster.logs())")
        let api = "http://127.0.0.1:\(try #require(cluster.apiPort))"
        #expect(await eventually { (try? await HTTP.get("\(api)/api/status"))?.status == 200 }, "the API never answered\n\(cluster.logs())")

        let status = try await HTTP.get("\(api)/api/status").object()
        #expect(status["network"] as? String == cluster.network)
        #expect(status["models"] as? [String] == ["smollm2-135m-instruct"])

        // A request, waited for: the answer is the conclusion.
        let started = ContinuousClock.now
        let answer = try await HTTP.post("\(api)/api/requests", [
            "messages": [["role": "user", "content": "What is the capital of France?"]], "maxTokens": 24, "quorum": 3, "wait": true,
        ])
        let roundTrip = ContinuousClock.now - started
        let result = try answer.object()
        #expect(answer.status == 200 && result["status"] as? String == "final", "\(result)\n\(cluster.logs())")
        let requestId = try #require(result["requestId"] as? String)

        // Its story: the request, three commits, the quorum, three matching reveals, the result.
        let story = try await HTTP.get("\(api)/api/requests/\(requestId)").object()
        let commits = story["commits"] as? [[String: Any]] ?? []
        let reveals = story["reveals"] as? [[String: Any]] ?? []
        #expect(story["phase"] as? String == "final")
        #expect(commits.count >= 3 && reveals.count == 3 && reveals.allSatisfy { $0["matchesCommit"] as? Bool == true }, "\(story)")
        #expect((story["quorum"] as? [String: Any])?["members"] as? [String] != nil)
        #expect((story["result"] as? [String: Any])?["output"] as? String == result["output"] as? String)
        // Its certificate, checked offline by `rakis verify` (signatures, commitments, consensus;
        // with --reembed also every embedding, with the real MiniLM), and refused once tampered with.
        let certificate = try await HTTP.get("\(api)/api/requests/\(requestId)/certificate")
        let format = (try? certificate.object())?["format"] as? String
        #expect(certificate.status == 200 && format == "rakis-certificate/1", "\(String(decoding: certificate.data, as: UTF8.self).prefix(300))")
        let file = "\(cluster.directory)/certificate.json"
        try certificate.data.write(to: URL(fileURLWithPath: file))
        for extra in [[], ["--reembed"]] {
            let verify = try NodeProcess(name: "verify\(extra.joined())", arguments: ["verify", file] + cluster.membershipArguments + extra, directory: cluster.directory)
            #expect(await verify.process.waitForExit(timeout: .seconds(120)) == 0, "rakis verify \(extra): \(verify.log)")
        }
        let output = try #require(result["output"] as? String)
        let forged = String(decoding: certificate.data, as: UTF8.self)
            .replacingOccurrences(of: Self.jsonEscaped(output), with: Self.jsonEscaped("Berlin."))
        #expect(forged != String(decoding: certificate.data, as: UTF8.self))
        try forged.write(toFile: "\(cluster.directory)/forged.json", atomically: true, encoding: .utf8)
        let refused = try NodeProcess(name: "verify-forged", arguments: ["verify", "\(cluster.directory)/forged.json"] + cluster.membershipArguments, directory: cluster.directory)
        #expect(await refused.process.waitForExit(timeout: .seconds(60)) == 1, "\(refused.log)")
        #expect(refused.log.contains("Error:"), "\(refused.log)")

        // The API's own cost: the round trip beyond the time the node took from signing to concluding.
        if let concludedAt = result["concludedAt"] as? Double,
           let createdAt = (story["request"] as? [String: Any])?["createdAt"] as? Double {
            let total = roundTrip / .milliseconds(1)
            print("FIGURES api: POST /api/requests with wait took \(Int(total)) ms, the node's part \(Int(concludedAt - createdAt)) ms,",
                  "overhead about \(Int(total - (concludedAt - createdAt))) ms (clock resolution 1 ms)")
        }

        // Bad input: a 4xx, and a message that names the problem.
        let cases: [(body: String, status: Int, message: String)] = [
            (#"{"prompt": "hi", "quorum": 0}"#, 400, "quorum: must be in 1...64"),
            (#"{"prompt": "hi", "secDistance": 1.5}"#, 400, "secDistance: must be in 0...1"),
            (#"{"prompt": "hi", "models": ["no-such-model"]}"#, 400, "\"no-such-model\" is not served"),
            (#"{"prompt": "hi", "colour": "blue"}"#, 400, "unknown field \"colour\""),
            (#"{"prompt": "hi", "messages": [{"role": "user", "content": "hi"}]}"#, 400, "exactly one of prompt or messages"),
            (#"{"messages": [{"role": "robot", "content": "hi"}]}"#, 400, "\"robot\" is not one of"),
            (#"{"prompt": 42}"#, 400, "prompt: expected a string"),
            ("not json", 400, "not valid JSON"),
            (#"{"prompt": "\#(String(repeating: "a", count: 300_000))"}"#, 400, "limit 262144"),
            (#"{"prompt": "\#(String(repeating: "a", count: 1_100_000))"}"#, 413, "exceeds"),
        ]
        for (body, expectedStatus, message) in cases {
            let response = try await HTTP.send("POST", "\(api)/api/requests", body: Data(body.utf8))
            let error = (try? response.object())?["error"] as? [String: Any]
            let text = error?["message"] as? String ?? ""
            #expect(response.status == expectedStatus && text.contains(message), "\(body.prefix(80)): \(response.status) \(text)")
        }
        #expect(try await HTTP.get("\(api)/api/requests/\(String(repeating: "0", count: 64))").status == 404)
        #expect(try await HTTP.get("\(api)/api/requests/not-an-id").status == 400)

        // `rakis ask`: the request's progress live, then the output and the certificate's address.
        let ask = try NodeProcess(name: "ask", arguments: ["ask", "--node", api, "--max-tokens", "16", "Name a colour."], directory: cluster.directory)
        #expect(await ask.process.waitForExit(timeout: .seconds(180)) == 0, "\(ask.log)")
        for line in ["commit from", "quorum from", "reveal from", "node: final", "/certificate"] {
            #expect(ask.log.contains(line), "rakis ask printed no \"\(line)\":\n\(ask.log)")
        }

        // The official openai package as the client, and live events over SSE.
        if TestRequirement.testClients.check(), let python = ProcessInfo.processInfo.environment["RAKIS_TEST_PYTHON"] {
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appending(path: "Clients/openai_client.py").path
            let client = try ChildProcess(executable: python, arguments: [script, api, "smollm2-135m-instruct", "all-minilm-l6-v2"],
                                          logPath: "\(cluster.directory)/openai-client.log")
            let exit = await client.waitForExit(timeout: .seconds(600))
            #expect(exit == 0, "openai client:\n\(client.log)\n\(cluster.logs())")
            for check in ["events", "streaming", "usage", "stop", "top_p", "tool loop", "tool auto", "completions", "embeddings", "every parameter", "refused web_search_options"] {
                #expect(client.log.contains("\"check\": \"\(check)\", \"ok\": true"), "no passed check \(check):\n\(client.log)")
            }
            print("FIGURES openai client checks:\n\(client.log)")

            // LangChain's ChatOpenAI: a streamed answer and a tool call, then the tool's result back.
            let langchain = try ChildProcess(executable: python, arguments: [script.replacingOccurrences(of: "openai_client.py", with: "langchain_client.py"),
                                                                             api, "smollm2-135m-instruct"],
                                             logPath: "\(cluster.directory)/langchain-client.log")
            #expect(await langchain.waitForExit(timeout: .seconds(300)) == 0, "langchain client:\n\(langchain.log)\n\(cluster.logs())")
            for check in ["stream", "tool call", "tool loop", "tool auto"] {
                #expect(langchain.log.contains("\"check\": \"\(check)\", \"ok\": true"), "no passed check \(check):\n\(langchain.log)")
            }
            print("FIGURES langchain client checks:\n\(langchain.log)")
        }
        #expect(await cluster.stopAll().allSatisfy { $0 == 0 })
    }
}

extension LoopbackNetworkTests {
    /// A string as it appears inside canonical JSON.
    static func jsonEscaped(_ text: String) -> String {
        let encoded = String(decoding: try! JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes]), as: UTF8.self)
        return String(encoded.dropFirst(2).dropLast(2))
    }
}
