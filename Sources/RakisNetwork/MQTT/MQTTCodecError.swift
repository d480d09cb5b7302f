/// Why bytes received from a broker are not a valid MQTT 3.1.1 packet.
///
/// A malformed packet means the connection can no longer be trusted to be in step (spec
/// section 4.8: close the network connection), so the transport counts it and reconnects.
public enum MQTTDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The remaining-length field continued into a fifth byte (the spec allows at most four).
    case remainingLengthTooLong
    /// The packet's declared size exceeds the configured maximum; nothing of it was buffered.
    case packetTooLarge(size: Int, limit: Int)
    /// Packet type 0 or 15, which the spec reserves.
    case reservedPacketType(UInt8)
    /// A packet type this client never expects from a broker (QoS 2 flow, UNSUBSCRIBE, ...).
    case unsupportedPacketType(MQTTPacketType)
    /// The fixed header's low nibble holds flags the spec forbids for this packet type.
    case invalidFlags(MQTTPacketType, flags: UInt8)
    /// The packet ended before `field` was complete.
    case truncated(MQTTPacketType, field: String)
    /// Bytes left over after the last field.
    case trailingBytes(MQTTPacketType, count: Int)
    case invalidUTF8(field: String)
    /// U+0000 is not allowed in MQTT strings (MQTT-1.5.3-2).
    case nullCharacter(field: String)
    case zeroPacketID(MQTTPacketType)
    /// QoS bits 11 in a PUBLISH header (MQTT-3.3.1-4).
    case invalidQoS(MQTTPacketType)
    /// This client only subscribes with QoS 1, so a QoS 2 publish is a broker error.
    case unsupportedQoS2Publish
    /// DUP set on a QoS 0 publish (MQTT-3.3.1-2).
    case duplicateFlagWithQoS0
    case invalidProtocolName(String)
    case unsupportedProtocolLevel(UInt8)
    case reservedConnectFlagSet
    case passwordWithoutUsername
    /// Will messages are not part of this client's subset.
    case willMessageUnsupported
    case invalidConnackFlags(UInt8)
    /// CONNACK return codes 6-255 are reserved.
    case unknownConnectReturnCode(UInt8)
    case emptySubscriptionList(MQTTPacketType)
    /// A SUBSCRIBE options byte with reserved bits set or QoS 3.
    case invalidRequestedQoS(UInt8)
    /// A SUBACK return code other than 0, 1, 2 or 0x80.
    case invalidSubscribeReturnCode(UInt8)

    public var description: String {
        switch self {
        case .remainingLengthTooLong:
            "malformed MQTT packet: the remaining length uses more than 4 bytes"
        case .packetTooLarge(let size, let limit):
            "MQTT packet of \(size) bytes exceeds the limit of \(limit) bytes"
        case .reservedPacketType(let type):
            "malformed MQTT packet: packet type \(type) is reserved"
        case .unsupportedPacketType(let type):
            "unexpected MQTT \(type) packet: this client does not use it"
        case .invalidFlags(let type, let flags):
            "malformed MQTT \(type): fixed header flags 0x\(String(flags, radix: 16)) are not allowed"
        case .truncated(let type, let field):
            "malformed MQTT \(type): the packet ends inside the \(field)"
        case .trailingBytes(let type, let count):
            "malformed MQTT \(type): \(count) unexpected bytes after the last field"
        case .invalidUTF8(let field):
            "malformed MQTT packet: the \(field) is not valid UTF-8"
        case .nullCharacter(let field):
            "malformed MQTT packet: the \(field) contains U+0000"
        case .zeroPacketID(let type):
            "malformed MQTT \(type): packet identifier 0 is not allowed"
        case .invalidQoS(let type):
            "malformed MQTT \(type): QoS 3 does not exist"
        case .unsupportedQoS2Publish:
            "unexpected MQTT PUBLISH with QoS 2: this client only subscribes with QoS 1"
        case .duplicateFlagWithQoS0:
            "malformed MQTT PUBLISH: the DUP flag is set on a QoS 0 message"
        case .invalidProtocolName(let name):
            "malformed MQTT CONNECT: protocol name \"\(name)\" is not \"MQTT\""
        case .unsupportedProtocolLevel(let level):
            "MQTT CONNECT with protocol level \(level): only 4 (MQTT 3.1.1) is supported"
        case .reservedConnectFlagSet:
            "malformed MQTT CONNECT: the reserved connect flag is set"
        case .passwordWithoutUsername:
            "malformed MQTT CONNECT: a password without a user name"
        case .willMessageUnsupported:
            "MQTT CONNECT with a will message: not supported by this client"
        case .invalidConnackFlags(let flags):
            "malformed MQTT CONNACK: reserved acknowledge flags set (0x\(String(flags, radix: 16)))"
        case .unknownConnectReturnCode(let code):
            "malformed MQTT CONNACK: return code \(code) is reserved"
        case .emptySubscriptionList(let type):
            "malformed MQTT \(type): no topic filters"
        case .invalidRequestedQoS(let byte):
            "malformed MQTT SUBSCRIBE: requested QoS byte 0x\(String(byte, radix: 16)) is invalid"
        case .invalidSubscribeReturnCode(let code):
            "malformed MQTT SUBACK: return code 0x\(String(code, radix: 16)) is invalid"
        }
    }
}

/// Why a packet cannot be encoded: a caller asked for something MQTT 3.1.1 cannot carry.
public enum MQTTEncodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// MQTT strings carry a 16-bit length.
    case stringTooLong(field: String, bytes: Int)
    case nullCharacter(field: String)
    /// The remaining length would exceed 268,435,455 bytes.
    case packetTooLarge(remainingLength: Int)
    case zeroPacketID
    /// QoS 0 publishes carry no packet id; QoS 1 publishes need one.
    case packetIDMismatch(qos: MQTTQoS)
    case duplicateFlagWithQoS0
    case qos2PublishUnsupported
    case passwordWithoutUsername
    case emptySubscriptionList

    public var description: String {
        switch self {
        case .stringTooLong(let field, let bytes):
            "cannot encode MQTT \(field): \(bytes) bytes exceed the 65535-byte string limit"
        case .nullCharacter(let field):
            "cannot encode MQTT \(field): it contains U+0000"
        case .packetTooLarge(let remainingLength):
            "cannot encode MQTT packet: remaining length \(remainingLength) exceeds 268435455"
        case .zeroPacketID:
            "cannot encode MQTT packet: packet identifier 0 is not allowed"
        case .packetIDMismatch(let qos):
            qos == .atMostOnce
                ? "cannot encode MQTT PUBLISH: a QoS 0 message carries no packet identifier"
                : "cannot encode MQTT PUBLISH: a QoS \(qos.rawValue) message needs a packet identifier"
        case .duplicateFlagWithQoS0:
            "cannot encode MQTT PUBLISH: the DUP flag needs QoS 1"
        case .qos2PublishUnsupported:
            "cannot encode MQTT PUBLISH: QoS 2 is not supported by this client"
        case .passwordWithoutUsername:
            "cannot encode MQTT CONNECT: a password needs a user name"
        case .emptySubscriptionList:
            "cannot encode MQTT SUBSCRIBE: no topic filters"
        }
    }
}
