import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A few HTTP calls for the tests that talk to a node: its API and its metrics.
enum HTTP {
    struct Reply {
        let status: Int
        let data: Data
        var headers: [AnyHashable: Any] = [:]
        /// A response header, by name in any case.
        func header(_ name: String) -> String? {
            headers.first { ($0.key as? String)?.lowercased() == name.lowercased() }?.value as? String
        }

        func object() throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        }
    }

    static func get(_ url: String, timeout: TimeInterval = 180, headers: [String: String] = [:]) async throws -> Reply {
        try await send("GET", url, body: nil, timeout: timeout, headers: headers)
    }

    static func post(_ url: String, _ body: [String: Any]) async throws -> Reply {
        try await send("POST", url, body: try JSONSerialization.data(withJSONObject: body))
    }

    static func send(_ method: String, _ url: String, body: Data?, timeout: TimeInterval = 180, headers: [String: String] = [:],
                     session: URLSession = .shared) async throws -> Reply {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = timeout
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        let http = response as? HTTPURLResponse
        return Reply(status: http?.statusCode ?? 0, data: data, headers: http?.allHeaderFields ?? [:])
    }
}
