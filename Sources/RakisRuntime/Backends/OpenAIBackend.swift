import AsyncHTTPClient
import Foundation
import NIOCore
import RakisCore
import RakisNode

/// A model served by an OpenAI-compatible endpoint (`POST {baseURL}/chat/completions`).
///
/// Such servers are not deterministic across machines the way the built-in engine is; the
/// network's consensus over embeddings is what makes their outputs comparable. A raw prompt is
/// sent as one user message.
public struct OpenAIBackend: InferenceBackend {
    public let baseURL: String
    /// The model name the server knows, which may differ from the network's name for it.
    public let remoteModel: String
    let apiKey: String?
    let timeout: Duration

    public init(baseURL: String, remoteModel: String, apiKey: String?, timeout: Duration = .seconds(300)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.remoteModel = remoteModel
        self.apiKey = apiKey
        self.timeout = timeout
    }

    public var description: String { "\(remoteModel) at \(baseURL)" }

    public func run(_ job: InferenceJob) async throws -> String {
        var request = HTTPClientRequest(url: "\(baseURL)/chat/completions")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        request.body = .bytes(ByteBuffer(bytes: requestBody(for: job).canonicalBytes()))
        let response = try await HTTPClient.shared.execute(request, timeout: .init(timeout))
        let bytes = Array((try await response.body.collect(upTo: Limits.maxEnvelopeBytes)).readableBytesView)
        guard response.status == .ok else {
            throw BackendError("\(description) answered \(response.status.code): \(String(decoding: bytes.prefix(500), as: UTF8.self))")
        }
        do {
            let answer = try JSONObjectReader(JSONParser.parse(bytes), path: "")
            guard let choice = try answer.array("choices").first else { throw BackendError("\(description) returned no choices") }
            let content = try JSONObjectReader(choice, path: "choices[0]").object("message").string("content")
            // A server that ignores `stop` still gives the text up to the first stop string.
            return job.stop.compactMap { content.range(of: $0)?.lowerBound }.min().map { String(content[..<$0]) } ?? content
        } catch let error as BackendError {
            throw error
        } catch {
            throw BackendError("\(description) returned an answer that is not a chat completion: \(error)")
        }
    }
}

extension OpenAIBackend {
    /// The chat completion request for a job, with the job's seed.
    func requestBody(for job: InferenceJob) -> JSONValue {
        let messages: [JSONValue] = switch job.input {
        case let .prompt(text): [["role": "user", "content": .string(text)]]
        case let .messages(messages): messages.map { ["role": .string($0.role), "content": .string($0.content)] }
        }
        var body: [String: JSONValue] = [
            "model": .string(remoteModel), "messages": .array(messages), "seed": .number(Double(job.seed)),
            "temperature": .number(job.temperature), "max_tokens": .number(Double(job.maxTokens)),
        ]
        if let topP = job.topP { body["top_p"] = .number(topP) }
        if !job.stop.isEmpty { body["stop"] = .array(job.stop.map(JSONValue.string)) }
        // The server is asked for the schema too; the node still canonicalizes and checks its answer.
        if let format = job.format {
            body["response_format"] = format.root == .anyObject
                ? ["type": "json_object"]
                : ["type": "json_schema", "json_schema": ["name": "answer", "schema": format.json, "strict": true]]
        }
        return .object(body)
    }
}

public struct BackendError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
