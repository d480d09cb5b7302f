import MCP
import RakisCore
import Testing
@testable import RakisMCP

/// The tools against a stand-in node, through the SDK's own client over an in-memory transport:
/// what an agent sees when the network agrees, when the node's certificate does not verify,
/// when the network is slow, and when its arguments are wrong.
@Suite struct RakisMCPServerTests {
    /// A node that concludes a request after `stepsBeforeConclusion` reads of its story.
    actor StandInNode: NodeGateway {
        var submitted: [JSONValue] = []
        var reads = 0
        let stepsBeforeConclusion: Int
        let certificateBytes: [UInt8] = Array(#"{"format":"rakis-certificate/1"}"#.utf8)

        init(stepsBeforeConclusion: Int) { self.stepsBeforeConclusion = stepsBeforeConclusion }

        func submit(_ body: JSONValue) async throws(GatewayError) -> String {
            if case let .object(fields) = body, case .number(0)? = fields["quorum"] { throw GatewayError("quorum: must be in 1...64", status: 400) }
            submitted.append(body)
            return "ab12"
        }

        func story(of requestId: String) async throws(GatewayError) -> JSONValue {
            reads += 1
            var story: [String: JSONValue] = ["requestId": .string(requestId), "commits": .array(Array(repeating: [:], count: min(reads, 3)))]
            if reads >= 3 { story["quorum"] = ["members": ["a", "b", "c"]] }
            if reads >= stepsBeforeConclusion { story["result"] = ["status": "final", "output": "a lie from the node", "hasCertificate": true] }
            return .object(story)
        }

        func certificate(of requestId: String) async throws(GatewayError) -> [UInt8] { certificateBytes }
        func status() async throws(GatewayError) -> JSONValue { ["node": "ab", "models": ["smollm2-135m-instruct"]] }
    }

    struct NotVerified: Error, CustomStringConvertible { var description: String { "results[0]: bad signature" } }

    /// A verified certificate of request ab12, which asked "Colour?" with a system message and a quorum of 3.
    static let verified: JSONValue = [
        "requestId": "ab12", "output": "Blue.", "model": "smollm2-135m-instruct", "cluster": ["a", "b", "c"], "outcome": ["agreed": true],
        "request": ["messages": [["role": "system", "content": "Be brief."], ["role": "user", "content": "Colour?"]], "models": ["smollm2-135m-instruct"],
                    "maxTokens": 64, "format": ["type": "object"], "frame": ["quorum": 3, "secDistance": 0.15, "secPercentage": 0.66]],
    ]

    /// A connected client and the server's task.
    func connect(_ node: StandInNode, check: @escaping CertificateCheck = { _ in RakisMCPServerTests.verified }) async throws -> (Client, Server) {
        let (clientSide, serverSide) = await InMemoryTransport.createConnectedPair()
        let server = await RakisMCPServer(gateway: node, check: check, pollInterval: .milliseconds(1)).makeServer(version: "test")
        try await server.start(transport: serverSide)
        let client = Client(name: "test", version: "1")
        try await client.connect(transport: clientSide)
        return (client, server)
    }

    func text(_ content: [Tool.Content]) -> String {
        content.compactMap { if case let .text(text, _, _) = $0 { text } else { nil } }.joined(separator: "\n")
    }

    @Test func theToolsAreListedWithTheirSchemas() async throws {
        let (client, server) = try await connect(StandInNode(stepsBeforeConclusion: 1))
        let tools = try await client.listTools().tools
        #expect(tools.map(\.name) == ["ask", "verify_certificate", "network_status"])
        #expect(tools[0].inputSchema.objectValue?["required"] == ["prompt"])
        await server.stop()
    }

    @Test func anAnswerIsTheCertificatesNotTheNodes() async throws {
        let node = StandInNode(stepsBeforeConclusion: 5)
        let (client, server) = try await connect(node)
        let (content, isError) = try await client.callTool(name: "ask", arguments: ["prompt": "Colour?", "quorum": 3, "system": "Be brief.", "schema": ["type": "object"]])
        #expect(isError == false)
        #expect(text(content).hasPrefix("Blue."), "\(text(content))")
        #expect(!text(content).contains("a lie"))
        let body = await node.submitted.first
        #expect(body == ["messages": [["role": "system", "content": "Be brief."], ["role": "user", "content": "Colour?"]], "quorum": 3, "format": ["type": "object"]])
        await server.stop()
    }

    @Test func aCertificateThatDoesNotVerifyIsAnError() async throws {
        let (client, server) = try await connect(StandInNode(stepsBeforeConclusion: 2), check: { _ in throw NotVerified() })
        let (content, isError) = try await client.callTool(name: "ask", arguments: ["prompt": "Colour?", "system": "Be brief."])
        #expect(isError == true)
        #expect(text(content).contains("does not verify") && text(content).contains("bad signature"), "\(text(content))")
        let (refused, refusedIsError) = try await client.callTool(name: "verify_certificate", arguments: ["certificate": "{}"])
        #expect(refusedIsError == true && text(refused).contains("does not verify"))
        await server.stop()
    }

    /// A genuine certificate of another question, or of this one under a weaker frame, is no
    /// answer: a node that relays one is caught.
    @Test func aCertificateForAnotherQuestionIsRefused() async throws {
        let (client, server) = try await connect(StandInNode(stepsBeforeConclusion: 1))
        let cases: [([String: Value], String)] = [
            (["prompt": "Shape?", "system": "Be brief."], "messages"),
            (["prompt": "Colour?", "system": "Be brief.", "quorum": 5], "frame.quorum is 3, not the 5 asked for"),
            (["prompt": "Colour?", "system": "Be brief.", "maxTokens": 16], "maxTokens is 64"),
            (["prompt": "Colour?", "system": "Be brief.", "models": ["gemma3-270m"]], "models"),
        ]
        for (arguments, message) in cases {
            let (content, isError) = try await client.callTool(name: "ask", arguments: arguments)
            #expect(isError == true && text(content).contains("not for the question asked") && text(content).contains(message), "\(arguments): \(text(content))")
        }
        let (content, isError) = try await client.callTool(name: "ask", arguments: ["prompt": "Colour?", "system": "Be brief.", "quorum": 3, "schema": ["type": "object"]])
        #expect(isError == false, "\(text(content))")
        await server.stop()

        guard case var .object(other) = Self.verified else { return }
        other["requestId"] = "cd34"
        let swapped = other
        let (swappingClient, swappingServer) = try await connect(StandInNode(stepsBeforeConclusion: 1), check: { _ in .object(swapped) })
        let (refused, refusedIsError) = try await swappingClient.callTool(name: "ask", arguments: ["prompt": "Colour?", "system": "Be brief."])
        #expect(refusedIsError == true && text(refused).contains("the certificate of another request"), "\(text(refused))")
        await swappingServer.stop()
    }

    @Test func progressGrowsUntilTheConclusion() {
        let steps = (0...4).map { reads in
            var story: [String: JSONValue] = ["commits": .array(Array(repeating: [:], count: min(reads, 3)))]
            if reads >= 3 { story["quorum"] = ["members": ["a", "b", "c"]]; story["reveals"] = .array(Array(repeating: [:], count: reads - 3)) }
            if reads == 4 { story["result"] = [:] }
            return AskProgress(story: .object(story))
        }
        #expect(steps.map(\.steps) == [1, 2, 3, 5, 7])
        #expect(steps.map(\.concluded) == [false, false, false, false, true])
        #expect(steps[3].message == "quorum of 3 fixed; 0 of 3 revealed")
    }

    @Test func aSlowNetworkEndsInATimeoutThatNamesTheRequest() async throws {
        let (client, server) = try await connect(StandInNode(stepsBeforeConclusion: .max))
        let (content, isError) = try await client.callTool(name: "ask", arguments: ["prompt": "Colour?", "timeoutSeconds": 0.05])
        #expect(isError == true && text(content).contains("no conclusion within") && text(content).contains("ab12"), "\(text(content))")
        await server.stop()
    }

    @Test func badArgumentsAreNamed() async throws {
        let (client, server) = try await connect(StandInNode(stepsBeforeConclusion: 1))
        let cases: [([String: Value], String)] = [
            ([:], "arguments.prompt"),
            (["prompt": "hi", "quorum": "three"], "arguments.quorum"),
            (["prompt": "hi", "temprature": 1], "temprature"),
            (["prompt": "hi", "schema": "json"], "arguments.schema"),
            (["prompt": "hi", "timeoutSeconds": 10_000], "arguments.timeoutSeconds"),
            (["prompt": "hi", "quorum": 0], "quorum: must be in 1...64"),
        ]
        for (arguments, message) in cases {
            let (content, isError) = try await client.callTool(name: "ask", arguments: arguments)
            #expect(isError == true && text(content).contains(message), "\(arguments): \(text(content))")
        }
        await #expect(throws: (any Error).self) {
            let _: (content: [Tool.Content], isError: Bool?) = try await client.callTool(name: "no_such_tool", arguments: [:])
        }
        await server.stop()
    }

    @Test func theStatusIsTheNodes() async throws {
        let (client, server) = try await connect(StandInNode(stepsBeforeConclusion: 1))
        let (content, isError) = try await client.callTool(name: "network_status", arguments: [:])
        #expect(isError == false && text(content).contains("smollm2-135m-instruct"))
        await server.stop()
    }
}
