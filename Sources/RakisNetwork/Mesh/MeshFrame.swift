import NIOCore

/// What a mesh frame carries. The type byte follows the length prefix.
enum MeshFrameKind: UInt8, Sendable {
    /// The first frame each side sends: who it is, signed (see `MeshHello`).
    case hello = 1
    /// Known (node id, address) pairs for peer exchange (see `MeshPeerList`).
    case peers = 2
    /// One packet for the runtime: opaque bytes.
    case packet = 3
}

/// One frame on a mesh connection: a 4-byte big-endian length, then a type byte, then the
/// payload. The length counts the type byte and the payload.
struct MeshFrame {
    let kind: MeshFrameKind
    var payload: ByteBuffer

    static let lengthBytes = 4
    /// Length prefix plus type byte: the framing overhead on every frame.
    static let overheadBytes = 5

    /// Bytes the frame took on the wire, framing included.
    var wireBytes: Int { Self.overheadBytes + payload.readableBytes }

    /// Encodes a frame ready to write to a channel.
    static func encode(_ kind: MeshFrameKind, payload: some Collection<UInt8>, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: overheadBytes + payload.count)
        buffer.writeInteger(UInt32(1 + payload.count))
        buffer.writeInteger(kind.rawValue)
        buffer.writeBytes(payload)
        return buffer
    }

    /// Takes one frame off the front of `buffer`; nil (consuming nothing) while the frame is
    /// still incomplete. The length is checked as soon as its 4 bytes are in, so an oversized
    /// frame is refused before any of its payload is buffered.
    static func parse(_ buffer: inout ByteBuffer, maxFrameBytes: Int) throws(MeshFrameError) -> MeshFrame? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        guard length <= maxFrameBytes else { throw .oversized(length: Int(length), limit: maxFrameBytes) }
        guard length >= 1 else { throw .empty }
        guard buffer.readableBytes >= lengthBytes + Int(length) else { return nil }
        let type = buffer.getInteger(at: buffer.readerIndex + lengthBytes, as: UInt8.self)!
        guard let kind = MeshFrameKind(rawValue: type) else { throw .unknownType(type) }
        buffer.moveReaderIndex(forwardBy: overheadBytes)
        return MeshFrame(kind: kind, payload: buffer.readSlice(length: Int(length) - 1)!)
    }
}

/// Why bytes from a peer are not a frame. Any of these closes the connection.
enum MeshFrameError: Error, Equatable, CustomStringConvertible {
    case oversized(length: Int, limit: Int)
    case empty
    case unknownType(UInt8)

    var description: String {
        switch self {
        case .oversized(let length, let limit): "frame length \(length) exceeds the limit of \(limit) bytes"
        case .empty: "frame length 0 (a frame has at least its type byte)"
        case .unknownType(let type): "unknown frame type \(type)"
        }
    }
}

/// The pipeline's framing stage: turns the byte stream into `MeshFrame`s, or fails the channel
/// with a `MeshFrameError`.
struct MeshFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = MeshFrame
    let maxFrameBytes: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try MeshFrame.parse(&buffer, maxFrameBytes: maxFrameBytes) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // Whole frames that arrived before the close are still handled; a partial one is dropped.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
