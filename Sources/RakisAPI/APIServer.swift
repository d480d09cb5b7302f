import Hummingbird
import Logging
import RakisCore
import RakisRuntime

/// The node's HTTP server: the native API under /api, the OpenAI-compatible one under /v1,
/// live events, Prometheus metrics and the dashboard. It runs until its task is cancelled.
public struct APIServer: Sendable {
    public let runtime: NodeRuntime
    public let host: String
    public let port: Int
    /// Who may call it: keys, anonymous access, browser origins.
    public let access: APIAccess
    public let logger: Logger

    public init(runtime: NodeRuntime, host: String, port: Int, access: APIAccess, logger: Logger) {
        self.runtime = runtime
        self.host = host
        self.port = port
        self.access = access
        self.logger = logger
    }

    /// Serves until cancelled; `onListening` gets the bound port (useful with port 0).
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        var access = access
        access.record = { [metrics = runtime.metrics] outcome in metrics.apiCall(outcome.rawValue) }
        let router = Self.router(serving: runtime, access: access)
        MetricsRoute { [runtime] in runtime.metrics.text(transports: runtime.transports) }.add(to: router)
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "rakis"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        try await serveUntilCancelled(application, logger: logger)
    }

    /// Both APIs, live events and the dashboard, over any node (the tests use a stand-in), behind
    /// the access rules: CORS first (a browser's preflight carries no key), then keys and limits.
    static func router(serving node: any NodeService, access: APIAccess, budgets: RequestBudgets = RequestBudgets(),
                       now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) -> Router<BasicRequestContext> {
        let router = Router()
        if !access.corsOrigins.isEmpty { router.add(middleware: CORSPolicy(origins: access.corsOrigins)) }
        router.add(middleware: APIAccessMiddleware(access: access, budgets: budgets, now: now))
        NativeRoutes(node: node).add(to: router)
        OpenAIRoutes(node: node).add(to: router)
        ChatRoutes(node: node).add(to: router)
        DashboardRoutes().add(to: router)
        return router
    }
}

/// Reading request bodies, shared by both APIs.
enum JSONBody {
    /// Bodies larger than this are refused before parsing (the protocol's own text limit is 256 KiB).
    static let maxBytes = 1 << 20

    static func json(_ request: Request) async throws -> JSONObjectReader {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maxBytes)
        } catch {
            throw APIError(status: .contentTooLarge, message: "the request body exceeds \(maxBytes) bytes",
                           type: "invalid_request_error", param: nil)
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(Array(buffer.readableBytesView))
        } catch {
            throw APIError.badRequest("the request body is not valid JSON: \(error)")
        }
        do {
            return try JSONObjectReader(value, path: "")
        } catch let error as JSONShapeError {
            throw APIError.badRequest("the request body must be a JSON object: \(error.message)")
        }
    }
}
