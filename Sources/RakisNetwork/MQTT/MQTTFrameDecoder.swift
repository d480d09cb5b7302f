import NIOCore

/// What the frame decoder passes up the pipeline.
enum MQTTInboundFrame: Sendable {
    case packet(MQTTPacket)
    /// A PUBLISH over the size limit, discarded as it streamed in. Its packet id (QoS 1) is kept
    /// so it can still be acknowledged: with a persistent session an unacknowledged message would
    /// be redelivered after every reconnect, forever.
    case oversizedPublish(size: Int, packetID: UInt16?)
}

/// Splits the byte stream from the broker into MQTT packets.
///
/// The size limit is applied as soon as a fixed header has arrived, so an oversized packet is
/// never buffered: a PUBLISH is skipped in place (the connection stays usable), anything else
/// oversized is a protocol error. Malformed input throws an `MQTTDecodingError`, after which
/// the handler closes the connection (spec section 4.8).
struct MQTTFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = MQTTInboundFrame

    let maxPacketBytes: Int
    /// Bytes of an oversized PUBLISH still to discard.
    private var bytesToSkip = 0

    init(maxPacketBytes: Int) {
        self.maxPacketBytes = maxPacketBytes
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if bytesToSkip > 0 {
            let skipped = min(bytesToSkip, buffer.readableBytes)
            buffer.moveReaderIndex(forwardBy: skipped)
            bytesToSkip -= skipped
            return bytesToSkip == 0 ? .continue : .needMoreData
        }
        let view = buffer.readableBytesView
        guard let header = try MQTTFixedHeader.parse(view) else { return .needMoreData }
        if header.packetByteCount > maxPacketBytes {
            guard header.type == .publish else {
                throw MQTTDecodingError.packetTooLarge(size: header.packetByteCount, limit: maxPacketBytes)
            }
            guard let packetID = try Self.oversizedPublishID(header, view) else { return .needMoreData }
            let consumed = min(header.packetByteCount, buffer.readableBytes)
            buffer.moveReaderIndex(forwardBy: consumed)
            bytesToSkip = header.packetByteCount - consumed
            context.fireChannelRead(
                Self.wrapInboundOut(.oversizedPublish(size: header.packetByteCount, packetID: packetID))
            )
            return .continue
        }
        guard buffer.readableBytes >= header.packetByteCount else { return .needMoreData }
        let body = buffer.getBytes(at: buffer.readerIndex + header.byteCount, length: header.remainingLength) ?? []
        buffer.moveReaderIndex(forwardBy: header.packetByteCount)
        let packet = try MQTTPacket.decode(header: header, body: body[...])
        context.fireChannelRead(Self.wrapInboundOut(.packet(packet)))
        return .continue
    }

    mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        // A packet cut off by the connection closing is simply lost; its sender resends QoS 1.
        while try decode(context: context, buffer: &buffer) == .continue, buffer.readableBytes > 0 {}
        return .needMoreData
    }

    /// The packet id of an oversized PUBLISH, read from the topic length, topic and id that
    /// follow its fixed header (at most 65,539 bytes, whatever the packet's size). The outer
    /// optional is nil while those bytes have not all arrived; the inner one is nil for QoS 0.
    private static func oversizedPublishID(
        _ header: MQTTFixedHeader, _ bytes: ByteBufferView
    ) throws(MQTTDecodingError) -> UInt16?? {
        let qos = (header.flags >> 1) & 0b11
        guard qos != 0 else { return .some(nil) }
        guard qos == 1 else { throw .unsupportedQoS2Publish }
        let topicLengthAt = bytes.startIndex + header.byteCount
        guard bytes.count >= header.byteCount + 2 else { return nil }
        let topicLength = Int(bytes[topicLengthAt]) << 8 | Int(bytes[topicLengthAt + 1])
        let idAt = topicLengthAt + 2 + topicLength
        guard idAt + 2 <= topicLengthAt + header.remainingLength else {
            throw .truncated(.publish, field: "packet identifier")
        }
        guard idAt + 2 <= bytes.endIndex else { return nil }
        let id = UInt16(bytes[idAt]) << 8 | UInt16(bytes[idAt + 1])
        guard id != 0 else { throw .zeroPacketID(.publish) }
        return .some(id)
    }
}
