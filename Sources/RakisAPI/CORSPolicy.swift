import Hummingbird

/// Which browser origins may call the API (`APIAccess.corsOrigins`): Hummingbird's CORS
/// middleware, applied to requests from a listed origin only. A request from any other origin
/// gets no CORS headers, so the browser keeps its answer from the page; its preflight goes on to
/// the routes like any request, and is refused there.
struct CORSPolicy<Context: RequestContext>: RouterMiddleware {
    let origins: Set<String>
    private let cors: CORSMiddleware<Context>

    init(origins: [String]) {
        self.origins = Set(origins)
        cors = CORSMiddleware(
            allowOrigin: origins.contains("*") ? .all : .originBased,
            allowHeaders: [.accept, .authorization, .contentType, .origin],
            allowMethods: [.get, .post, .head, .options],
            exposedHeaders: ["Retry-After", "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests"],
            maxAge: .seconds(600)
        )
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], origins.contains("*") || origins.contains(origin) else {
            return try await next(request, context)
        }
        return try await cors.handle(request, context: context, next: next)
    }
}
