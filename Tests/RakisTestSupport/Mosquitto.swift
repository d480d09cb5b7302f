import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private mosquitto on a free loopback port, for tests that stop, freeze or restart their
/// broker. Its config, log and (optional) persistence file live in a temporary directory.
public final class Mosquitto: @unchecked Sendable {
    public static let path = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    public static var isInstalled: Bool { path != nil }

    public let port: Int
    public let directory: URL
    private var process: ChildProcess?

    public var address: String { "127.0.0.1:\(port)" }

    public init(persistence: Bool = false) throws {
        port = try freeLoopbackPort()
        directory = FileManager.default.temporaryDirectory.appending(path: "rakis-mqtt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var config = """
            listener \(port) 127.0.0.1
            allow_anonymous true
            # Running as root, mosquitto would otherwise switch to a user that cannot write here.
            user root
            log_dest stderr

            """
        if persistence { config += "persistence true\npersistence_location \(directory.path)/\n" }
        try config.write(to: configURL, atomically: true, encoding: .utf8)
    }

    private var configURL: URL { directory.appending(path: "mosquitto.conf") }
    private var logPath: String { directory.appending(path: "mosquitto.log").path }

    public func start() async throws {
        guard let path = Self.path else { throw ChildProcessError("mosquitto is not installed") }
        process = try await ChildProcess.server("mosquitto", executable: path, arguments: ["-c", configURL.path], logPath: logPath,
                                                port: port, timeout: .seconds(20))
    }

    /// SIGTERM, as a service manager would: mosquitto closes its connections (and saves its
    /// persistence file) before exiting.
    public func stop() async {
        guard let process else { return }
        self.process = nil
        process.signal(SIGCONT)
        await process.terminate()
    }

    /// Freezes the broker: connections stay open but nothing is answered.
    public func pause() { process?.signal(SIGSTOP) }
    public func resume() { process?.signal(SIGCONT) }

    deinit {
        process?.killNow()
        try? FileManager.default.removeItem(at: directory)
    }
}
