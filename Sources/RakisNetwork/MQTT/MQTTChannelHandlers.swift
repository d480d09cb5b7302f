import NIOCore

/// Counts every byte read from the broker, MQTT headers included, before framing.
final class MQTTByteCounter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let transport: MQTTTransport

    init(transport: MQTTTransport) {
        self.transport = transport
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        transport.countReceived(bytes: unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }
}

/// Hands a connection's life events and decoded packets to its transport, which keeps all the
/// state; this handler only exists to sit in the pipeline.
final class MQTTConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = MQTTInboundFrame

    private let transport: MQTTTransport

    init(transport: MQTTTransport) {
        self.transport = transport
    }

    func channelActive(context: ChannelHandlerContext) {
        transport.connectionActive(context.channel)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        transport.connectionInactive(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        transport.received(unwrapInboundIn(data), on: context.channel)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        transport.connectionFailed(context.channel, error: error)
        context.close(promise: nil)
    }
}
