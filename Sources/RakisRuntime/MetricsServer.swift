import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves `GET /metrics` in Prometheus' text format on a local address. The API server (HTTP,
/// issue 6) will take this route over; until then this is the node's only HTTP surface.
public final class MetricsServer: Sendable {
    private let channel: any Channel
    /// The bound address, useful when started on port 0.
    public let port: Int

    public init(host: String, port: Int, render: @escaping @Sendable () async -> String,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws {
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(MetricsHandler(render: render))
                }
            }
            .bind(host: host, port: port).get()
        self.port = channel.localAddress?.port ?? port
    }

    public func stop() async {
        try? await channel.close()
    }
}

private final class MetricsHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let render: @Sendable () async -> String

    init(render: @escaping @Sendable () async -> String) {
        self.render = render
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case let .head(request) = unwrapInboundIn(data) else { return }
        let found = request.method == .GET && request.uri.split(separator: "?").first == "/metrics"
        let keepAlive = request.isKeepAlive
        let loop = context.eventLoop
        let bound = NIOLoopBound(context, eventLoop: loop)
        let render = render
        Task {
            let body = found ? await render() : "not found: try GET /metrics\n"
            loop.execute {
                let context = bound.value
                var headers = HTTPHeaders([("Content-Type", found ? "text/plain; version=0.0.4" : "text/plain")])
                headers.add(name: "Content-Length", value: String(body.utf8.count))
                let head = HTTPResponseHead(version: request.version, status: found ? .ok : .notFound, headers: headers)
                context.write(self.wrapOutboundOut(.head(head)), promise: nil)
                context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
                    if !keepAlive { context.close(promise: nil) }
                }
            }
        }
    }
}
