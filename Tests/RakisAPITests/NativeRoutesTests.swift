@testable import RakisAPI
import RakisCore
import RakisNetwork
import RakisNode
@testable import RakisRuntime
@testable import RakisStore
import Testing

/// The native API's answers, byte for byte as clients and the dashboard read them.
struct NativeRoutesTests {
    let id = StandInNode.requestId

    /// Each transport with its counters and, when it has delivered recent traffic, its latency and loss.
    @Test func statusNamesTheNodeItsModelsAndTransports() async throws {
        var mesh = TransportStatistics()
        mesh.connected = true
        mesh.connections = 2
        mesh.packetsSent = 5
        mesh.bytesReceived = 700
        let delivery = TransportDelivery(transport: "mesh", delivered: 4, firsts: 3, latency: LatencyPercentiles(p50: 2, p90: 5, p99: 9, max: 9),
                                         expected: 2, lost: 1)
        let node = StandInNode(transportStatistics: [("mesh", mesh), ("nostr", TransportStatistics())], peerModels: ["peer-model"],
                               deliveryReport: TransportDeliveryReport(packets: 4, settled: 2, transports: [delivery]))
        let answer = try await call(node, .get, "/api/status")
        #expect(answer.status == .ok)
        #expect(answer.contentType == "application/json")
        func transport(_ name: String, _ stats: TransportStatistics, delivery: JSONValue) -> JSONValue {
            ["name": .string(name), "connected": .bool(stats.connected), "connections": .number(Double(stats.connections)),
             "packetsSent": .number(Double(stats.packetsSent)), "packetsReceived": 0, "bytesSent": 0,
             "bytesReceived": .number(Double(stats.bytesReceived)), "reconnects": 0, "peersBanned": 0, "delivery": delivery]
        }
        let meshDelivery: JSONValue = ["delivered": 4, "firsts": 3, "latencyMs": ["p50": 2, "p90": 5, "p99": 9, "max": 9],
                                       "expected": 2, "lost": 1, "loss": 0.5]
        #expect(answer.body == [
            "node": .string(node.nodeId.hex), "network": "rakis-test", "models": ["own-model"],
            "embeddingModels": ["all-minilm-l6-v2"], "networkModels": ["own-model", "peer-model"],
            "transports": [transport("mesh", mesh, delivery: meshDelivery), transport("nostr", TransportStatistics(), delivery: .null)],
            "startedAt": 1_700_000_000_000,
        ])
    }

    // MARK: - Submitting

    @Test func anAcceptedSubmissionAnswersWithItsLinks() async throws {
        let node = StandInNode()
        let answer = try await call(node, .post, "/api/requests", body: ["prompt": "What is 2+2?"])
        #expect(answer.status == .accepted)
        #expect(answer.body == [
            "requestId": .string(id.hex), "status": "submitted",
            "links": ["self": .string("/api/requests/\(id.hex)"), "certificate": .string("/api/requests/\(id.hex)/certificate"),
                      "events": .string("/api/events?request=\(id.hex)")],
        ])
        let spec = try #require(node.submitted.withLock { $0 }.first)
        #expect(spec.input == .prompt("What is 2+2?"))
        #expect(spec.models == ["own-model"], "left out, the accepted model is the node's own")
        #expect(spec.embeddingModel == nil && spec.embeddingBits == 384, "left out, the node's own embedding model, 384 bits")
        #expect(spec.quorum == 3)
        #expect(spec.commitWindow == RequestSpec.defaultCommitWindow && spec.revealWindow == RequestSpec.defaultRevealWindow)
    }

    @Test func aRefusedSubmissionAnswersInOpenAIsErrorShape() async throws {
        let refusal = PacketRejection.outOfRange(field: "quorum", detail: "must be at most 16")
        let answer = try await call(StandInNode(submitAnswer: .failure(refusal)), .post, "/api/requests", body: ["prompt": "a"])
        #expect(answer.status == .badRequest)
        #expect(answer.body == apiError("the request was refused: \(refusal)", type: "invalid_request_error"))

        let tooLarge = PacketRejection.tooLarge(size: 300_000, limit: 262_144)
        let large = try await call(StandInNode(submitAnswer: .failure(tooLarge)), .post, "/api/requests", body: ["prompt": "a"])
        #expect(large.status == .contentTooLarge)
        #expect(large.body == apiError("the request was refused: \(tooLarge)", type: "invalid_request_error"))
    }

    @Test func aBodyOfTheWrongShapeNamesTheField() async throws {
        let node = StandInNode()
        let both = try await call(node, .post, "/api/requests", body: ["prompt": "a", "messages": []])
        #expect(both.status == .badRequest)
        #expect(both.body == apiError("prompt: give exactly one of prompt or messages", type: "invalid_request_error", param: "prompt"))

        let unknown = try await call(node, .post, "/api/requests", body: ["prompt": "a", "models": ["nobody"]])
        #expect(unknown.status == .badRequest)
        #expect(unknown.body == apiError("model \"nobody\" is not served by this node or any peer it has heard from (known: own-model)",
                                         type: "invalid_request_error", param: "models"))
        #expect(node.submitted.withLock { $0 }.isEmpty)
    }

    @Test func waitingAnswersWithTheConclusion() async throws {
        let agreed = try await call(StandInNode(conclusion: Outcomes.agreed()), .post, "/api/requests", body: ["prompt": "a", "wait": true])
        #expect(agreed.status == .ok)
        #expect(agreed.body == [
            "requestId": .string(id.hex), "concludedAt": 1_700_000_012_345, "status": "final", "output": "Four.",
            "model": "own-model", "node": .string(Outcomes.chosen.node.hex), "commitment": .string(Outcomes.chosen.commitment.hex),
            "cluster": .array(Outcomes.chosen.cluster.map { .string($0.hex) }),
        ])

        let failed = try await call(StandInNode(conclusion: Outcomes.noQuorum()), .post, "/api/requests", body: ["prompt": "a", "wait": true])
        #expect(failed.status == .ok)
        #expect(failed.body == [
            "requestId": .string(id.hex), "concludedAt": 1_700_000_012_345, "status": "failed", "failure": "noQuorum",
            "reason": "no quorum packet arrived before the reveal deadline",
        ])

        let stopped = try await call(StandInNode(conclusion: nil), .post, "/api/requests", body: ["prompt": "a", "wait": true])
        #expect(stopped.status == .serviceUnavailable)
        #expect(stopped.body == apiError("the node is shutting down or has too many clients waiting; request \(id.hex) did not conclude here", type: "server_error"))
    }

    // MARK: - Reading requests back

    @Test func anUnknownOrMalformedRequestIdIsAnswered() async throws {
        let unknown = try await call(StandInNode(), .get, "/api/requests/\(id.hex)")
        #expect(unknown.status == .notFound)
        #expect(unknown.body == apiError("no request \(id.hex) at this node", type: "not_found_error"))

        let malformed = try await call(StandInNode(), .get, "/api/requests/xyz")
        #expect(malformed.status == .badRequest)
        #expect(malformed.body == apiError("\"xyz\" is not a request id (64 hex digits)", type: "invalid_request_error", param: "id"))
    }

    @Test func aStoryShowsItsStoredResult() async throws {
        let identity = StandInNode.nodeIdentity
        let request = InferenceRequest(
            input: .prompt("What is 2+2?"), models: ["own-model"], temperature: 0, maxTokens: 8, seed: nil,
            embedding: EmbeddingSpec(model: "all-minilm-l6-v2", bits: 384),
            frame: SecurityFrame(quorum: 3, secDistance: 0.15, secPercentage: 0.66, commitDeadline: 1_700_000_030_000,
                                 revealDeadline: 1_700_000_045_000),
            origin: RequestOrigin(kind: .api, node: identity.nodeId), createdAt: 1_700_000_000_000, nonce: "00112233445566778899aabbccddeeff")
        let envelope = Envelope(signing: Packet(.request(request), createdAt: 1_700_000_000_000), network: "rakis-test", identity: identity)
        let result = StoredResult(Outcomes.agreed(request.id))
        let story = try #require(RequestStory(packets: [StoredPacket(envelope: envelope, storedAt: 1_700_000_000_100, transports: [])],
                                              phase: .final, result: result))
        let answer = try await call(StandInNode(stories: [request.id: story]), .get, "/api/requests/\(request.id.hex)")
        #expect(answer.status == .ok)
        guard case var .object(resultFields) = result.json else { Issue.record("a result is an object"); return }
        resultFields["hasCertificate"] = false
        #expect(answer.body == [
            "requestId": .string(request.id.hex), "origin": .string(identity.nodeId.hex), "phase": "final", "request": request.json,
            "steps": [["type": "request", "sender": .string(identity.nodeId.hex), "at": 1_700_000_000_100, "transports": []]],
            "commits": [], "reveals": [], "quorum": nil, "result": .object(resultFields),
        ])
        #expect(resultFields["status"] == "final")
        #expect(resultFields["output"] == "Four.")
    }

    @Test func aCertificateIsAnsweredOnlyOnceThereIsOne() async throws {
        let notConcluded = try await call(StandInNode(), .get, "/api/requests/\(id.hex)/certificate")
        #expect(notConcluded.status == .notFound)
        #expect(notConcluded.body == apiError("request \(id.hex) has not concluded at this node", type: "not_found_error"))

        let failed = StandInNode(results: [id: StoredResult(Outcomes.noQuorum())])
        let noQuorum = try await call(failed, .get, "/api/requests/\(id.hex)/certificate")
        #expect(noQuorum.status == .notFound)
        #expect(noQuorum.body == apiError("request \(id.hex) failed before a quorum was fixed: it has no certificate", type: "not_found_error"))

        let concluded = StoredResult(requestId: id, outcome: .final(Outcomes.chosen), certificate: Array("{}".utf8), concludedAt: 1)
        let unsigned = try await call(StandInNode(results: [id: concluded]), .get, "/api/requests/\(id.hex)/certificate")
        #expect(unsigned.status == .notFound)
        #expect(unsigned.body == apiError("request \(id.hex): no signed result packet has reached this node yet", type: "not_found_error"))
    }

    // MARK: - Events

    @Test func everyEventHasANameAndAnObject() {
        let phase = EventStream.render(.phase(requestId: id, phase: .quorumFixed, at: 5))
        #expect(phase.name == "phase")
        #expect(phase.data == ["requestId": .string(id.hex), "phase": "quorum fixed", "at": 5])
        let concluded = EventStream.render(.concluded(Outcomes.noQuorum()))
        #expect(concluded.name == "concluded")
        #expect(concluded.data == Outcomes.noQuorum().json)
    }
}
