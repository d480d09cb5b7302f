import RakisCore

/// What a relay sends a client (NIP-01).
public enum NostrRelayMessage: Sendable, Equatable {
    /// `["EVENT", <subscription id>, <event>]`: an event matching a subscription.
    case event(subscription: String, event: NostrEvent)
    /// `["OK", <event id>, <accepted>, <message>]`: the answer to a published event.
    case ok(eventId: String, accepted: Bool, message: String)
    /// `["EOSE", <subscription id>]`: stored events are done, live ones follow.
    case endOfStoredEvents(subscription: String)
    /// `["CLOSED", <subscription id>, <message>]`: the relay ended a subscription.
    case closed(subscription: String, message: String)
    /// `["NOTICE", <message>]`: a human-readable message.
    case notice(String)

    /// Parses one WebSocket text message from a relay. Message types this client does not use
    /// (AUTH, COUNT) are errors too: the caller logs and skips them.
    public static func parse(_ bytes: [UInt8]) throws(NostrProtocolError) -> NostrRelayMessage {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            throw .malformed("\(error)")
        }
        guard case .array(let items) = json, case .string(let type)? = items.first else {
            throw .malformed("a relay message must be an array starting with its type")
        }
        func string(_ index: Int) throws(NostrProtocolError) -> String {
            guard index < items.count, case .string(let text) = items[index] else {
                throw .malformed("\(type) needs a string at position \(index)")
            }
            return text
        }
        switch type {
        case "EVENT":
            guard items.count == 3 else { throw .malformed("EVENT needs a subscription id and an event") }
            return .event(subscription: try string(1), event: try NostrEvent(json: items[2]))
        case "OK":
            guard items.count == 4, case .bool(let accepted) = items[2] else {
                throw .malformed("OK needs an event id, a boolean and a message")
            }
            return .ok(eventId: try string(1), accepted: accepted, message: try string(3))
        case "EOSE":
            return .endOfStoredEvents(subscription: try string(1))
        case "CLOSED":
            return .closed(subscription: try string(1), message: try items.count > 2 ? string(2) : "")
        case "NOTICE":
            return .notice(try string(1))
        default:
            throw .malformed("unsupported relay message type \(type)")
        }
    }
}

/// A subscription filter: the subset of NIP-01 filters this transport needs.
public struct NostrFilter: Sendable, Equatable {
    public var kinds: [Int]
    /// Values of the "t" tag, sent as "#t".
    public var topics: [String]
    /// Only events with `created_at >= since`.
    public var since: Int64?

    public init(kinds: [Int], topics: [String], since: Int64? = nil) {
        self.kinds = kinds
        self.topics = topics
        self.since = since
    }

    func appendJSON(to out: inout [UInt8]) {
        out += Array("{\"kinds\":[\(kinds.map { String($0) }.joined(separator: ","))],\"#t\":".utf8)
        NostrJSON.appendStringArray(topics, to: &out, escaping: .wire)
        if let since { out += Array(",\"since\":\(since)".utf8) }
        out.append(UInt8(ascii: "}"))
    }
}

/// What this client sends a relay (NIP-01).
public enum NostrClientMessage: Sendable, Equatable {
    /// `["EVENT", <event>]`: publish.
    case event(NostrEvent)
    /// `["REQ", <subscription id>, <filter>]`: subscribe; replaces a subscription of that id.
    case request(subscription: String, filter: NostrFilter)
    /// `["CLOSE", <subscription id>]`: unsubscribe.
    case close(subscription: String)

    /// The message as WebSocket text.
    public var text: String {
        var out: [UInt8] = []
        switch self {
        case .event(let event):
            out += Array("[\"EVENT\",".utf8)
            event.appendJSON(to: &out)
        case .request(let subscription, let filter):
            out += Array("[\"REQ\",".utf8)
            NostrJSON.appendString(subscription, to: &out, escaping: .wire)
            out.append(UInt8(ascii: ","))
            filter.appendJSON(to: &out)
        case .close(let subscription):
            out += Array("[\"CLOSE\",".utf8)
            NostrJSON.appendString(subscription, to: &out, escaping: .wire)
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }
}
