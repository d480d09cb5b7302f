import Hummingbird
import Logging

/// Serves only `GET /metrics` (`MetricsRoute`), on an address of its own: metrics can then be
/// scraped from where the API is not offered.
public final class MetricsServer: Sendable {
    /// The bound port, useful when started on port 0.
    public let port: Int
    private let serving: Task<Void, Never>

    /// Returns once the server listens; throws if it cannot.
    public init(host: String, port: Int, logger: Logger, render: @escaping @Sendable () async -> String) async throws {
        let router = Router()
        MetricsRoute(render: render).add(to: router)
        let (listening, listen) = AsyncStream.makeStream(of: Result<Int, any Error>.self)
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "rakis"),
            onServerRunning: { channel in listen.yield(.success(channel.localAddress?.port ?? port)) },
            logger: logger
        )
        serving = Task {
            do {
                try await serveUntilCancelled(application, logger: logger)
            } catch {
                // Only heard while starting: a server that fails later just stops answering.
                listen.yield(.failure(error))
            }
            listen.finish()
        }
        // The application only ends without running when its task is cancelled.
        guard let bound = await listening.first(where: { _ in true }) else { throw CancellationError() }
        self.port = try bound.get()
    }

    public func stop() async {
        serving.cancel()
        await serving.value
    }
}
