/// The MQTT 3.1.1 control packets a publish/subscribe client exchanges with its broker
/// (OASIS MQTT Version 3.1.1, section 3).
///
/// Only what Rakis uses is modelled: no will messages, no QoS 2 publishing, no UNSUBSCRIBE.
/// Encoding lives in `MQTTPacket+Encoding.swift`, strict decoding in `MQTTPacket+Decoding.swift`.
public enum MQTTPacket: Equatable, Sendable {
    case connect(MQTTConnect)
    case connectAcknowledgement(MQTTConnectAcknowledgement)
    case publish(MQTTPublish)
    /// PUBACK: the receiver of a QoS 1 publish took responsibility for it.
    case publishAcknowledgement(packetID: UInt16)
    case subscribe(MQTTSubscribe)
    case subscribeAcknowledgement(MQTTSubscribeAcknowledgement)
    case pingRequest
    case pingResponse
    case disconnect
}

/// The control packet types (the high nibble of the first byte), spec section 2.2.1.
public enum MQTTPacketType: UInt8, Sendable, CustomStringConvertible {
    case connect = 1, connack, publish, puback, pubrec, pubrel, pubcomp
    case subscribe, suback, unsubscribe, unsuback, pingreq, pingresp, disconnect

    public var description: String {
        switch self {
        case .connect: "CONNECT"
        case .connack: "CONNACK"
        case .publish: "PUBLISH"
        case .puback: "PUBACK"
        case .pubrec: "PUBREC"
        case .pubrel: "PUBREL"
        case .pubcomp: "PUBCOMP"
        case .subscribe: "SUBSCRIBE"
        case .suback: "SUBACK"
        case .unsubscribe: "UNSUBSCRIBE"
        case .unsuback: "UNSUBACK"
        case .pingreq: "PINGREQ"
        case .pingresp: "PINGRESP"
        case .disconnect: "DISCONNECT"
        }
    }
}

public enum MQTTQoS: UInt8, Sendable, Comparable {
    case atMostOnce = 0
    case atLeastOnce = 1
    /// Only ever requested or granted in SUBSCRIBE/SUBACK; this client does not publish with it.
    case exactlyOnce = 2

    public static func < (lhs: MQTTQoS, rhs: MQTTQoS) -> Bool { lhs.rawValue < rhs.rawValue }
}

public struct MQTTConnect: Equatable, Sendable {
    public var clientID: String
    /// false: the broker keeps the subscriptions and queues QoS 1 messages while we are away.
    public var cleanSession: Bool
    /// The longest silence the broker tolerates before it drops us (0 turns keep alive off).
    public var keepAliveSeconds: UInt16
    public var username: String?
    /// MQTT 3.1.1 allows a password only together with a username (MQTT-3.1.2-22).
    public var password: [UInt8]?

    public init(
        clientID: String, cleanSession: Bool, keepAliveSeconds: UInt16,
        username: String? = nil, password: [UInt8]? = nil
    ) {
        self.clientID = clientID
        self.cleanSession = cleanSession
        self.keepAliveSeconds = keepAliveSeconds
        self.username = username
        self.password = password
    }
}

public struct MQTTConnectAcknowledgement: Equatable, Sendable {
    /// The broker still had our session (subscriptions and queued messages) from before.
    public var sessionPresent: Bool
    public var returnCode: MQTTConnectReturnCode

    public init(sessionPresent: Bool, returnCode: MQTTConnectReturnCode) {
        self.sessionPresent = sessionPresent
        self.returnCode = returnCode
    }
}

/// CONNACK's verdict, spec section 3.2.2.3. Values 6-255 are reserved and rejected when decoding.
public enum MQTTConnectReturnCode: UInt8, Sendable, CustomStringConvertible {
    case accepted = 0
    case unacceptableProtocolVersion = 1
    case identifierRejected = 2
    case serverUnavailable = 3
    case badUsernameOrPassword = 4
    case notAuthorized = 5

    public var description: String {
        switch self {
        case .accepted: "connection accepted"
        case .unacceptableProtocolVersion: "the broker does not speak MQTT 3.1.1 (protocol level 4)"
        case .identifierRejected: "the broker rejected the client identifier"
        case .serverUnavailable: "the MQTT service is unavailable"
        case .badUsernameOrPassword: "bad user name or password"
        case .notAuthorized: "the client is not authorized to connect"
        }
    }
}

public struct MQTTPublish: Equatable, Sendable {
    public var topic: String
    public var payload: [UInt8]
    /// `.atMostOnce` or `.atLeastOnce`; the codec refuses `.exactlyOnce`.
    public var qos: MQTTQoS
    /// Present exactly when qos > 0, and never 0.
    public var packetID: UInt16?
    /// A resend of a QoS 1 publish that may already have arrived (only valid with qos > 0).
    public var duplicate: Bool
    public var retain: Bool

    public init(
        topic: String, payload: [UInt8], qos: MQTTQoS, packetID: UInt16? = nil,
        duplicate: Bool = false, retain: Bool = false
    ) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.packetID = packetID
        self.duplicate = duplicate
        self.retain = retain
    }
}

public struct MQTTSubscribe: Equatable, Sendable {
    public var packetID: UInt16
    /// At least one (topic filter, requested QoS) pair (MQTT-3.8.3-3).
    public var subscriptions: [Subscription]

    public struct Subscription: Equatable, Sendable {
        public var topicFilter: String
        public var qos: MQTTQoS

        public init(topicFilter: String, qos: MQTTQoS) {
            self.topicFilter = topicFilter
            self.qos = qos
        }
    }

    public init(packetID: UInt16, subscriptions: [Subscription]) {
        self.packetID = packetID
        self.subscriptions = subscriptions
    }
}

public struct MQTTSubscribeAcknowledgement: Equatable, Sendable {
    public var packetID: UInt16
    /// One result per requested subscription, in request order.
    public var results: [Result]

    public enum Result: Equatable, Sendable {
        case granted(MQTTQoS)
        /// 0x80: the broker refused this subscription (typically an access control rule).
        case failure
    }

    public init(packetID: UInt16, results: [Result]) {
        self.packetID = packetID
        self.results = results
    }
}
