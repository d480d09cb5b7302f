extension MQTTPacket {
    /// The packet's bytes on the wire: fixed header, variable header and payload.
    public func encoded() throws(MQTTEncodingError) -> [UInt8] {
        var body = MQTTWriter()
        let type: MQTTPacketType
        var flags: UInt8 = 0
        switch self {
        case .connect(let connect):
            type = .connect
            try connect.encode(into: &body)
        case .connectAcknowledgement(let acknowledgement):
            type = .connack
            body.append(acknowledgement.sessionPresent ? 1 : 0)
            body.append(acknowledgement.returnCode.rawValue)
        case .publish(let publish):
            type = .publish
            flags = try publish.headerFlags()
            try body.appendString(publish.topic, field: "topic name")
            if let packetID = publish.packetID { try body.appendPacketID(packetID) }
            body.append(contentsOf: publish.payload)
        case .publishAcknowledgement(let packetID):
            type = .puback
            try body.appendPacketID(packetID)
        case .subscribe(let subscribe):
            type = .subscribe
            flags = 0b0010  // MQTT-3.8.1-1
            guard !subscribe.subscriptions.isEmpty else { throw .emptySubscriptionList }
            try body.appendPacketID(subscribe.packetID)
            for subscription in subscribe.subscriptions {
                try body.appendString(subscription.topicFilter, field: "topic filter")
                body.append(subscription.qos.rawValue)
            }
        case .subscribeAcknowledgement(let acknowledgement):
            type = .suback
            try body.appendPacketID(acknowledgement.packetID)
            for result in acknowledgement.results {
                switch result {
                case .granted(let qos): body.append(qos.rawValue)
                case .failure: body.append(0x80)
                }
            }
        case .pingRequest: type = .pingreq
        case .pingResponse: type = .pingresp
        case .disconnect: type = .disconnect
        }
        guard body.bytes.count <= MQTTRemainingLength.maximum else {
            throw .packetTooLarge(remainingLength: body.bytes.count)
        }
        var packet: [UInt8] = [type.rawValue << 4 | flags]
        packet.reserveCapacity(5 + body.bytes.count)
        packet.append(contentsOf: MQTTRemainingLength.encode(body.bytes.count))
        packet.append(contentsOf: body.bytes)
        return packet
    }
}

extension MQTTConnect {
    fileprivate func encode(into body: inout MQTTWriter) throws(MQTTEncodingError) {
        guard password == nil || username != nil else { throw .passwordWithoutUsername }
        try body.appendString("MQTT", field: "protocol name")
        body.append(4)  // protocol level 4 = MQTT 3.1.1
        var connectFlags: UInt8 = 0
        if username != nil { connectFlags |= 0x80 }
        if password != nil { connectFlags |= 0x40 }
        if cleanSession { connectFlags |= 0x02 }
        body.append(connectFlags)
        body.appendUInt16(keepAliveSeconds)
        try body.appendString(clientID, field: "client identifier")
        if let username { try body.appendString(username, field: "user name") }
        if let password { try body.appendBinary(password, field: "password") }
    }
}

extension MQTTPublish {
    /// DUP, QoS and RETAIN in the fixed header's low nibble, after checking they fit together.
    fileprivate func headerFlags() throws(MQTTEncodingError) -> UInt8 {
        switch qos {
        case .exactlyOnce: throw .qos2PublishUnsupported
        case .atMostOnce:
            guard packetID == nil else { throw .packetIDMismatch(qos: qos) }
            guard !duplicate else { throw .duplicateFlagWithQoS0 }
        case .atLeastOnce:
            guard packetID != nil else { throw .packetIDMismatch(qos: qos) }
        }
        return (duplicate ? 0b1000 : 0) | qos.rawValue << 1 | (retain ? 1 : 0)
    }
}

/// Appends MQTT's primitive field types to a packet body.
private struct MQTTWriter {
    var bytes: [UInt8] = []

    mutating func append(_ byte: UInt8) { bytes.append(byte) }

    mutating func append(contentsOf other: [UInt8]) { bytes.append(contentsOf: other) }

    mutating func appendUInt16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func appendPacketID(_ id: UInt16) throws(MQTTEncodingError) {
        guard id != 0 else { throw .zeroPacketID }
        appendUInt16(id)
    }

    /// A UTF-8 string with a 16-bit length prefix (spec section 1.5.3).
    mutating func appendString(_ string: String, field: String) throws(MQTTEncodingError) {
        guard !string.unicodeScalars.contains("\u{0}") else { throw .nullCharacter(field: field) }
        try appendBinary(Array(string.utf8), field: field)
    }

    /// Binary data with a 16-bit length prefix (used for the password).
    mutating func appendBinary(_ data: [UInt8], field: String) throws(MQTTEncodingError) {
        guard data.count <= Int(UInt16.max) else { throw .stringTooLong(field: field, bytes: data.count) }
        appendUInt16(UInt16(data.count))
        bytes.append(contentsOf: data)
    }
}
