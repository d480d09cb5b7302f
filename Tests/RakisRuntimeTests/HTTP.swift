import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A few HTTP calls for the tests that talk to a node: its API and its metrics.
enum HTTP {
    struct Reply {
        let status: Int
        let data: Data
        func object() throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        }
    }

    static func get(_ url: String, timeout: TimeInterval = 180) async throws -> Reply {
        try await send("GET", url, body: nil, timeout: timeout)
    }

    static func post(_ url: String, _ body: [String: Any]) async throws -> Reply {
        try await send("POST", url, body: try JSONSerialization.data(withJSONObject: body))
    }

    static func send(_ method: String, _ url: String, body: Data?, timeout: TimeInterval = 180) async throws -> Reply {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = timeout
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let (data, response) = try await URLSession.shared.data(for: request)
        return Reply(status: (response as? HTTPURLResponse)?.statusCode ?? 0, data: data)
    }
}
