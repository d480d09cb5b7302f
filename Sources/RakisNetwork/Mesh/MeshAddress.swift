/// A dialable "host:port" address, as nodes advertise themselves in HELLO and PEERS frames.
/// IPv6 hosts are written in brackets ("[::1]:7400") so the port separator stays unambiguous.
public struct MeshAddress: Hashable, Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int

    /// Longest address text a frame may carry: a DNS name is at most 253 bytes, plus the port.
    static let maxTextBytes = 255

    /// Validates the host's characters (names, IPv4, IPv6 with an optional zone) and the port,
    /// so a peer cannot hand the dialer arbitrary text.
    public init?(host: String, port: Int) {
        guard !host.isEmpty, host.utf8.count <= 253, (1...65535).contains(port),
              host.unicodeScalars.allSatisfy({ $0.isASCII && (Self.hostCharacters.contains($0)) })
        else { return nil }
        self.host = host
        self.port = port
    }

    /// Parses "host:port" or "[ipv6]:port"; nil if the text is not such an address.
    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= Self.maxTextBytes else { return nil }
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            // A bare IPv6 address would make the last colon ambiguous: brackets are required.
            guard !hostPart.contains(":") else { return nil }
        }
        guard portPart.allSatisfy(\.isASCII), let port = Int(portPart) else { return nil }
        self.init(host: String(hostPart), port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// A wildcard listen address ("0.0.0.0", "::") accepts connections but cannot be dialed,
    /// so it is never advertised.
    var isUnspecified: Bool { host == "0.0.0.0" || host == "::" }

    private static let hostCharacters: Set<Unicode.Scalar> = Set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:%".unicodeScalars
    )
}
