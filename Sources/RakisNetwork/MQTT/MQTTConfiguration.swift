import RakisCore

/// How an `MQTTTransport` reaches its broker and how it behaves when the broker goes away.
public struct MQTTConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The Rakis network name; it selects the topic, so networks sharing a broker stay apart.
    public var network: String
    /// Must stay the same across restarts of a node: the broker keys the persistent session
    /// (subscription and queued messages) by it. Two clients with the same id evict each other.
    public var clientID: String
    public var username: String?
    public var password: String?
    /// PINGREQ interval when idle; a PINGRESP missing by the next interval closes the
    /// connection, so a dead broker is noticed within two intervals.
    public var keepAlive: Duration
    /// Largest packet accepted or sent, MQTT headers included. Larger incoming publishes are
    /// skipped without being buffered; larger outgoing payloads are dropped.
    public var maxPacketBytes: Int
    public var reconnectInitialDelay: Duration
    public var reconnectMaximumDelay: Duration
    /// How long a TCP connect plus CONNACK may take before the attempt is abandoned.
    public var connectTimeout: Duration
    /// Publishes held (unacknowledged or waiting for the broker) before new ones are dropped.
    public var maxQueuedPackets: Int
    /// Payload bytes held before new publishes are dropped, so an outage with large packets
    /// cannot take `maxQueuedPackets` times the largest packet of memory.
    public var maxQueuedBytes: Int
    /// Publishes sent and awaiting PUBACK at any time.
    public var maxInFlight: Int

    public init(
        host: String,
        port: Int = 1883,
        network: String,
        clientID: String,
        username: String? = nil,
        password: String? = nil,
        keepAlive: Duration = .seconds(30),
        maxPacketBytes: Int = Limits.maxEnvelopeBytes + 4096,
        reconnectInitialDelay: Duration = .milliseconds(250),
        reconnectMaximumDelay: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(10),
        maxQueuedPackets: Int = 256,
        maxQueuedBytes: Int = 32 << 20,
        maxInFlight: Int = 20
    ) {
        self.host = host
        self.port = port
        self.network = network
        self.clientID = clientID
        self.username = username
        self.password = password
        self.keepAlive = keepAlive
        self.maxPacketBytes = maxPacketBytes
        self.reconnectInitialDelay = reconnectInitialDelay
        self.reconnectMaximumDelay = reconnectMaximumDelay
        self.connectTimeout = connectTimeout
        self.maxQueuedPackets = maxQueuedPackets
        self.maxQueuedBytes = maxQueuedBytes
        self.maxInFlight = maxInFlight
    }

    /// The one topic a network's packets travel on.
    public var topic: String { "rakis/\(network)/packets" }

    /// Checks the settings `MQTTTransport.start` relies on.
    public func validate() throws(MQTTConfigurationError) {
        guard (1...65535).contains(port) else { throw .invalid("port \(port) is not in 1...65535") }
        // The network becomes one topic level, so the level separator and wildcards would let it
        // reach other networks' topics.
        guard !network.isEmpty, network.utf8.count <= Limits.maxNameBytes,
            !network.contains(where: { "/+#\u{0}".contains($0) })
        else {
            throw .invalid(
                "network name \"\(network)\" must be 1 to \(Limits.maxNameBytes) bytes without '/', '+', '#' or NUL")
        }
        // MQTT 3.1.1 servers must accept ids of up to 23 characters (MQTT-3.1.3-5); mosquitto and
        // most brokers take more, so only the hard protocol limits are checked.
        guard !clientID.isEmpty, clientID.utf8.count <= 65535, !clientID.contains("\u{0}") else {
            throw .invalid("client id must be 1 to 65535 bytes without NUL")
        }
        guard password == nil || username != nil else { throw .invalid("a password needs a user name") }
        let keepAliveSeconds = keepAlive.components.seconds
        guard keepAlive > .zero, keepAliveSeconds <= Int64(UInt16.max) else {
            throw .invalid("keep alive must be between 1 and 65535 seconds")
        }
        guard keepAlive.components.attoseconds == 0, keepAliveSeconds >= 1 else {
            throw .invalid("keep alive must be a whole number of seconds (MQTT counts in seconds)")
        }
        guard (1024...(5 + MQTTRemainingLength.maximum)).contains(maxPacketBytes) else {
            throw .invalid("maximum packet size \(maxPacketBytes) is not in 1024...\(5 + MQTTRemainingLength.maximum)")
        }
        guard reconnectInitialDelay >= .milliseconds(1), reconnectMaximumDelay >= reconnectInitialDelay else {
            throw .invalid("reconnect delays must be at least 1 ms, the maximum no less than the initial")
        }
        guard connectTimeout > .zero else { throw .invalid("connect timeout must be positive") }
        guard maxQueuedBytes >= maxPacketBytes else {
            throw .invalid("the queue (\(maxQueuedBytes) bytes) must hold at least one packet of \(maxPacketBytes) bytes")
        }
        guard maxInFlight >= 1, maxInFlight <= maxQueuedPackets else {
            throw .invalid("need 1 <= maxInFlight (\(maxInFlight)) <= maxQueuedPackets (\(maxQueuedPackets))")
        }
    }
}

public enum MQTTConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid MQTT configuration: \(reason)"
        }
    }
}
