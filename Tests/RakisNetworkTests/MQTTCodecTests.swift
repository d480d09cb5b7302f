import Testing
@testable import RakisNetwork

// MARK: - Helpers

/// The error decoding `bytes` reports, or nil if it decodes (or asks for more bytes).
private func decodeFailure(_ bytes: [UInt8], maxPacketBytes: Int = 1 << 20) -> MQTTDecodingError? {
    do {
        _ = try MQTTPacket.decode(bytes[...], maxPacketBytes: maxPacketBytes)
        return nil
    } catch {
        return error
    }
}

private func encodeFailure(_ packet: MQTTPacket) -> MQTTEncodingError? {
    do {
        _ = try packet.encoded()
        return nil
    } catch {
        return error
    }
}

private func roundTrip(_ packet: MQTTPacket) throws -> MQTTPacket? {
    let bytes = try packet.encoded()
    guard let decoded = try MQTTPacket.decode(bytes[...]) else { return nil }
    #expect(decoded.byteCount == bytes.count)
    return decoded.packet
}

private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One of each packet kind, with the optional parts both present and absent.
private let samplePackets: [MQTTPacket] = [
    .connect(MQTTConnect(clientID: "rakis-0123abcd", cleanSession: false, keepAliveSeconds: 30)),
    .connect(MQTTConnect(clientID: "c", cleanSession: true, keepAliveSeconds: 0, username: "user")),
    .connect(
        MQTTConnect(
            clientID: "ñode-✓", cleanSession: false, keepAliveSeconds: 65535, username: "u",
            password: [0, 1, 0xFF])),
    .connectAcknowledgement(.init(sessionPresent: false, returnCode: .accepted)),
    .connectAcknowledgement(.init(sessionPresent: true, returnCode: .accepted)),
    .connectAcknowledgement(.init(sessionPresent: false, returnCode: .notAuthorized)),
    .publish(MQTTPublish(topic: "rakis/main/packets", payload: [], qos: .atMostOnce)),
    .publish(MQTTPublish(topic: "t", payload: [1, 2, 3], qos: .atMostOnce, retain: true)),
    .publish(MQTTPublish(topic: "rakis/main/packets", payload: Array("{}".utf8), qos: .atLeastOnce, packetID: 1)),
    .publish(MQTTPublish(topic: "x", payload: [0], qos: .atLeastOnce, packetID: 65535, duplicate: true, retain: true)),
    .publishAcknowledgement(packetID: 7),
    .subscribe(MQTTSubscribe(packetID: 65535, subscriptions: [.init(topicFilter: "rakis/main/packets", qos: .atLeastOnce)])),
    .subscribe(
        MQTTSubscribe(
            packetID: 2,
            subscriptions: [.init(topicFilter: "a/+/b", qos: .atMostOnce), .init(topicFilter: "#", qos: .exactlyOnce)])),
    .subscribeAcknowledgement(.init(packetID: 65535, results: [.granted(.atLeastOnce)])),
    .subscribeAcknowledgement(.init(packetID: 3, results: [.granted(.atMostOnce), .failure, .granted(.exactlyOnce)])),
    .pingRequest,
    .pingResponse,
    .disconnect,
]

// MARK: - Round trips

@Suite struct MQTTCodecTests {
    @Test(arguments: samplePackets)
    func roundTripsEveryPacketType(packet: MQTTPacket) throws {
        #expect(try roundTrip(packet) == packet)
    }

    @Test func encodesKnownBytes() throws {
        #expect(try MQTTPacket.pingRequest.encoded() == [0xC0, 0x00])
        #expect(try MQTTPacket.pingResponse.encoded() == [0xD0, 0x00])
        #expect(try MQTTPacket.disconnect.encoded() == [0xE0, 0x00])
        #expect(try MQTTPacket.publishAcknowledgement(packetID: 0x1234).encoded() == [0x40, 0x02, 0x12, 0x34])
        // Spec section 3.1.2.10's example variable header: "MQTT", level 4, flags, keep alive 10.
        let connect = MQTTConnect(clientID: "a", cleanSession: true, keepAliveSeconds: 10, username: "u", password: [0x70])
        #expect(
            try MQTTPacket.connect(connect).encoded() == [
                0x10, 19, 0, 4, 0x4D, 0x51, 0x54, 0x54, 4, 0xC2, 0, 10, 0, 1, 0x61, 0, 1, 0x75, 0, 1, 0x70,
            ])
        let publish = MQTTPublish(topic: "a/b", payload: [9], qos: .atLeastOnce, packetID: 10, duplicate: true)
        #expect(try MQTTPacket.publish(publish).encoded() == [0x3A, 8, 0, 3, 0x61, 0x2F, 0x62, 0, 10, 9])
        let subscribe = MQTTSubscribe(packetID: 1, subscriptions: [.init(topicFilter: "a", qos: .atLeastOnce)])
        #expect(try MQTTPacket.subscribe(subscribe).encoded() == [0x82, 6, 0, 1, 0, 1, 0x61, 1])
    }

    // MARK: Remaining length

    @Test(arguments: [
        (0, [0x00] as [UInt8]),
        (127, [0x7F]),
        (128, [0x80, 0x01]),
        (16_383, [0xFF, 0x7F]),
        (16_384, [0x80, 0x80, 0x01]),
        (2_097_151, [0xFF, 0xFF, 0x7F]),
        (2_097_152, [0x80, 0x80, 0x80, 0x01]),
        (268_435_455, [0xFF, 0xFF, 0xFF, 0x7F]),
    ])
    func remainingLengthBoundaries(value: Int, encoding: [UInt8]) throws {
        #expect(MQTTRemainingLength.encode(value) == encoding)
        let decoded = try #require(try MQTTRemainingLength.decode(encoding + [0xAA]))
        #expect(decoded.value == value)
        #expect(decoded.byteCount == encoding.count)
        // Every proper prefix is incomplete, not an error.
        for cut in 0..<encoding.count {
            #expect(try MQTTRemainingLength.decode(encoding.prefix(cut)) == nil)
        }
    }

    @Test func remainingLengthOfFiveBytesIsRejected() {
        #expect(throws: MQTTDecodingError.remainingLengthTooLong) {
            try MQTTRemainingLength.decode([0xFF, 0xFF, 0xFF, 0xFF, 0x7F] as [UInt8])
        }
        // Known to be malformed from the fourth byte: no need to wait for the fifth.
        #expect(throws: MQTTDecodingError.remainingLengthTooLong) {
            try MQTTRemainingLength.decode([0x80, 0x80, 0x80, 0x80] as [UInt8])
        }
        #expect(decodeFailure([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]) == .remainingLengthTooLong)
    }

    /// Publishes whose remaining length lands on each side of the 1/2/3-byte length boundaries.
    @Test(arguments: [127, 128, 16_383, 16_384, 2_097_151, 2_097_152])
    func publishAtLengthBoundaries(remainingLength: Int) throws {
        let topic = "rakis/main/packets"
        let payload = [UInt8](repeating: 0x5A, count: remainingLength - 2 - topic.utf8.count - 2)
        let packet = MQTTPacket.publish(MQTTPublish(topic: topic, payload: payload, qos: .atLeastOnce, packetID: 9))
        let bytes = try packet.encoded()
        #expect(bytes.count == 1 + MQTTRemainingLength.encode(remainingLength).count + remainingLength)
        #expect(MQTTTransport.publishSize(topic: topic, payloadBytes: payload.count) == bytes.count)
        let header = try #require(try MQTTFixedHeader.parse(bytes))
        #expect(header.remainingLength == remainingLength)
        #expect(header.packetByteCount == bytes.count)
        #expect(try MQTTPacket.decode(bytes[...], maxPacketBytes: bytes.count)?.packet == packet)
        #expect(decodeFailure(bytes, maxPacketBytes: bytes.count - 1) == .packetTooLarge(size: bytes.count, limit: bytes.count - 1))
    }

    // MARK: Malformed input

    @Test func incompleteInputAsksForMore() throws {
        for packet in samplePackets {
            let bytes = try packet.encoded()
            for cut in 0..<bytes.count {
                #expect(try MQTTPacket.decode(bytes.prefix(cut)) == nil, "\(packet) cut at \(cut)")
            }
        }
    }

    @Test func oversizedPacketIsRejectedFromItsHeaderAlone() {
        // Only the header of a 1,000,000-byte publish has arrived.
        let header: [UInt8] = [0x30] + MQTTRemainingLength.encode(999_996)  // 1 + 3 + 999,996
        #expect(decodeFailure(header, maxPacketBytes: 65_536) == .packetTooLarge(size: 1_000_000, limit: 65_536))
    }

    @Test(arguments: [
        // Fixed header
        ([0x00, 0x00], MQTTDecodingError.reservedPacketType(0)),
        ([0xF0, 0x00], .reservedPacketType(15)),
        ([0x41, 0x02, 0x00, 0x01], .invalidFlags(.puback, flags: 1)),
        ([0x80, 0x06, 0, 1, 0, 1, 0x61, 1], .invalidFlags(.subscribe, flags: 0)),
        ([0xC8, 0x00], .invalidFlags(.pingreq, flags: 8)),
        ([0x36, 0x05, 0, 1, 0x61, 0, 1], .invalidQoS(.publish)),
        // Sizes that disagree with the contents
        ([0x40, 0x01, 0x00], .truncated(.puback, field: "packet identifier")),
        ([0x40, 0x03, 0x00, 0x01, 0x00], .trailingBytes(.puback, count: 1)),
        ([0xD0, 0x01, 0x00], .trailingBytes(.pingresp, count: 1)),
        ([0x30, 0x03, 0x00, 0x05, 0x61], .truncated(.publish, field: "topic name")),
        ([0x32, 0x04, 0x00, 0x01, 0x61, 0x00], .truncated(.publish, field: "packet identifier")),
        ([0x20, 0x01, 0x00], .truncated(.connack, field: "return code")),
        // Field values
        ([0x40, 0x02, 0x00, 0x00], .zeroPacketID(.puback)),
        ([0x32, 0x05, 0x00, 0x01, 0x61, 0x00, 0x00], .zeroPacketID(.publish)),
        ([0x34, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01], .unsupportedQoS2Publish),
        ([0x38, 0x03, 0x00, 0x01, 0x61], .duplicateFlagWithQoS0),
        ([0x30, 0x04, 0x00, 0x02, 0xC3, 0x28], .invalidUTF8(field: "topic name")),
        ([0x30, 0x04, 0x00, 0x02, 0x61, 0x00], .nullCharacter(field: "topic name")),
        ([0x20, 0x02, 0x02, 0x00], .invalidConnackFlags(2)),
        ([0x20, 0x02, 0x00, 0x06], .unknownConnectReturnCode(6)),
        ([0x90, 0x03, 0x00, 0x01, 0x03], .invalidSubscribeReturnCode(3)),
        ([0x90, 0x02, 0x00, 0x01], .emptySubscriptionList(.suback)),
        ([0x82, 0x02, 0x00, 0x01], .emptySubscriptionList(.subscribe)),
        ([0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x05], .invalidRequestedQoS(5)),
        ([0x50, 0x02, 0x00, 0x01], .unsupportedPacketType(.pubrec)),
        ([0xA2, 0x05, 0x00, 0x01, 0x00, 0x01, 0x61], .unsupportedPacketType(.unsubscribe)),
        // CONNECT
        ([0x10, 0x0C, 0, 4, 0x4D, 0x51, 0x49, 0x73, 4, 0x02, 0, 10, 0, 0], .invalidProtocolName("MQIs")),
        ([0x10, 0x0C, 0, 4, 0x4D, 0x51, 0x54, 0x54, 3, 0x02, 0, 10, 0, 0], .unsupportedProtocolLevel(3)),
        ([0x10, 0x0C, 0, 4, 0x4D, 0x51, 0x54, 0x54, 4, 0x03, 0, 10, 0, 0], .reservedConnectFlagSet),
        ([0x10, 0x0C, 0, 4, 0x4D, 0x51, 0x54, 0x54, 4, 0x42, 0, 10, 0, 0], .passwordWithoutUsername),
        ([0x10, 0x0C, 0, 4, 0x4D, 0x51, 0x54, 0x54, 4, 0x06, 0, 10, 0, 0], .willMessageUnsupported),
        ([0x10, 0x0C, 0, 4, 0x4D, 0x51, 0x54, 0x54, 4, 0x82, 0, 10, 0, 0], .truncated(.connect, field: "user name")),
    ] as [([UInt8], MQTTDecodingError)])
    func malformedPacketsAreRejected(bytes: [UInt8], expected: MQTTDecodingError) {
        #expect(decodeFailure(bytes) == expected)
        #expect(!expected.description.isEmpty)
    }

    @Test func subscribeFailureIsReported() throws {
        let decoded = try #require(try MQTTPacket.decode([0x90, 0x04, 0x12, 0x34, 0x80, 0x01][...]))
        #expect(decoded.packet == .subscribeAcknowledgement(.init(packetID: 0x1234, results: [.failure, .granted(.atLeastOnce)])))
    }

    @Test func connectReturnCodesExplainThemselves() throws {
        for code: UInt8 in 1...5 {
            let decoded = try #require(try MQTTPacket.decode([0x20, 0x02, 0x00, code][...]))
            guard case .connectAcknowledgement(let acknowledgement) = decoded.packet else {
                Issue.record("not a CONNACK: \(decoded.packet)")
                continue
            }
            #expect(acknowledgement.returnCode.rawValue == code)
            #expect(acknowledgement.returnCode.description != MQTTConnectReturnCode.accepted.description)
        }
    }

    /// Random bytes and corrupted valid packets either decode, ask for more, or throw; none traps.
    @Test func arbitraryInputNeverTraps() throws {
        var rng = SplitMix64(state: 0x4D51_5454)
        var outcomes = (decoded: 0, incomplete: 0, rejected: 0)
        let encoded = try samplePackets.map { try $0.encoded() }
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int(rng.next() % 24)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                bytes = encoded[Int(rng.next() % UInt64(encoded.count))]
                let position = Int(rng.next() % UInt64(bytes.count))
                bytes[position] ^= UInt8.random(in: 1...255, using: &rng)
            }
            do {
                if try MQTTPacket.decode(bytes[...], maxPacketBytes: 4096) != nil {
                    outcomes.decoded += 1
                } else {
                    outcomes.incomplete += 1
                }
            } catch {
                outcomes.rejected += 1
            }
        }
        // Each kind of outcome happened, so the loop really explored the decoder.
        #expect(outcomes.decoded > 0 && outcomes.incomplete > 0 && outcomes.rejected > 0)
    }

    // MARK: Encoding refusals

    @Test func encoderRefusesWhatMQTTCannotCarry() {
        let topic = "t"
        #expect(encodeFailure(.publishAcknowledgement(packetID: 0)) == .zeroPacketID)
        #expect(encodeFailure(.publish(.init(topic: topic, payload: [], qos: .atMostOnce, packetID: 1))) == .packetIDMismatch(qos: .atMostOnce))
        #expect(encodeFailure(.publish(.init(topic: topic, payload: [], qos: .atLeastOnce))) == .packetIDMismatch(qos: .atLeastOnce))
        #expect(encodeFailure(.publish(.init(topic: topic, payload: [], qos: .atMostOnce, duplicate: true))) == .duplicateFlagWithQoS0)
        #expect(encodeFailure(.publish(.init(topic: topic, payload: [], qos: .exactlyOnce, packetID: 1))) == .qos2PublishUnsupported)
        #expect(encodeFailure(.publish(.init(topic: "a\u{0}b", payload: [], qos: .atMostOnce))) == .nullCharacter(field: "topic name"))
        let longTopic = String(repeating: "a", count: 65_536)
        #expect(encodeFailure(.publish(.init(topic: longTopic, payload: [], qos: .atMostOnce))) == .stringTooLong(field: "topic name", bytes: 65_536))
        #expect(encodeFailure(.subscribe(.init(packetID: 1, subscriptions: []))) == .emptySubscriptionList)
        #expect(
            encodeFailure(.connect(.init(clientID: "c", cleanSession: true, keepAliveSeconds: 1, password: [1])))
                == .passwordWithoutUsername)
    }
}
