import Foundation

/// A private nostr-relay (PyPI) on a free loopback port, for tests that stop and restart their
/// relay. The test command installs the relay and names its program in
/// RAKIS_TEST_NOSTR_RELAY_BIN; the config is the repository's, with another port. The relay's
/// SQLite file sits in a temporary directory and survives restarts.
public final class PrivateNostrRelay: @unchecked Sendable {
    public static let program = ProcessInfo.processInfo.environment["RAKIS_TEST_NOSTR_RELAY_BIN"]
        .flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }
    public static var isAvailable: Bool { program != nil }

    public let port: Int
    public let directory: URL
    private var process: ChildProcess?

    public var url: String { "ws://127.0.0.1:\(port)" }

    public init() throws {
        port = try freeLoopbackPort()
        directory = FileManager.default.temporaryDirectory.appending(path: "rakis-nostr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let template = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending(path: "scripts/services/nostr-relay.yaml")
        let config = try String(contentsOf: template, encoding: .utf8)
            .replacingOccurrences(of: "sqlite+aiosqlite:///nostr-relay.sqlite3",
                                  with: "sqlite+aiosqlite:///\(directory.path)/nostr-relay.sqlite3")
            .replacingOccurrences(of: "bind: 127.0.0.1:7447", with: "bind: 127.0.0.1:\(port)")
        try config.write(to: directory.appending(path: "config.yaml"), atomically: true, encoding: .utf8)
    }

    public func start() async throws {
        guard let program = Self.program else { throw ChildProcessError("RAKIS_TEST_NOSTR_RELAY_BIN is not set") }
        let logPath = directory.appending(path: "relay.log").path
        process = try await ChildProcess.server("nostr-relay", executable: program,
                                                arguments: ["-c", directory.appending(path: "config.yaml").path, "serve"],
                                                logPath: logPath, port: port, timeout: .seconds(60))
    }

    /// SIGTERM; the relay closes its connections and exits.
    public func stop() async {
        guard let process else { return }
        self.process = nil
        await process.terminate()
    }

    deinit {
        process?.killNow()
        try? FileManager.default.removeItem(at: directory)
    }
}
