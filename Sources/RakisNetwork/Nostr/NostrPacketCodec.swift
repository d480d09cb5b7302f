import RakisCore
import Synchronization

/// How Rakis packets ride on Nostr events, and the checks every received event must pass.
///
/// A packet is the event's content. Two tags go with it:
/// - `["t", "rakis/<network>"]`: relays index single-letter tags, so subscribers filter on it
///   and networks stay apart;
/// - `["rakis", <node id hex>, <binding signature hex>]`: which node published, and its
///   Ed25519 proof that the event's key is that node's (`NostrBinding`).
///
/// A relay is not trusted: it could forge, alter or misroute events, so everything it claims
/// is checked again here.
public final class NostrPacketCodec: Sendable {
    public enum Verdict: Sendable, Equatable {
        /// A packet from the node `publisher`.
        case packet([UInt8], publisher: NodeID)
        /// An event this node published itself, echoed by the relay.
        case own
        case rejected(String)
    }

    public let binding: NostrBinding
    public let kind: Int
    /// The "t" tag value: "rakis/<network>".
    public let topic: String

    /// Verified bindings: an x-only key (hex) to the node id and signature that proved it.
    /// Verifying Ed25519 on every event is wasted work once a key is known; the cache is
    /// bounded so a flood of fresh keys cannot grow it without end.
    private let bindings = Mutex<[String: (node: NodeID, signature: [UInt8])]>([:])
    private static let maxCachedBindings = 4096
    /// Nodes whose events are dropped after the runtime reported them.
    private let banned = Mutex<Set<NodeID>>([])

    public init(binding: NostrBinding, network: String, kind: Int) {
        self.binding = binding
        self.kind = kind
        topic = "rakis/\(network)"
    }

    /// The signed event carrying `packet`; nil if the packet is not UTF-8 text (event content
    /// is a JSON string, and Rakis envelopes are always canonical JSON, so this means a bug).
    public func event(for packet: [UInt8], createdAt: Int64) -> NostrEvent? {
        guard let content = String(validating: packet, as: UTF8.self) else { return nil }
        let tags = [["t", topic], ["rakis", binding.nodeId.hex, Hex.encode(binding.signature)]]
        return NostrEvent(signedBy: binding.key, createdAt: createdAt, kind: kind, tags: tags, content: content)
    }

    /// Checks a received event: kind, network tag, size, id, signature and node binding.
    public func check(_ event: NostrEvent) -> Verdict {
        if event.pubkey == binding.key.publicKey { return .own }
        guard event.kind == kind else { return .rejected("kind \(event.kind), expected \(kind)") }
        guard event.tagValues("t").contains([topic]) else { return .rejected("no \"t\" tag \(topic)") }
        let content = Array(event.content.utf8)
        guard content.count <= Limits.maxEnvelopeBytes else {
            return .rejected("content of \(content.count) bytes exceeds \(Limits.maxEnvelopeBytes)")
        }
        guard event.hasValidId else { return .rejected("event id \(event.idHex) is not the hash of the event") }
        guard event.hasValidSignature else { return .rejected("bad Schnorr signature on event \(event.idHex)") }
        let claims = event.tagValues("rakis")
        guard claims.count == 1, claims[0].count == 2, let node = NodeID(hex: claims[0][0]),
              let signature = Hex.decode(claims[0][1])
        else { return .rejected("event \(event.idHex) needs exactly one [\"rakis\", node id, binding signature] tag") }
        guard !banned.withLock({ $0.contains(node) }) else { return .rejected("node \(node.short) is banned") }
        guard isBound(pubkey: event.pubkeyHex, publicKey: event.pubkey, to: node, signature: signature) else {
            return .rejected("node \(node.short) did not sign event key \(event.pubkeyHex)")
        }
        return .packet(content, publisher: node)
    }

    /// Drops every later event from `node`.
    public func ban(_ node: NodeID) -> Bool {
        banned.withLock { $0.insert(node).inserted }
    }

    private func isBound(pubkey hex: String, publicKey: [UInt8], to node: NodeID, signature: [UInt8]) -> Bool {
        if let known = bindings.withLock({ $0[hex] }) {
            return known.node == node && known.signature == signature
        }
        guard NostrBinding.verify(nodeId: node, publicKey: publicKey, signature: signature) else { return false }
        bindings.withLock { cache in
            if cache.count >= Self.maxCachedBindings { cache.removeAll(keepingCapacity: true) }
            cache[hex] = (node, signature)
        }
        return true
    }
}
