import Logging
import NIOCore
import RakisCore

/// One TCP connection to another node: the last handler in its pipeline, after the framing
/// decoder. It runs the connection's own rules (HELLO first, rate limits, outbound queue
/// bounds) and hands everything that concerns the mesh as a whole to `MeshCore`.
///
/// Lives on the mesh's event loop, like everything it touches.
final class MeshConnection: ChannelInboundHandler {
    typealias InboundIn = MeshFrame
    typealias OutboundOut = ByteBuffer

    enum Direction: Equatable {
        case inbound
        /// Dialed by this node, to the address it dialed.
        case outbound(MeshAddress)
    }

    let id: Int
    let direction: Direction
    /// Strong: a connection that outlives a transport dropped without `stop()` must still find
    /// its core (the cycle ends when the connection closes).
    private let core: MeshCore
    /// The peer's HELLO, once the handshake has completed.
    private(set) var peer: MeshHello?
    private(set) var remoteAddress = "?"
    private var context: ChannelHandlerContext?
    private var closing = false
    private var handshakeTimer: Scheduled<Void>?

    private var frameBucket: TokenBucket
    private var byteBucket: TokenBucket
    /// Frames handed to the channel and not yet written to the socket, and their bytes.
    private var queuedFrames = 0
    private var queuedBytes = 0

    init(id: Int, direction: Direction, core: MeshCore) {
        self.id = id
        self.direction = direction
        self.core = core
        let limit = core.configuration.rateLimit
        let now = NIODeadline.now()
        frameBucket = TokenBucket(rate: limit.framesPerSecond, burst: limit.frameBurst, now: now)
        byteBucket = TokenBucket(rate: limit.bytesPerSecond, burst: limit.byteBurst, now: now)
    }

    var isOutbound: Bool { direction != .inbound }
    /// The handle the runtime sees in `PacketSource.peer`: the peer's node id, stable across
    /// reconnects, so a report reaches the node whatever connection it uses next.
    var peerHandle: String? { peer?.nodeId.hex }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        handshakeTimer?.cancel()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        remoteAddress = context.remoteAddress.map { "\($0)" } ?? "?"
        guard core.connectionOpened(self) else { return }
        _ = write(MeshFrame.encode(.hello, payload: core.makeHello().encoded(), allocator: context.channel.allocator))
        let timeout = TimeAmount(core.configuration.handshakeTimeout)
        handshakeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            if peer == nil { close(because: "no handshake within \(core.configuration.handshakeTimeout)") }
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshakeTimer?.cancel()
        core.connectionClosed(self)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        let frame = unwrapInboundIn(data)
        core.counters.update { $0.bytesReceived += frame.wireBytes }
        guard peer != nil else {
            receiveBeforeHandshake(frame)
            return
        }
        guard admit(frame) else {
            core.frameOverRate(on: self)
            return
        }
        switch frame.kind {
        case .hello:
            core.protocolViolation(on: self, "a second HELLO")
        case .peers:
            do { core.received(try MeshPeerList.decode(frame.payload), on: self) }
            catch { core.protocolViolation(on: self, "\(error)") }
        case .packet:
            core.received(packet: Array(frame.payload.readableBytesView), on: self)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let error = error as? MeshFrameError {
            core.protocolViolation(on: self, "\(error)")
        } else {
            close(because: "\(error)")
        }
    }

    /// Only a HELLO may come first; anything else ends the connection.
    private func receiveBeforeHandshake(_ frame: MeshFrame) {
        guard frame.kind == .hello else {
            core.protocolViolation(on: self, "\(frame.kind) frame before the handshake")
            return
        }
        do {
            core.handshake(on: self, hello: try MeshHello(decoding: frame.payload))
        } catch {
            core.protocolViolation(on: self, "\(error)")
        }
    }

    /// The handshake succeeded: from now on the connection carries PEERS and PACKET frames.
    func completeHandshake(_ hello: MeshHello) {
        peer = hello
        handshakeTimer?.cancel()
    }

    /// Both token buckets must cover the frame; a refused frame takes no tokens from either.
    private func admit(_ frame: MeshFrame) -> Bool {
        let now = NIODeadline.now()
        var frames = frameBucket
        guard frames.take(1, now: now), byteBucket.take(Double(frame.wireBytes), now: now) else { return false }
        frameBucket = frames
        return true
    }

    /// Queues an encoded frame for writing, unless the outbound queue is full (false: dropped).
    /// The queue is the frames the socket has not yet taken: a peer that reads slowly fills it,
    /// and then loses frames instead of holding up the node or growing its memory.
    func write(_ frame: ByteBuffer) -> Bool {
        let size = frame.readableBytes
        let limit = core.configuration.outboundQueue
        guard let context, !closing, queuedFrames < limit.maxFrames, queuedBytes + size <= limit.maxBytes else { return false }
        queuedFrames += 1
        queuedBytes += size
        let promise = context.eventLoop.makePromise(of: Void.self)
        promise.futureResult.assumeIsolated().whenComplete { [self] _ in
            queuedFrames -= 1
            queuedBytes -= size
        }
        context.writeAndFlush(wrapOutboundOut(frame), promise: promise)
        core.counters.update { $0.bytesSent += size }
        return true
    }

    /// Closes the connection, logging why; reads that were already buffered are ignored.
    @discardableResult
    func close(because reason: String) -> EventLoopFuture<Void> {
        guard let context else { return core.loop.makeSucceededVoidFuture() }
        if !closing {
            closing = true
            core.logger.debug("closing connection", metadata: description(reason))
        }
        return context.close().recover { _ in }
    }

    func description(_ reason: String) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["remote": "\(remoteAddress)", "reason": "\(reason)"]
        if let peer { metadata["peer"] = "\(peer.nodeId.short)" }
        return metadata
    }
}
