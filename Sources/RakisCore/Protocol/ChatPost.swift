/// A message for the network's chat: text a node signs and sends over every transport like any
/// packet, which receivers show with the transports that delivered it and how long each took
/// from the sender's clock (`Packet.createdAt`). It belongs to no request, and nothing a node
/// decides depends on it: it is how people watch the transports at work.
public struct ChatPost: Sendable, Hashable {
    public let text: String

    public init(text: String) {
        self.text = text
    }

    /// Shapes only: 1 to `Limits.chatTextBytes` bytes of UTF-8, and no control character but the
    /// newline (no carriage return, tab, escape or NUL that could rewrite a terminal or a log line).
    /// The same rule refuses a local message before it is signed and a received one.
    public func validate(path: String) throws(PacketRejection) {
        let bytes = text.utf8.count
        guard Limits.chatTextBytes.contains(bytes) else {
            throw .outOfRange(field: "\(path).text", detail: "\(bytes) bytes of UTF-8, must be \(Limits.chatTextBytes)")
        }
        for (offset, scalar) in text.unicodeScalars.enumerated()
            where scalar.properties.generalCategory == .control && scalar != "\n" {
            throw .outOfRange(field: "\(path).text",
                              detail: "control character U+\(Self.hex(scalar.value)) at code point \(offset); only the newline is allowed")
        }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
