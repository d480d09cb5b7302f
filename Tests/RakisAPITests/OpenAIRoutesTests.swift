@testable import RakisAPI
import RakisCore
import RakisNode
import Testing

/// The OpenAI-compatible endpoints answer in OpenAI's shapes, plus a `rakis` object.
struct OpenAIRoutesTests {
    let id = StandInNode.requestId
    let chat: JSONValue = ["model": "own-model", "messages": [["role": "user", "content": "What is 2+2?"]]]

    func chat(_ extra: [String: JSONValue]) -> JSONValue {
        guard case var .object(body) = chat else { preconditionFailure() }
        body.merge(extra) { $1 }
        return .object(body)
    }

    var rakis: JSONValue {
        let chosen = Outcomes.chosen
        return ["requestId": .string(id.hex), "node": .string(chosen.node.hex), "commitment": .string(chosen.commitment.hex),
                "cluster": .array(chosen.cluster.map { .string($0.hex) }),
                "certificateUrl": .string("/api/requests/\(id.hex)/certificate"), "certificate": nil]
    }

    @Test func modelsListsWhatTheNetworkServesSorted() async throws {
        let answer = try await call(StandInNode(peerModels: ["a-peer-model"]), .get, "/v1/models")
        #expect(answer.status == .ok)
        #expect(answer.body == [
            "object": "list",
            "data": [["id": "a-peer-model", "object": "model", "created": 0, "owned_by": "rakis"],
                     ["id": "own-model", "object": "model", "created": 0, "owned_by": "rakis"]],
        ])
    }

    @Test func oneModelIsFoundByItsId() async throws {
        let node = StandInNode(peerModels: ["a-peer-model"])
        let found = try await call(node, .get, "/v1/models/a-peer-model")
        #expect(found.body == ["id": "a-peer-model", "object": "model", "created": 0, "owned_by": "rakis"])
        #expect(try await call(node, .get, "/v1/models/nope").status == .notFound)
    }

    @Test func aChatCompletionIsTheConsensusOutputWithItsTokenCounts() async throws {
        let node = StandInNode(conclusion: Outcomes.agreed())
        let answer = try await call(node, .post, "/v1/chat/completions", body: chat)
        #expect(answer.status == .ok)
        #expect(answer.body == [
            "id": .string("chatcmpl-\(id.hex)"), "object": "chat.completion", "created": 1_700_000_012, "model": "own-model",
            "choices": [["index": 0, "message": ["role": "assistant", "content": "Four.", "refusal": nil], "finish_reason": "stop", "logprobs": nil]],
            "usage": ["prompt_tokens": 4, "completion_tokens": 1, "total_tokens": 5],
            "rakis": rakis,
        ])
        let spec = try #require(node.submitted.withLock { $0 }.first)
        #expect(spec.input == .messages([ChatMessage(role: "user", content: "What is 2+2?")]))
        #expect(spec.models == ["own-model"] && spec.maxTokens == ChatCompletionRequest.defaultMaxTokens)
    }

    @Test func anAnswerThatUsedEveryTokenFinishedForLength() async throws {
        let answer = try await call(StandInNode(conclusion: Outcomes.agreed()), .post, "/v1/chat/completions", body: chat(["max_tokens": 1]))
        guard case let .object(body) = answer.body, case let .array(choices)? = body["choices"], case let .object(choice)? = choices.first else {
            Issue.record("\(answer.body)")
            return
        }
        #expect(choice["finish_reason"] == "length")
    }

    @Test func noConsensusIsABadGateway() async throws {
        let answer = try await call(StandInNode(conclusion: Outcomes.noQuorum()), .post, "/v1/chat/completions", body: chat)
        #expect(answer.status == .badGateway)
        #expect(answer.body == apiError("the network reached no consensus: \(RequestFailure.noQuorum) (request \(id.hex))",
                                        type: "rakis_consensus_failed"))
    }

    /// A stream: the role, the words, the finish reason, the usage chunk, `[DONE]`; `usage` null
    /// on every chunk but the usage chunk, and the `rakis` object on the last.
    @Test func aStreamSendsTheAgreedAnswerInOpenAIsChunks() async throws {
        let node = StandInNode(conclusion: RequestConclusion(
            requestId: id, outcome: .final(ChosenOutput(node: Outcomes.chosen.node, model: "own-model", output: "Two and two make four.",
                                                        commitment: Outcomes.chosen.commitment, cluster: Outcomes.chosen.cluster)),
            certificate: nil, concludedAt: 1_700_000_012_345))
        let (status, text) = try await callText(node, .post, "/v1/chat/completions",
                                                body: chat(["stream": true, "stream_options": ["include_usage": true]]))
        #expect(status == .ok && text.hasPrefix(": rakis request \(id.hex)\n\n"), "\(text)")
        let (events, done) = try dataEvents(text)
        #expect(done)
        let objects = events.compactMap { if case let .object(o) = $0 { o } else { nil } }
        #expect(objects.count == events.count && objects.allSatisfy { $0["object"] == "chat.completion.chunk" && $0["id"] == .string("chatcmpl-\(id.hex)") })
        func delta(_ object: [String: JSONValue]) -> [String: JSONValue]? {
            guard case let .array(choices)? = object["choices"], case let .object(choice)? = choices.first,
                  case let .object(delta)? = choice["delta"] else { return nil }
            return delta
        }
        #expect(delta(objects[0]) == ["role": "assistant", "content": ""])
        let content = objects.compactMap { delta($0)?["content"] }.compactMap { if case let .string(s) = $0 { s } else { nil } }
        #expect(content.joined() == "Two and two make four." && content.count == 6, "\(content)")
        let usageChunk = try #require(objects.last)
        #expect(usageChunk["choices"] == .array([]) && usageChunk["usage"] == ["prompt_tokens": 4, "completion_tokens": 5, "total_tokens": 9])
        #expect(usageChunk["rakis"] == rakis)
        #expect(objects.dropLast().allSatisfy { $0["usage"] == .null && $0["rakis"] == nil })
        guard case let .array(finish)? = objects[objects.count - 2]["choices"], case let .object(finishChoice)? = finish.first else {
            Issue.record("no finish chunk")
            return
        }
        #expect(finishChoice["finish_reason"] == "stop" && finishChoice["delta"] == .object([:]))
    }

    @Test func aStreamOfAFailedRequestEndsWithAnErrorEvent() async throws {
        let (status, text) = try await callText(StandInNode(conclusion: Outcomes.noQuorum()), .post, "/v1/chat/completions", body: chat(["stream": true]))
        #expect(status == .ok)
        let (events, done) = try dataEvents(text)
        #expect(!done && events == [apiError("the network reached no consensus: \(RequestFailure.noQuorum) (request \(id.hex))", type: "rakis_consensus_failed")])
    }

    /// Parameters with no effect are accepted; those that would change the answer are refused
    /// with a 400 naming them, unless they ask for nothing; unknown keys are refused.
    @Test func parametersAreHonouredIgnoredOrRefusedByName() async throws {
        let ignored: [String: JSONValue] = [
            "user": "u", "metadata": ["k": "v"], "store": false, "service_tier": "auto", "prompt_cache_key": "p", "safety_identifier": "s",
            "parallel_tool_calls": true, "reasoning_effort": "low", "verbosity": "low", "prediction": ["type": "content", "content": "x"],
            "frequency_penalty": 0, "presence_penalty": 0, "logit_bias": .object([:]), "logprobs": false, "top_logprobs": 0, "modalities": ["text"],
            "top_p": 0.5, "stop": ".", "seed": 7, "temperature": 0.3, "max_completion_tokens": 9, "n": 1, "stream": false,
        ]
        let node = StandInNode(conclusion: Outcomes.agreed())
        let accepted = try await call(node, .post, "/v1/chat/completions", body: chat(ignored))
        #expect(accepted.status == .ok, "\(accepted.body)")
        let spec = try #require(node.submitted.withLock { $0 }.first)
        #expect(spec.topP == 0.5 && spec.stop == ["."] && spec.seed == 7 && spec.temperature == 0.3 && spec.maxTokens == 9)

        let refused: [(String, JSONValue)] = [
            ("n", 2), ("logit_bias", ["42": 5]), ("logprobs", true), ("top_logprobs", 3), ("frequency_penalty", 0.5),
            ("presence_penalty", -1), ("modalities", ["text", "audio"]), ("audio", ["voice": "alloy", "format": "wav"]),
            ("functions", [["name": "f"]]), ("function_call", "auto"), ("web_search_options", .object([:])), ("colour", "blue"),
        ]
        for (name, value) in refused {
            let answer = try await call(node, .post, "/v1/chat/completions", body: chat([name: value]))
            guard case let .object(body) = answer.body, case let .object(error)? = body["error"] else {
                Issue.record("\(name): \(answer.body)")
                continue
            }
            #expect(answer.status == .badRequest && error["param"] == .string(name), "\(name): \(answer.body)")
            if case let .string(message)? = error["message"] { #expect(message.contains(name), "\(message)") }
        }
        #expect(node.submitted.withLock { $0 }.count == 1, "nothing refused was submitted")
    }

    /// A request with one tool and `tool_choice: required` runs under the call's schema, and the
    /// agreed call comes back as `tool_calls`.
    @Test func anAgreedToolCallIsAnsweredAsToolCalls() async throws {
        let output = #"{"call":{"get_weather":{"city":"Paris"}}}"#
        let node = StandInNode(conclusion: RequestConclusion(
            requestId: id, outcome: .final(ChosenOutput(node: Outcomes.chosen.node, model: "own-model", output: output,
                                                        commitment: Outcomes.chosen.commitment, cluster: Outcomes.chosen.cluster)),
            certificate: nil, concludedAt: 1_700_000_012_345))
        let tool: JSONValue = ["type": "function", "function": ["name": "get_weather", "description": "The weather in a city.",
                                                                 "parameters": ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]]]]
        let answer = try await call(node, .post, "/v1/chat/completions", body: chat(["tools": [tool], "tool_choice": "required"]))
        #expect(answer.status == .ok, "\(answer.body)")
        let spec = try #require(node.submitted.withLock { $0 }.first)
        #expect(spec.format != nil)
        if case let .messages(messages) = spec.input {
            #expect(messages.first?.role == "system" && messages.first?.content.contains("get_weather: The weather in a city.") == true)
        }
        guard case let .object(body) = answer.body, case let .array(choices)? = body["choices"], case let .object(choice)? = choices.first else {
            Issue.record("\(answer.body)")
            return
        }
        #expect(choice["finish_reason"] == "tool_calls")
        #expect(choice["message"] == ["role": "assistant", "content": nil, "refusal": nil, "tool_calls": [[
            "id": .string("call_" + id.hex.prefix(24)), "type": "function",
            "function": ["name": "get_weather", "arguments": #"{"city":"Paris"}"#],
        ]]])

        // The second step: the call and its result in the history, as the protocol's roles.
        let history: JSONValue = [
            ["role": "user", "content": "Weather in Paris?"],
            ["role": "assistant", "content": nil, "tool_calls": [["id": "call_1", "type": "function", "function": ["name": "get_weather", "arguments": #"{"city": "Paris"}"#]]]],
            ["role": "tool", "tool_call_id": "call_1", "content": [["type": "text", "text": "sunny, 21 C"]]],
        ]
        let second = StandInNode(conclusion: Outcomes.agreed())
        _ = try await call(second, .post, "/v1/chat/completions", body: ["model": "own-model", "messages": history])
        #expect(second.submitted.withLock { $0 }.first?.input == .messages([
            ChatMessage(role: "user", content: "Weather in Paris?"),
            ChatMessage(role: "assistant", content: #"{"call":{"get_weather":{"city":"Paris"}}}"#),
            ChatMessage(role: "user", content: "Result of get_weather: sunny, 21 C"),
        ]))
        let badSchema: JSONValue = ["type": "function", "function": ["name": "f", "parameters": ["type": "object", "properties": ["x": ["type": "string", "format": "date"]]]]]
        let refused = try await call(second, .post, "/v1/chat/completions", body: chat(["tools": [badSchema]]))
        #expect(refused.status == .badRequest)
        if case let .object(b) = refused.body, case let .object(error)? = b["error"] {
            guard case let .string(param)? = error["param"] else { Issue.record("\(refused.body)"); return }
            #expect(param.hasPrefix("tools[0].function.parameters.properties.x"), "\(refused.body)")
        }
        let orphan = try await call(second, .post, "/v1/chat/completions", body: ["model": "own-model", "messages": [["role": "tool", "tool_call_id": "x", "content": "?"]]])
        #expect(orphan.status == .badRequest)
    }

    /// `tool_choice: auto` (the default with tools) lets the model answer in words or call a
    /// tool; `required` with two tools, call either. Both run under a schema with an object of
    /// exactly one property (`ObjectSchema.choosesOne`), and an agreed reply is a plain message.
    @Test func autoAndRequiredWithSeveralToolsChooseOneOfTheirProperties() async throws {
        func tool(_ name: String) -> JSONValue {
            ["type": "function", "function": ["name": .string(name), "parameters": ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]]]]
        }
        func conclusion(_ output: String) -> RequestConclusion {
            RequestConclusion(requestId: id, outcome: .final(ChosenOutput(node: Outcomes.chosen.node, model: "own-model", output: output,
                                                                          commitment: Outcomes.chosen.commitment, cluster: Outcomes.chosen.cluster)),
                              certificate: nil, concludedAt: 1_700_000_012_345)
        }
        let replying = StandInNode(conclusion: conclusion(#"{"reply":"Hello there."}"#))
        let answer = try await call(replying, .post, "/v1/chat/completions", body: chat(["tools": [tool("get_weather"), tool("get_time")]]))
        #expect(answer.status == .ok, "\(answer.body)")
        let format = try #require(replying.submitted.withLock { $0 }.first?.format)
        guard case let .object(union) = format.root else { Issue.record("\(format.root)"); return }
        #expect(union.choosesOne && union.properties.map(\.name) == ["call", "reply"])
        guard case let .object(calls) = union.properties[0].node else { Issue.record("\(union.properties[0].node)"); return }
        #expect(calls.choosesOne && calls.properties.map(\.name) == ["get_time", "get_weather"])
        guard case let .object(body) = answer.body, case let .array(choices)? = body["choices"], case let .object(choice)? = choices.first else {
            Issue.record("\(answer.body)")
            return
        }
        #expect(choice["finish_reason"] == "stop")
        #expect(choice["message"] == ["role": "assistant", "content": "Hello there.", "refusal": nil])

        let calling = StandInNode(conclusion: conclusion(#"{"call":{"get_time":{"city":"Oslo"}}}"#))
        let called = try await call(calling, .post, "/v1/chat/completions", body: chat(["tools": [tool("get_weather"), tool("get_time")], "tool_choice": "required"]))
        #expect(called.status == .ok, "\(called.body)")
        let required = try #require(calling.submitted.withLock { $0 }.first?.format)
        guard case let .object(wrapper) = required.root, case let .object(choice)? = wrapper.properties.first?.node else { Issue.record("\(required.root)"); return }
        #expect(!wrapper.choosesOne && wrapper.properties.map(\.name) == ["call"] && choice.choosesOne)
        guard case let .object(calledBody) = called.body, case let .array(calledChoices)? = calledBody["choices"],
              case let .object(first)? = calledChoices.first, case let .object(message)? = first["message"],
              case let .array(toolCalls)? = message["tool_calls"], case let .object(toolCall)? = toolCalls.first else {
            Issue.record("\(called.body)")
            return
        }
        #expect(toolCall["function"] == ["name": "get_time", "arguments": #"{"city":"Oslo"}"#])
    }

    @Test func aTextCompletionContinuesTheRawPrompt() async throws {
        let node = StandInNode(conclusion: Outcomes.agreed())
        let body: JSONValue = ["model": "own-model", "prompt": "2+2 =", "echo": true, "max_tokens": 5]
        let answer = try await call(node, .post, "/v1/completions", body: body)
        #expect(answer.body == [
            "id": .string("cmpl-\(id.hex)"), "object": "text_completion", "created": 1_700_000_012, "model": "own-model",
            "choices": [["index": 0, "text": "2+2 =Four.", "finish_reason": "stop", "logprobs": nil]],
            "usage": ["prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4], "rakis": rakis,
        ])
        #expect(node.submitted.withLock { $0 }.first?.input == .prompt("2+2 ="))
        let (_, text) = try await callText(node, .post, "/v1/completions", body: ["model": "own-model", "prompt": "2+2 =", "stream": true])
        let (events, done) = try dataEvents(text)
        #expect(done && events.count == 1)
        let refused = try await call(node, .post, "/v1/completions", body: ["model": "own-model", "prompt": "x", "best_of": 3])
        #expect(refused.status == .badRequest)
    }

    @Test func embeddingsAreTheNodesOwnInFloatsOrBase64() async throws {
        let node = StandInNode()
        let floats = try await call(node, .post, "/v1/embeddings", body: ["model": "all-minilm-l6-v2", "input": ["ab", "a b c"]])
        #expect(floats.status == .ok)
        guard case let .object(body) = floats.body, case let .array(data)? = body["data"] else {
            Issue.record("\(floats.body)")
            return
        }
        #expect(data.count == 2 && body["usage"] == ["prompt_tokens": 4, "total_tokens": 4])
        let base64 = try await call(node, .post, "/v1/embeddings", body: ["model": "all-minilm-l6-v2", "input": "ab", "encoding_format": "base64"])
        guard case let .object(b) = base64.body, case let .array(d)? = b["data"], case let .object(first)? = d.first, case let .string(encoded)? = first["embedding"] else {
            Issue.record("\(base64.body)")
            return
        }
        #expect(encoded.count == 12, "two float32 values in base64")
        let short = try await call(node, .post, "/v1/embeddings", body: ["model": "all-minilm-l6-v2", "input": "ab", "dimensions": 1])
        guard case let .object(s) = short.body, case let .array(sd)? = s["data"], case let .object(one)? = sd.first else {
            Issue.record("\(short.body)")
            return
        }
        #expect(one["embedding"] == [1])
        #expect(try await call(node, .post, "/v1/embeddings", body: ["model": "nope", "input": "ab"]).status == .badRequest)
        #expect(try await call(node, .post, "/v1/embeddings", body: ["model": "all-minilm-l6-v2", "input": "ab", "dimensions": 3]).status == .badRequest)
    }
}
