import Testing
@testable import RakisCore

@Suite struct KeyFileTests {
    let identity = NodeIdentity(deterministicLabel: "key file test")

    @Test func plainKeyRoundTrips() throws {
        let bytes = try KeyFile.encode(identity, passphrase: nil)
        #expect(try KeyFile.decode(bytes, passphrase: nil).nodeId == identity.nodeId)
    }

    @Test func encryptedKeyNeedsTheRightPassphrase() throws {
        let bytes = try KeyFile.encode(identity, passphrase: "correct horse")
        #expect(!String(decoding: bytes, as: UTF8.self).contains(Hex.encode(identity.seed)))
        #expect(try KeyFile.decode(bytes, passphrase: "correct horse").nodeId == identity.nodeId)
        #expect(throws: KeyFile.Error.wrongPassphrase) { try KeyFile.decode(bytes, passphrase: "battery staple") }
        #expect(throws: KeyFile.Error.passphraseRequired) { try KeyFile.decode(bytes, passphrase: nil) }
    }

    @Test func damagedFilesAreRejectedWithAReason() throws {
        let good = String(decoding: try KeyFile.encode(identity, passphrase: nil), as: UTF8.self)
        let cases: [(String, String)] = [
            ("not json", "malformed"),
            ("{\"kind\":\"something-else\"}", "not a Rakis node key"),
            (good.replacingOccurrences(of: "\"version\":1", with: "\"version\":2"), "version 2"),
            (good.replacingOccurrences(of: identity.nodeId.hex, with: String(repeating: "ab", count: 32)), "does not match"),
            (good.replacingOccurrences(of: "\"encryption\":\"none\"", with: "\"encryption\":\"rot13\""), "unknown encryption"),
        ]
        for (text, reason) in cases {
            do {
                _ = try KeyFile.decode(Array(text.utf8), passphrase: nil)
                Issue.record("accepted a damaged key file: \(text)")
            } catch {
                #expect("\(error)".contains(reason), "\(error) should mention \(reason)")
            }
        }
    }
}
