/// Which transport delivered a packet ("mesh", "nostr", "mqtt", "sim", ...).
public struct TransportName: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let name: String
    public init(_ name: String) { self.name = name }
    public init(stringLiteral name: String) { self.name = name }
    public var description: String { name }
}
