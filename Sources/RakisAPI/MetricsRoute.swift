import Hummingbird

/// `GET /metrics`: the node's metrics in Prometheus' text format. The one definition of the
/// route, served by the API server and by `MetricsServer` alike.
struct MetricsRoute {
    let render: @Sendable () async -> String

    func add(to router: Router<BasicRequestContext>) {
        router.get("/metrics") { [render] _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: await render())))
        }
    }
}
