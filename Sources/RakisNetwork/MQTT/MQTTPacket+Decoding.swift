/// The first byte and remaining length of a packet (spec section 2.2).
public struct MQTTFixedHeader: Equatable, Sendable {
    public var type: MQTTPacketType
    /// The first byte's low nibble.
    public var flags: UInt8
    public var remainingLength: Int
    /// 1 for the type byte plus the 1 to 4 bytes of the remaining length.
    public var byteCount: Int

    /// The whole packet's size on the wire.
    public var packetByteCount: Int { byteCount + remainingLength }

    /// Parses the fixed header at the start of `bytes` and checks its flags; nil when more bytes
    /// are needed. Only the header is looked at, so a size limit can be applied before the rest
    /// of the packet is buffered.
    public static func parse<Bytes: Collection<UInt8>>(
        _ bytes: Bytes
    ) throws(MQTTDecodingError) -> MQTTFixedHeader? {
        guard let first = bytes.first else { return nil }
        guard let type = MQTTPacketType(rawValue: first >> 4) else { throw .reservedPacketType(first >> 4) }
        let flags = first & 0x0F
        switch type {
        case .publish:
            guard flags & 0b0110 != 0b0110 else { throw .invalidQoS(type) }
        case .pubrel, .subscribe, .unsubscribe:
            guard flags == 0b0010 else { throw .invalidFlags(type, flags: flags) }
        default:
            guard flags == 0 else { throw .invalidFlags(type, flags: flags) }
        }
        guard let length = try MQTTRemainingLength.decode(bytes.dropFirst()) else { return nil }
        return MQTTFixedHeader(type: type, flags: flags, remainingLength: length.value, byteCount: 1 + length.byteCount)
    }
}

extension MQTTPacket {
    /// Decodes the packet at the start of `bytes`, returning it with its size on the wire, or nil
    /// when `bytes` holds only part of it. A packet larger than `maxPacketBytes` is rejected from
    /// its header alone.
    public static func decode(
        _ bytes: ArraySlice<UInt8>, maxPacketBytes: Int = 5 + MQTTRemainingLength.maximum
    ) throws(MQTTDecodingError) -> (packet: MQTTPacket, byteCount: Int)? {
        guard let header = try MQTTFixedHeader.parse(bytes) else { return nil }
        guard header.packetByteCount <= maxPacketBytes else {
            throw .packetTooLarge(size: header.packetByteCount, limit: maxPacketBytes)
        }
        guard bytes.count >= header.packetByteCount else { return nil }
        let bodyStart = bytes.startIndex + header.byteCount
        let body = bytes[bodyStart..<(bodyStart + header.remainingLength)]
        return (try decode(header: header, body: body), header.packetByteCount)
    }

    /// Decodes a packet's variable header and payload, exactly `header.remainingLength` bytes.
    static func decode(header: MQTTFixedHeader, body: ArraySlice<UInt8>) throws(MQTTDecodingError) -> MQTTPacket {
        var reader = MQTTReader(type: header.type, bytes: body)
        let packet: MQTTPacket
        switch header.type {
        case .connect:
            packet = .connect(try MQTTConnect.decode(from: &reader))
        case .connack:
            let acknowledgeFlags = try reader.readByte(field: "acknowledge flags")
            guard acknowledgeFlags & 0xFE == 0 else { throw .invalidConnackFlags(acknowledgeFlags) }
            let code = try reader.readByte(field: "return code")
            guard let returnCode = MQTTConnectReturnCode(rawValue: code) else { throw .unknownConnectReturnCode(code) }
            packet = .connectAcknowledgement(.init(sessionPresent: acknowledgeFlags == 1, returnCode: returnCode))
        case .publish:
            packet = .publish(try MQTTPublish.decode(flags: header.flags, from: &reader))
        case .puback:
            packet = .publishAcknowledgement(packetID: try reader.readPacketID())
        case .subscribe:
            let packetID = try reader.readPacketID()
            var subscriptions: [MQTTSubscribe.Subscription] = []
            while !reader.isAtEnd {
                let filter = try reader.readString(field: "topic filter")
                let options = try reader.readByte(field: "requested QoS")
                guard let qos = MQTTQoS(rawValue: options) else { throw .invalidRequestedQoS(options) }
                subscriptions.append(.init(topicFilter: filter, qos: qos))
            }
            guard !subscriptions.isEmpty else { throw .emptySubscriptionList(.subscribe) }
            packet = .subscribe(.init(packetID: packetID, subscriptions: subscriptions))
        case .suback:
            let packetID = try reader.readPacketID()
            var results: [MQTTSubscribeAcknowledgement.Result] = []
            while !reader.isAtEnd {
                let code = try reader.readByte(field: "return code")
                if code == 0x80 {
                    results.append(.failure)
                } else if let qos = MQTTQoS(rawValue: code) {
                    results.append(.granted(qos))
                } else {
                    throw .invalidSubscribeReturnCode(code)
                }
            }
            guard !results.isEmpty else { throw .emptySubscriptionList(.suback) }
            packet = .subscribeAcknowledgement(.init(packetID: packetID, results: results))
        case .pingreq: packet = .pingRequest
        case .pingresp: packet = .pingResponse
        case .disconnect: packet = .disconnect
        case .pubrec, .pubrel, .pubcomp, .unsubscribe, .unsuback:
            throw .unsupportedPacketType(header.type)
        }
        guard reader.isAtEnd else { throw .trailingBytes(header.type, count: reader.remaining) }
        return packet
    }
}

extension MQTTConnect {
    fileprivate static func decode(from reader: inout MQTTReader) throws(MQTTDecodingError) -> MQTTConnect {
        let protocolName = try reader.readString(field: "protocol name")
        guard protocolName == "MQTT" else { throw .invalidProtocolName(protocolName) }
        let level = try reader.readByte(field: "protocol level")
        guard level == 4 else { throw .unsupportedProtocolLevel(level) }
        let flags = try reader.readByte(field: "connect flags")
        guard flags & 0x01 == 0 else { throw .reservedConnectFlagSet }
        // Will flag, will QoS and will retain (MQTT-3.1.2-11..15): this client never sends a will.
        guard flags & 0b0011_1100 == 0 else { throw .willMessageUnsupported }
        let hasUsername = flags & 0x80 != 0
        let hasPassword = flags & 0x40 != 0
        guard hasUsername || !hasPassword else { throw .passwordWithoutUsername }
        let keepAlive = try reader.readUInt16(field: "keep alive")
        let clientID = try reader.readString(field: "client identifier")
        let username = try hasUsername ? reader.readString(field: "user name") : nil
        let password = try hasPassword ? reader.readBinary(field: "password") : nil
        return MQTTConnect(
            clientID: clientID, cleanSession: flags & 0x02 != 0, keepAliveSeconds: keepAlive,
            username: username, password: password
        )
    }
}

extension MQTTPublish {
    fileprivate static func decode(flags: UInt8, from reader: inout MQTTReader) throws(MQTTDecodingError) -> MQTTPublish {
        let duplicate = flags & 0b1000 != 0
        let retain = flags & 0b0001 != 0
        let qos: MQTTQoS
        switch (flags >> 1) & 0b11 {
        case 0: qos = .atMostOnce
        case 1: qos = .atLeastOnce
        case 2: throw .unsupportedQoS2Publish
        default: throw .invalidQoS(.publish)
        }
        guard qos != .atMostOnce || !duplicate else { throw .duplicateFlagWithQoS0 }
        let topic = try reader.readString(field: "topic name")
        let packetID = try qos == .atMostOnce ? nil : reader.readPacketID()
        return MQTTPublish(
            topic: topic, payload: reader.readRest(), qos: qos, packetID: packetID,
            duplicate: duplicate, retain: retain
        )
    }
}

/// Reads MQTT's primitive field types from a packet body, failing (never trapping) at its end.
private struct MQTTReader {
    let type: MQTTPacketType
    var bytes: ArraySlice<UInt8>

    var isAtEnd: Bool { bytes.isEmpty }
    var remaining: Int { bytes.count }

    mutating func readByte(field: String) throws(MQTTDecodingError) -> UInt8 {
        guard let byte = bytes.popFirst() else { throw .truncated(type, field: field) }
        return byte
    }

    mutating func readUInt16(field: String) throws(MQTTDecodingError) -> UInt16 {
        guard bytes.count >= 2 else { throw .truncated(type, field: field) }
        let value = UInt16(bytes[bytes.startIndex]) << 8 | UInt16(bytes[bytes.startIndex + 1])
        bytes = bytes.dropFirst(2)
        return value
    }

    mutating func readPacketID() throws(MQTTDecodingError) -> UInt16 {
        let id = try readUInt16(field: "packet identifier")
        guard id != 0 else { throw .zeroPacketID(type) }
        return id
    }

    mutating func readBinary(field: String) throws(MQTTDecodingError) -> [UInt8] {
        let length = Int(try readUInt16(field: field))
        guard bytes.count >= length else { throw .truncated(type, field: field) }
        defer { bytes = bytes.dropFirst(length) }
        return Array(bytes.prefix(length))
    }

    mutating func readString(field: String) throws(MQTTDecodingError) -> String {
        let utf8 = try readBinary(field: field)
        guard let string = String(validating: utf8, as: UTF8.self) else { throw .invalidUTF8(field: field) }
        guard !utf8.contains(0) else { throw .nullCharacter(field: field) }
        return string
    }

    mutating func readRest() -> [UInt8] {
        defer { bytes = bytes[bytes.endIndex...] }
        return Array(bytes)
    }
}
