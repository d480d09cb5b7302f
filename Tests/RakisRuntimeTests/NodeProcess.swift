import Foundation
import RakisTestSupport

/// One `rakis` process on loopback: a node daemon or a `rakis submit`, with its log in a file.
final class NodeProcess: Sendable {
    let name: String
    let process: ChildProcess

    init(name: String, arguments: [String], directory: String) throws {
        self.name = name
        process = try ChildProcess(executable: Self.binary, arguments: arguments, logPath: "\(directory)/\(name).log")
    }

    var log: String { process.log }
    var isRunning: Bool { process.isRunning }

    /// Starts the same command again (same data directory, same identity).
    func restart() throws { try process.relaunch() }

    /// SIGTERM, then the exit status once the node has shut down.
    func stop() async -> Int32 { await process.terminate() }

    /// kill -9: no chance to flush or say goodbye.
    func kill() async { await process.kill() }

    /// The built `rakis` binary: $RAKIS_BIN, else the release build next to these sources.
    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["RAKIS_BIN"] { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/release/rakis").path
    }()
}

/// GET http://127.0.0.1:port/metrics, parsed into "name{labels}" -> value; nil if unreachable.
func scrapeMetrics(port: Int) async -> [String: Double]? {
    guard let reply = try? await HTTP.get("http://127.0.0.1:\(port)/metrics", timeout: 5) else { return nil }
    var values: [String: Double] = [:]
    for line in String(decoding: reply.data, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
        values[String(line[..<space])] = value
    }
    return values
}
