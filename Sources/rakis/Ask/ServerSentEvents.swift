/// Splits a server-sent event stream into events, as the bytes arrive in arbitrary chunks.
/// Only what the node sends is handled: `event:` and `data:` lines, blank lines ending an
/// event, comment lines (`:`) ignored.
struct ServerSentEvents {
    struct Event: Equatable {
        let name: String
        let data: String
    }

    private var pending: [UInt8] = []
    private var name = "message"
    private var data: [String] = []

    mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        pending.append(contentsOf: bytes)
        var events: [Event] = []
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            var line = String(decoding: pending[..<newline], as: UTF8.self)
            pending.removeSubrange(...newline)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty {
                if !data.isEmpty { events.append(Event(name: name, data: data.joined(separator: "\n"))) }
                name = "message"
                data = []
            } else if line.hasPrefix("event:") {
                name = Self.value(line.dropFirst(6))
            } else if line.hasPrefix("data:") {
                data.append(Self.value(line.dropFirst(5)))
            }
        }
        return events
    }

    private static func value(_ text: Substring) -> String {
        String(text.first == " " ? text.dropFirst() : text)
    }
}
