import RakisCore
import RakisStore

/// An API key's text form, `rk_<id>_<secret>`: 16 hex digits of id, which the key may be named by
/// in public (lists, logs, revocation), and 64 hex digits (256 bits) of secret. The store keeps
/// the SHA-256 of the whole text; a fast hash is enough for a secret of that many random bits,
/// which no dictionary holds.
public struct APIKey: Sendable, Equatable {
    public let id: String
    public let text: String

    static let prefix = "rk_"
    static let idDigits = 16
    static let secretDigits = 64

    /// A fresh key from the system's cryptographic generator.
    public static func generate() -> APIKey {
        var generator = SystemRandomNumberGenerator()
        func digits(_ count: Int) -> String {
            Hex.encode((0..<count / 2).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        }
        let id = digits(idDigits)
        return APIKey(id: id, text: "\(prefix)\(id)_\(digits(secretDigits))")
    }

    /// Reads a key as a client sent it; nil for anything not of the form above.
    public init?(text: String) {
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        guard text.hasPrefix(Self.prefix), parts.count == 3,
              parts[1].count == Self.idDigits, parts[2].count == Self.secretDigits,
              parts[1].allSatisfy(\.isLowercaseHexDigit), parts[2].allSatisfy(\.isLowercaseHexDigit) else { return nil }
        self.init(id: String(parts[1]), text: text)
    }

    private init(id: String, text: String) {
        self.id = id
        self.text = text
    }

    /// What the store keeps of this key.
    public var secretHash: [UInt8] { Hash256.of(Array(text.utf8)).bytes }

    /// Whether this is the key the store's record was made from. Compares every byte whatever
    /// the first difference, so the time taken says nothing about how much of a guess was right.
    func matches(_ stored: StoredAPIKey) -> Bool {
        let hash = secretHash
        guard stored.id == id, stored.secretHash.count == hash.count else { return false }
        return zip(hash, stored.secretHash).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

private extension Character {
    var isLowercaseHexDigit: Bool { ("0"..."9").contains(self) || ("a"..."f").contains(self) }
}
