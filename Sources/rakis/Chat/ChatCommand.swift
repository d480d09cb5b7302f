import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import RakisCore

struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Send a message to the network's transport chat, or follow the chat.",
        discussion: """
            The transport chat shows the transports at work: a message is a packet signed by the node \
            at --node (started with `rakis node --api`) and sent over every transport it has (mesh, \
            Nostr, MQTT); each receiver lists the transports that brought it and how long each took \
            from the sender's clock.

            With MESSAGE, sends it and prints its packet id. Without, prints the last --history \
            messages and follows the chat until interrupted: a line per message with the \
            transports that had brought it, then a line for each transport that brings it later. \
            Delays are measured from the sender's clock, so across machines they include the \
            difference between the clocks.

            Examples:
              rakis chat --node http://127.0.0.1:7480 "hello over every transport"
              rakis chat --node http://127.0.0.1:7481
            """
    )

    @Argument(help: ArgumentHelp("The message: 1 to 500 bytes of UTF-8, newlines allowed, no other control characters.",
                                 valueName: "message"))
    var message: String?
    @Option(help: "The node's API.") var node = "http://127.0.0.1:7480"
    @Option(help: ArgumentHelp("The node's API key, sent as `Authorization: Bearer KEY` (default: $RAKIS_API_KEY).", valueName: "key"))
    var apiKey: String?
    @Option(help: "Recent messages to print before following.") var history = 20

    func run() async throws {
        let base = node.hasSuffix("/") ? String(node.dropLast()) : node
        let key = apiKey ?? ProcessInfo.processInfo.environment["RAKIS_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        let client = ChatClient(base: base, apiKey: key)
        if let message {
            let entry = try await client.post(message)
            emit([entry.packetId])
            FileHandle.standardError.write(Data("sent at \(ChatLine.clock(entry.sentAt)) over every transport of \(base)\n".utf8))
        } else {
            try await follow(client)
        }
    }

    private func follow(_ client: ChatClient) async throws {
        // Listen first, so no message can pass between the history and the stream.
        let events = try await client.events()
        var printed = ChatLine.Printed()
        for entry in try await client.recent(limit: max(0, history)) { emit(printed.lines(for: entry)) }
        FileHandle.standardError.write(Data("following the chat at \(client.base) (Ctrl-C to stop)\n".utf8))
        var parser = ServerSentEvents()
        for try await chunk in events {
            for event in parser.feed(chunk.readableBytesView) where event.name == "chat" {
                guard let entry = try? ChatClient.Entry(json: JSONParser.parse(Array(event.data.utf8))) else { continue }
                emit(printed.lines(for: entry))
            }
        }
        throw CommandFailure("the node closed its event stream")
    }

    /// Written at once, unbuffered: someone (or a test) is watching the output as it comes.
    private func emit(_ lines: [String]) {
        guard !lines.isEmpty else { return }
        FileHandle.standardOutput.write(Data(lines.map { $0 + "\n" }.joined().utf8))
    }
}

/// What `rakis chat` prints: a message with the deliveries it had when first seen, then one line
/// per later delivery.
enum ChatLine {
    /// Messages already printed and how many of their deliveries; the oldest are forgotten.
    struct Printed {
        private var deliveries: [String: Int] = [:]
        private var order: [String] = []
        static let capacity = 1_000

        mutating func lines(for entry: ChatClient.Entry) -> [String] {
            guard let shown = deliveries[entry.packetId] else {
                deliveries[entry.packetId] = entry.deliveries.count
                order.append(entry.packetId)
                if order.count > Self.capacity { deliveries[order.removeFirst()] = nil }
                return [ChatLine.message(entry)]
            }
            guard entry.deliveries.count > shown else { return [] }
            deliveries[entry.packetId] = entry.deliveries.count
            return entry.deliveries[shown...].map { "           + \(ChatLine.delivery($0)) (\(entry.packetId.prefix(8)))" }
        }
    }

    /// `[12:03:04] d75a9801: text  [mesh 3 ms, mqtt 5 ms]`, continuation lines of the text indented.
    static func message(_ entry: ChatClient.Entry) -> String {
        let who = entry.own ? "this node" : String(entry.sender.prefix(8))
        let text = entry.text.replacingOccurrences(of: "\n", with: "\n" + String(repeating: " ", count: 13))
        let via = entry.deliveries.isEmpty ? (entry.own ? "sent" : "") : entry.deliveries.map(delivery).joined(separator: ", ")
        return "[\(clock(entry.sentAt))] \(who): \(text)" + (via.isEmpty ? "" : "  [\(via)]")
    }

    static func delivery(_ delivery: ChatClient.Delivery) -> String { "\(delivery.transport) \(delivery.delayMs) ms" }

    static func clock(_ millis: Int64) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }
}

/// The chat endpoints of a node's API.
struct ChatClient {
    let base: String
    let apiKey: String?

    struct Delivery {
        let transport: String
        let delayMs: Int64
    }

    /// A message as `GET /api/chat` and the `chat` event give it.
    struct Entry {
        let packetId: String
        let sender: String
        let text: String
        let sentAt: Int64
        let own: Bool
        let deliveries: [Delivery]

        init(json: JSONValue) throws {
            let reader = try JSONObjectReader(json, path: "chat")
            packetId = try reader.string("packetId")
            sender = try reader.string("sender")
            text = try reader.string("text")
            sentAt = Int64(try reader.int("sentAt"))
            own = try reader.optionalBool("own") ?? false
            deliveries = try reader.array("deliveries").map { value in
                let delivery = try JSONObjectReader(value, path: "delivery")
                return Delivery(transport: try delivery.string("transport"), delayMs: Int64(try delivery.int("delayMs")))
            }
        }
    }

    func post(_ text: String) async throws -> Entry {
        var request = request("/api/chat")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: JSONValue.object(["text": .string(text)]).canonicalBytes()))
        let (status, body) = try await send(request)
        guard status == 201 else { throw CommandFailure("the node refused the message (\(status)): \(Ask.errorMessage(body))") }
        return try Entry(json: body)
    }

    func recent(limit: Int) async throws -> [Entry] {
        guard limit > 0 else { return [] }
        let (status, body) = try await send(request("/api/chat?limit=\(limit)"))
        guard status == 200, case let .array(entries) = body else {
            throw CommandFailure("\(base)/api/chat answered \(status): \(Ask.errorMessage(body))")
        }
        return try entries.map(Entry.init(json:))
    }

    func events() async throws -> HTTPClientResponse.Body {
        let response = try await HTTPClient.shared.execute(request("/api/events"), timeout: .seconds(10))
        guard response.status == .ok else { throw CommandFailure("\(base)/api/events answered \(response.status.code)") }
        return response.body
    }

    private func request(_ path: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: base + path)
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        return request
    }

    /// The answer's status code and body (as text when it is not JSON).
    private func send(_ request: HTTPClientRequest) async throws -> (UInt, JSONValue) {
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        } catch {
            throw CommandFailure("cannot reach \(base): \(error)")
        }
        let bytes = Array((try await response.body.collect(upTo: 4 << 20)).readableBytesView)
        return (response.status.code, (try? JSONParser.parse(bytes)) ?? .string(String(decoding: bytes, as: UTF8.self)))
    }
}
