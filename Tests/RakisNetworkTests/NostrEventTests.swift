import Testing
import RakisCore
@testable import RakisNetwork

@Suite struct NostrEventTests {
    /// Real events signed by other Nostr clients, as relays sent them.
    static let publishedEvents = [
        #"["EVENT","s",{"id":"75468b04a0e03633a40f1c8d7e1a0cad1363ecc514ecbcde22093874e04e8166","pubkey":"3bf0c63fcb93463407af97a5e5ee64fa883d107ef9e558472c4eb9aaaefa459d","created_at":1668011201,"kind":1,"tags":[["e","247baa8ed5db8097b16d9594a3a27fd2b64c030fa9e68ce7d6106df4a499700d","","reply"],["p","6b0d4c8d9dc59e110d380b0429a02891f1341a0fa2ba1b1cf83a3db4d47e3964","","reply"]],"content":"you're not allowed to pronounce these words, traitor","sig":"588577ccd5ad6be8f61d93e4738799dede9b169ad150ee3ee6a1c4bb80adfbee27bb4e302e0ea173637c189d6664f1dc82ad3590b5524240bf492fa0b754432c"}]"#,
        #"["EVENT","s",{"content":"👀","created_at":1761514455,"id":"66af95a6bdfec756344f48241562b684082ff9c76ea940c11c4fd85e91e1219c","kind":7,"pubkey":"d5805ae449e108e907091c67cdf49a9835b3cac3dd11489ad215c0ddf7c658fc","sig":"69f4a3fe7c1cc6aa9c9cc4a2e90e4b71c3b9afaad262e68b92336e0493ff1a748b5dcc20ab6e86d4551dc5ea680ddfa1c08d47f9e4845927e143e8ef2183479b","tags":[["e","d44ad96cb8924092a76bc2afddeb12eb85233c0d03a7d9adc42c2a85a79a4305","wss://relay.primal.net/","04c915daefee38317fa734444acee390a8269fe5810b2241e5e6dd343dfbecc9"],["p","04c915daefee38317fa734444acee390a8269fe5810b2241e5e6dd343dfbecc9","wss://relay.primal.net/"],["k","1"]]}]"#,
    ]

    @Test func publishedEventsHaveValidIdsAndSignatures() throws {
        for text in Self.publishedEvents {
            guard case .event(let subscription, let event) = try NostrRelayMessage.parse(Array(text.utf8)) else {
                Issue.record("not an EVENT message: \(text)")
                continue
            }
            #expect(subscription == "s")
            #expect(event.hasValidId, "id of \(event.idHex)")
            #expect(event.hasValidSignature, "signature of \(event.idHex)")
        }
    }

    @Test func idSerializationFollowsNIP01() {
        let pubkey = [UInt8](repeating: 0xab, count: 32)
        let content = "line\nquote\" backslash\\ cr\r tab\t bs\u{08} ff\u{0C} bell\u{07} é 👀 </script>"
        let serialized = NostrEvent.serializationForId(
            pubkey: pubkey, createdAt: 1_700_000_000, kind: 7400, tags: [["t", "rakis/test"], ["x", "a\"b"]], content: content)
        let expected = "[0,\"\(Hex.encode(pubkey))\",1700000000,7400,[[\"t\",\"rakis/test\"],[\"x\",\"a\\\"b\"]],"
            + "\"line\\nquote\\\" backslash\\\\ cr\\r tab\\t bs\\b ff\\f bell\u{07} é 👀 </script>\"]"
        #expect(String(decoding: serialized, as: UTF8.self) == expected)
    }

    @Test func eventsRoundTripThroughTheWireFormat() throws {
        let key = NostrBinding(identity: NodeIdentity(deterministicLabel: "round trip")).key
        // Control characters other than NIP-01's seven are raw in the id serialization but
        // must be escaped on the wire, or the message would not be JSON.
        let event = NostrEvent(signedBy: key, createdAt: 1_700_000_123, kind: 7400,
                               tags: [["t", "rakis/x"]], content: "{\"a\":\"\u{01}\\n\"}\n")
        let text = NostrClientMessage.event(event).text
        #expect(text.hasPrefix("[\"EVENT\",{\"id\":\"\(event.idHex)\""))
        #expect(text.contains("\\u0001"))
        guard case .array(let items) = try JSONParser.parse(Array(text.utf8)) else {
            Issue.record("not an array: \(text)")
            return
        }
        let decoded = try NostrEvent(json: items[1])
        #expect(decoded == event)
        #expect(decoded.hasValidId && decoded.hasValidSignature)
    }

    @Test func requestCarriesTheFilter() {
        let request = NostrClientMessage.request(
            subscription: "rakis", filter: NostrFilter(kinds: [7400], topics: ["rakis/main"], since: 1_700_000_000))
        #expect(request.text == ##"["REQ","rakis",{"kinds":[7400],"#t":["rakis/main"],"since":1700000000}]"##)
    }

    @Test func relayMessagesParse() throws {
        #expect(try NostrRelayMessage.parse(Array(#"["OK","ab",false,"blocked: no"]"#.utf8))
                == .ok(eventId: "ab", accepted: false, message: "blocked: no"))
        #expect(try NostrRelayMessage.parse(Array(#"["EOSE","rakis"]"#.utf8)) == .endOfStoredEvents(subscription: "rakis"))
        #expect(try NostrRelayMessage.parse(Array(#"["NOTICE","slow down"]"#.utf8)) == .notice("slow down"))
        #expect(try NostrRelayMessage.parse(Array(#"["CLOSED","rakis","error: shutting down"]"#.utf8))
                == .closed(subscription: "rakis", message: "error: shutting down"))
        for bad in [#"{"EOSE":1}"#, #"["OK","ab","yes","x"]"#, #"["AUTH","challenge"]"#, #"["EVENT","s",{"id":"zz"}]"#, "[\"EOSE\""] {
            #expect(throws: NostrProtocolError.self, "\(bad)") { try NostrRelayMessage.parse(Array(bad.utf8)) }
        }
    }
}

@Suite struct NostrPacketCodecTests {
    let alice = NostrPacketCodec(binding: NostrBinding(identity: NodeIdentity(deterministicLabel: "codec alice")), network: "test", kind: 7400)
    let bob = NostrPacketCodec(binding: NostrBinding(identity: NodeIdentity(deterministicLabel: "codec bob")), network: "test", kind: 7400)
    let packet = Array(#"{"type":"hello","n":1}"#.utf8)

    @Test func packetsPassBetweenNodes() throws {
        let event = try #require(alice.event(for: packet, createdAt: 1_700_000_000))
        #expect(event.tagValues("t") == [["rakis/test"]])
        #expect(bob.check(event) == .packet(packet, publisher: alice.binding.nodeId))
        #expect(alice.check(event) == .own)
        // A second event from the same key uses the cached binding.
        let second = try #require(alice.event(for: packet, createdAt: 1_700_000_001))
        #expect(bob.check(second) == .packet(packet, publisher: alice.binding.nodeId))
    }

    /// Re-signs a modified event with `key`, so only the intended flaw remains.
    private func resigned(_ event: NostrEvent, by key: NostrKey, kind: Int? = nil, tags: [[String]]? = nil) -> NostrEvent {
        NostrEvent(signedBy: key, createdAt: event.createdAt, kind: kind ?? event.kind, tags: tags ?? event.tags, content: event.content)
    }

    private func expectRejected(_ event: NostrEvent, _ reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .rejected(let message) = bob.check(event) else {
            Issue.record("accepted an event that should fail with \(reason)", sourceLocation: sourceLocation)
            return
        }
        #expect(message.contains(reason), "\(message) should mention \(reason)", sourceLocation: sourceLocation)
    }

    @Test func forgedAndTamperedEventsAreRejected() throws {
        let event = try #require(alice.event(for: packet, createdAt: 1_700_000_000))
        let key = alice.binding.key

        var signature = event.sig
        signature[10] ^= 1
        expectRejected(NostrEvent(id: event.id, pubkey: event.pubkey, createdAt: event.createdAt, kind: event.kind,
                                  tags: event.tags, content: event.content, sig: signature), "Schnorr signature")

        // Content changed after signing: the id no longer matches.
        expectRejected(NostrEvent(id: event.id, pubkey: event.pubkey, createdAt: event.createdAt, kind: event.kind,
                                  tags: event.tags, content: #"{"type":"evil"}"#, sig: event.sig), "not the hash")

        // Another node's key claiming Alice's node id with Alice's binding signature.
        let mallory = NostrBinding(identity: NodeIdentity(deterministicLabel: "codec mallory"))
        expectRejected(resigned(event, by: mallory.key), "did not sign event key")

        // Alice's key with a binding that names Mallory's node.
        expectRejected(resigned(event, by: key, tags: [["t", "rakis/test"], ["rakis", mallory.nodeId.hex, Hex.encode(alice.binding.signature)]]),
                       "did not sign event key")

        expectRejected(resigned(event, by: key, tags: [["t", "rakis/other"], event.tags[1]]), "rakis/test")
        expectRejected(resigned(event, by: key, tags: [["t", "rakis/test"]]), "exactly one")
        expectRejected(resigned(event, by: key, kind: 1), "kind 1")

        let oversized = NostrEvent(signedBy: key, createdAt: 1, kind: 7400, tags: event.tags,
                                   content: String(repeating: "a", count: Limits.maxEnvelopeBytes + 1))
        expectRejected(oversized, "exceeds")
    }

    @Test func bannedNodesAreDropped() throws {
        let event = try #require(alice.event(for: packet, createdAt: 1_700_000_000))
        #expect(bob.ban(alice.binding.nodeId))
        expectRejected(event, "banned")
    }
}
