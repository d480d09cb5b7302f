import Hummingbird

/// The dashboard and its transport chat page: static files compiled into the binary, served as
/// they are.
struct DashboardRoutes {
    private static let files: [String: (bytes: [UInt8], type: String)] = [
        "index.html": (PackageResources.index_html, "text/html; charset=utf-8"),
        "dashboard.css": (PackageResources.dashboard_css, "text/css; charset=utf-8"),
        "dashboard.js": (PackageResources.dashboard_js, "text/javascript; charset=utf-8"),
        "common.js": (PackageResources.common_js, "text/javascript; charset=utf-8"),
        "chat.html": (PackageResources.chat_html, "text/html; charset=utf-8"),
        "chat.js": (PackageResources.chat_js, "text/javascript; charset=utf-8"),
    ]

    func add(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in Self.file("index.html") }
        router.get("chat") { _, _ in Self.file("chat.html") }
        router.get("dashboard/:file") { _, context in
            let name = try context.parameters.require("file")
            guard Self.files[name] != nil else { throw APIError.notFound("no dashboard file \(name.debugDescription)") }
            return Self.file(name)
        }
    }

    private static func file(_ name: String) -> Response {
        let file = files[name]!
        return Response(status: .ok, headers: [.contentType: file.type, .cacheControl: "no-cache"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }
}
