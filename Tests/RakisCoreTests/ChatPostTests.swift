import Testing
@testable import RakisCore

/// The chat packet's rules: text of 1 to 500 bytes of UTF-8, no control character but the
/// newline, the same for a local message and a received one, each refusal naming its reason.
@Suite struct ChatPostTests {
    typealias F = ProtocolFixtures

    func refusal(_ text: String) -> String? {
        do { try ChatPost(text: text).validate(path: "packet"); return nil } catch { return "\(error)" }
    }

    @Test func textsWithinTheBoundsPass() {
        #expect(refusal("a") == nil)
        #expect(refusal("two\nlines\n") == nil)
        // 166 three-byte check marks and two letters: 500 bytes, 168 characters.
        #expect(refusal(String(repeating: "✓", count: 166) + "ok") == nil)
        #expect(refusal("emoji 😀, accents é, CJK 漢字") == nil)
    }

    @Test func emptyAndOversizedTextsAreRefusedByTheirByteCount() {
        #expect(refusal("") == "packet.text: 0 bytes of UTF-8, must be 1...500")
        #expect(refusal(String(repeating: "x", count: 501)) == "packet.text: 501 bytes of UTF-8, must be 1...500")
        // 167 check marks are only 167 characters but 501 bytes.
        #expect(refusal(String(repeating: "✓", count: 167)) == "packet.text: 501 bytes of UTF-8, must be 1...500")
    }

    @Test func controlCharactersOtherThanTheNewlineAreRefusedByName() {
        #expect(refusal("line\r\nbreak") == "packet.text: control character U+000D at code point 4; only the newline is allowed")
        #expect(refusal("tab\there") == "packet.text: control character U+0009 at code point 3; only the newline is allowed")
        #expect(refusal("\u{1B}[2Jclear screen") == "packet.text: control character U+001B at code point 0; only the newline is allowed")
        #expect(refusal("nul\u{0}") == "packet.text: control character U+0000 at code point 3; only the newline is allowed")
        #expect(refusal("delete\u{7F}") == "packet.text: control character U+007F at code point 6; only the newline is allowed")
        #expect(refusal("next line\u{85}") == "packet.text: control character U+0085 at code point 9; only the newline is allowed", "C1 controls too")
    }

    /// The validator applies the rule to a received packet, which counts against its sender as
    /// any out-of-range packet does; the envelope decoder refuses fields a chat packet does not have.
    @Test func receivedPacketsAreHeldToTheSameRules() throws {
        let validator = PacketValidator(network: F.network, membership: try .open(difficulty: 8))
        let bell = Envelope(signing: Packet(.chat(ChatPost(text: "ding\u{07}")), createdAt: 5), network: F.network, identity: F.identity)
        #expect(throws: PacketRejection.outOfRange(field: "packet.text", detail: "control character U+0007 at code point 4; only the newline is allowed")) {
            try validator.validate(bell, now: 5)
        }
        let stale = Envelope(signing: Packet(.chat(ChatPost(text: "old news")), createdAt: 5), network: F.network, identity: F.identity)
        #expect(throws: PacketRejection.clockSkew(createdAt: 5, now: 60_000, window: 30_000)) { try validator.validate(stale, now: 60_000) }

        guard case var .object(envelope) = F.chatEnvelope.json, case var .object(packet)? = envelope["packet"] else { return }
        packet["to"] = "everyone"
        envelope["packet"] = .object(packet)
        #expect(throws: PacketRejection.malformed("envelope.packet: unknown field \"to\"")) {
            try Envelope.decode(JSONValue.object(envelope).canonicalBytes())
        }
    }
}
