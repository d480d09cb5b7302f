import Foundation
import Testing
import RakisCore
import RakisTestSupport

extension LoopbackNetworkTests {
    /// Two SmolLM2 nodes and two Gemma 3 nodes on a real mesh answer structured requests that
    /// accept both families: through the official `openai` package with `response_format`
    /// (schemas of Tests/Fixtures/structured, a Pydantic model, json_object mode), through the
    /// native API's `format`, and through `rakis ask --schema`. Every answer is canonical JSON
    /// that matches its schema, agreed field by field; `rakis verify --reembed` accepts a
    /// structured certificate and refuses it once one field is changed.
    @Test(.requires(.gemma3, .testClients))
    func aMixedNetworkAgreesOnStructuredAnswers() async throws {
        let cluster = try LoopbackCluster(serving: 4, followers: 0, transports: [.mesh], api: true,
                                          models: [2: "gemma3-270m", 3: "gemma3-270m"])
        #expect(await cluster.waitUntilConnected(), "\(cluster.logs())")
        let api = "http://127.0.0.1:\(try #require(cluster.apiPort))"
        #expect(await eventually(timeout: .seconds(60)) {
            let models = (try? await HTTP.get("\(api)/v1/models").object())?["data"] as? [[String: Any]] ?? []
            return Set(models.compactMap { $0["id"] as? String }) == ["smollm2-135m-instruct", "gemma3-270m"]
        }, "the API never listed both families\n\(cluster.logs())")

        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let python = try #require(ProcessInfo.processInfo.environment["RAKIS_TEST_PYTHON"])
        let client = try ChildProcess(
            executable: python,
            arguments: [fixtures.appending(path: "Clients/openai_structured.py").path, api,
                        fixtures.appending(path: "Fixtures/structured/schemas.json").path, "smollm2-135m-instruct", "gemma3-270m"],
            logPath: "\(cluster.directory)/openai-structured.log")
        #expect(await client.waitForExit(timeout: .seconds(900)) == 0, "openai client:\n\(client.log)\n\(cluster.logs())")
        print("FIGURES structured openai client:\n\(client.log)")

        // The native API: a schema with an enum, a bounded integer and a free string.
        let schema: [String: Any] = [
            "type": "object", "additionalProperties": false, "required": ["planet", "moons", "note"],
            "properties": ["planet": ["enum": ["mercury", "venus", "earth", "mars"]],
                           "moons": ["type": "integer", "minimum": 0, "maximum": 100],
                           "note": ["type": "string", "maxLength": 60]],
        ]
        let answer = try await HTTP.post("\(api)/api/requests", [
            "messages": [["role": "user", "content": "Which planet do we live on, and how many moons does it have?"]],
            "models": ["smollm2-135m-instruct", "gemma3-270m"], "format": schema, "maxTokens": 64,
            "quorum": 4, "secDistance": 0.35, "secPercentage": 0.5, "wait": true,
        ])
        let result = try answer.object()
        #expect(answer.status == 200 && result["status"] as? String == "final", "\(result)\n\(cluster.logs())")
        let output = try #require(result["output"] as? String)
        let value = try JSONParser.parse(Array(output.utf8))
        #expect(value.canonicalString == output, "not canonical: \(output)")
        #expect(try OutputSchema(json: JSONParser.parse(Array(try JSONSerialization.data(withJSONObject: schema))), path: "format")
            .validate(value) == nil, "\(output)")

        // Its certificate: verified offline with every embedding recomputed, refused once a field changes.
        let requestId = try #require(result["requestId"] as? String)
        let certificate = try await HTTP.get("\(api)/api/requests/\(requestId)/certificate")
        let file = "\(cluster.directory)/structured-certificate.json"
        try certificate.data.write(to: URL(fileURLWithPath: file))
        let verify = try NodeProcess(name: "verify-structured", arguments: ["verify", file, "--reembed"] + cluster.membershipArguments,
                                     directory: cluster.directory)
        #expect(await verify.process.waitForExit(timeout: .seconds(120)) == 0, "rakis verify --reembed: \(verify.log)")
        let text = String(decoding: certificate.data, as: UTF8.self)
        let planet = try #require(["mercury", "venus", "earth", "mars"].first { output.contains("\"\($0)\"") })
        let forged = text.replacingOccurrences(of: Self.jsonEscaped("\"planet\":\"\(planet)\""),
                                               with: Self.jsonEscaped("\"planet\":\"\(planet == "mars" ? "venus" : "mars")\""))
        #expect(forged != text)
        try forged.write(toFile: "\(cluster.directory)/structured-forged.json", atomically: true, encoding: .utf8)
        let refused = try NodeProcess(name: "verify-structured-forged", arguments: ["verify", "\(cluster.directory)/structured-forged.json"]
                                      + cluster.membershipArguments, directory: cluster.directory)
        #expect(await refused.process.waitForExit(timeout: .seconds(60)) == 1, "\(refused.log)")

        // `rakis ask --schema`: the agreed JSON on standard output.
        let schemaFile = "\(cluster.directory)/yes-no.json"
        try #"{"type":"object","properties":{"answer":{"type":"boolean"}},"required":["answer"],"additionalProperties":false}"#
            .write(toFile: schemaFile, atomically: true, encoding: .utf8)
        let ask = try NodeProcess(name: "ask-schema", arguments: ["ask", "Is water wet?", "--node", api, "--schema", schemaFile, "--quorum", "4",
                                                                  "--sec-percentage", "0.5", "--models", "smollm2-135m-instruct", "gemma3-270m"],
                                  directory: cluster.directory)
        #expect(await ask.process.waitForExit(timeout: .seconds(180)) == 0, "\(ask.log)")
        #expect(ask.log.contains(#"{"answer":true}"#) || ask.log.contains(#"{"answer":false}"#), "\(ask.log)")
        #expect(await cluster.stopAll().allSatisfy { $0 == 0 })
    }
}
