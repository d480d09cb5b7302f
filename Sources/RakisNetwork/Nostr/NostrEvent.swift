import Crypto
import RakisCore

/// A NIP-01 event: signed by its author's x-only secp256k1 key, identified by the SHA-256 of
/// its serialization.
public struct NostrEvent: Sendable, Equatable {
    /// SHA-256 of `serializationForId`, 32 bytes.
    public let id: [UInt8]
    /// The author's x-only public key, 32 bytes.
    public let pubkey: [UInt8]
    /// Unix time in seconds, as the author's clock had it.
    public let createdAt: Int64
    public let kind: Int
    public let tags: [[String]]
    public let content: String
    /// BIP-340 signature over `id`, 64 bytes.
    public let sig: [UInt8]

    /// Every field as given: decoding keeps what arrived, so checks can tell a forgery apart.
    public init(id: [UInt8], pubkey: [UInt8], createdAt: Int64, kind: Int, tags: [[String]], content: String, sig: [UInt8]) {
        self.id = id
        self.pubkey = pubkey
        self.createdAt = createdAt
        self.kind = kind
        self.tags = tags
        self.content = content
        self.sig = sig
    }

    /// A new event signed by `key`.
    public init(signedBy key: NostrKey, createdAt: Int64, kind: Int, tags: [[String]], content: String) {
        let id = Self.computeId(pubkey: key.publicKey, createdAt: createdAt, kind: kind, tags: tags, content: content)
        self.init(id: id, pubkey: key.publicKey, createdAt: createdAt, kind: kind, tags: tags, content: content, sig: key.sign(id))
    }

    /// NIP-01: `[0,<pubkey hex>,<created_at>,<kind>,<tags>,<content>]` without whitespace.
    public static func serializationForId(pubkey: [UInt8], createdAt: Int64, kind: Int, tags: [[String]], content: String) -> [UInt8] {
        var out: [UInt8] = Array("[0,\"".utf8)
        out += Array(Hex.encode(pubkey).utf8)
        out += Array("\",".utf8)
        NostrJSON.appendInteger(createdAt, to: &out)
        out.append(UInt8(ascii: ","))
        NostrJSON.appendInteger(Int64(kind), to: &out)
        out.append(UInt8(ascii: ","))
        NostrJSON.appendTags(tags, to: &out, escaping: .eventId)
        out.append(UInt8(ascii: ","))
        NostrJSON.appendString(content, to: &out, escaping: .eventId)
        out.append(UInt8(ascii: "]"))
        return out
    }

    public static func computeId(pubkey: [UInt8], createdAt: Int64, kind: Int, tags: [[String]], content: String) -> [UInt8] {
        Array(SHA256.hash(data: serializationForId(pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags, content: content)))
    }

    public var idHex: String { Hex.encode(id) }
    public var pubkeyHex: String { Hex.encode(pubkey) }

    /// Whether `id` is the hash of the other fields.
    public var hasValidId: Bool {
        id == Self.computeId(pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags, content: content)
    }

    /// Whether `sig` is the author's signature over `id` (check `hasValidId` too: a valid
    /// signature over a wrong id proves nothing about the content).
    public var hasValidSignature: Bool {
        Schnorr.verify(signature: sig, message: id, publicKey: pubkey)
    }

    /// The values of every tag named `name`: `[["t","a"],["t","b"]]` gives `[["a"],["b"]]`.
    public func tagValues(_ name: String) -> [[String]] {
        tags.compactMap { tag in tag.first == name ? Array(tag.dropFirst()) : nil }
    }

    /// The event as a JSON object, as it goes to a relay.
    func appendJSON(to out: inout [UInt8]) {
        out += Array("{\"id\":\"\(idHex)\",\"pubkey\":\"\(pubkeyHex)\",\"created_at\":".utf8)
        NostrJSON.appendInteger(createdAt, to: &out)
        out += Array(",\"kind\":".utf8)
        NostrJSON.appendInteger(Int64(kind), to: &out)
        out += Array(",\"tags\":".utf8)
        NostrJSON.appendTags(tags, to: &out, escaping: .wire)
        out += Array(",\"content\":".utf8)
        NostrJSON.appendString(content, to: &out, escaping: .wire)
        out += Array(",\"sig\":\"\(Hex.encode(sig))\"}".utf8)
    }

    /// Reads an event object. Checks the shape only (hex lengths, integer ranges); whether
    /// the id and signature are right is for `hasValidId` and `hasValidSignature`.
    public init(json: JSONValue) throws(NostrProtocolError) {
        guard case .object(let fields) = json else { throw .malformed("an event must be a JSON object") }
        func hex(_ name: String, bytes: Int) throws(NostrProtocolError) -> [UInt8] {
            guard case .string(let text)? = fields[name], let value = Hex.decode(text), value.count == bytes else {
                throw .malformed("event field \(name) must be \(bytes * 2) lowercase hex digits")
            }
            return value
        }
        func integer(_ name: String, in range: ClosedRange<Int64>) throws(NostrProtocolError) -> Int64 {
            guard case .number(let number)? = fields[name], number == number.rounded(),
                  number >= Double(range.lowerBound), number <= Double(range.upperBound)
            else { throw .malformed("event field \(name) must be an integer in \(range)") }
            return Int64(number)
        }
        guard case .array(let tagValues)? = fields["tags"] else { throw .malformed("event field tags must be an array") }
        var tags: [[String]] = []
        for tagValue in tagValues {
            guard case .array(let elements) = tagValue else { throw .malformed("every tag must be an array of strings") }
            var tag: [String] = []
            for element in elements {
                guard case .string(let text) = element else { throw .malformed("every tag must be an array of strings") }
                tag.append(text)
            }
            tags.append(tag)
        }
        guard case .string(let content)? = fields["content"] else { throw .malformed("event field content must be a string") }
        self.init(
            id: try hex("id", bytes: 32),
            pubkey: try hex("pubkey", bytes: 32),
            // Up to 2^53: beyond it a JSON number no longer holds every integer exactly.
            createdAt: try integer("created_at", in: 0...(1 << 53)),
            kind: Int(try integer("kind", in: 0...65535)),
            tags: tags,
            content: content,
            sig: try hex("sig", bytes: 64)
        )
    }
}

/// A relay message that could not be understood.
public enum NostrProtocolError: Error, Equatable, CustomStringConvertible {
    case malformed(String)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed Nostr message: \(reason)"
        }
    }
}
