@testable import RakisAPI
import RakisCore
import RakisNode
import Testing

/// The OpenAI-compatible endpoints answer in OpenAI's shapes, plus a `rakis` object.
struct OpenAIRoutesTests {
    let id = StandInNode.requestId
    let chat: JSONValue = ["model": "own-model", "messages": [["role": "user", "content": "What is 2+2?"]]]

    @Test func modelsListsWhatTheNetworkServesSorted() async throws {
        let answer = try await call(StandInNode(peerModels: ["a-peer-model"]), .get, "/v1/models")
        #expect(answer.status == .ok)
        #expect(answer.body == [
            "object": "list",
            "data": [["id": "a-peer-model", "object": "model", "created": 0, "owned_by": "rakis"],
                     ["id": "own-model", "object": "model", "created": 0, "owned_by": "rakis"]],
        ])
    }

    @Test func aChatCompletionIsTheConsensusOutput() async throws {
        let node = StandInNode(conclusion: Outcomes.agreed())
        let answer = try await call(node, .post, "/v1/chat/completions", body: chat)
        #expect(answer.status == .ok)
        let chosen = Outcomes.chosen
        #expect(answer.body == [
            "id": .string("chatcmpl-\(id.hex)"), "object": "chat.completion", "created": 1_700_000_012, "model": "own-model",
            "choices": [["index": 0, "message": ["role": "assistant", "content": "Four."], "finish_reason": "stop", "logprobs": nil]],
            "usage": ["prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0],
            "rakis": ["requestId": .string(id.hex), "node": .string(chosen.node.hex), "commitment": .string(chosen.commitment.hex),
                      "cluster": .array(chosen.cluster.map { .string($0.hex) }),
                      "certificateUrl": .string("/api/requests/\(id.hex)/certificate"), "certificate": nil],
        ])
        let spec = try #require(node.submitted.withLock { $0 }.first)
        #expect(spec.input == .messages([ChatMessage(role: "user", content: "What is 2+2?")]))
        #expect(spec.models == ["own-model"])
    }

    @Test func noConsensusIsABadGateway() async throws {
        let answer = try await call(StandInNode(conclusion: Outcomes.noQuorum()), .post, "/v1/chat/completions", body: chat)
        #expect(answer.status == .badGateway)
        #expect(answer.body == apiError("the network reached no consensus: \(RequestFailure.noQuorum) (request \(id.hex))",
                                        type: "rakis_consensus_failed"))
    }

    @Test func streamingIsRefusedBeforeAnythingIsSubmitted() async throws {
        let node = StandInNode(conclusion: Outcomes.agreed())
        guard case var .object(body) = chat else { return }
        body["stream"] = true
        let answer = try await call(node, .post, "/v1/chat/completions", body: .object(body))
        #expect(answer.status == .badRequest)
        #expect(answer.body == apiError("stream: streaming is not supported: the answer exists only once the network agrees on it",
                                        type: "invalid_request_error", param: "stream"))
        #expect(node.submitted.withLock { $0 }.isEmpty)
    }
}
