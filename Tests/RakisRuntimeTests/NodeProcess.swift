import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One `rakis` process on loopback: a node daemon or a `rakis submit`, with its log in a file.
final class NodeProcess: @unchecked Sendable {
    let name: String
    let arguments: [String]
    let logPath: String
    private(set) var process: Process

    init(name: String, arguments: [String], directory: String) throws {
        self.name = name
        self.arguments = arguments
        logPath = "\(directory)/\(name).log"
        process = Process()
        try launch()
    }

    private func launch() throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    /// Starts the same command again (same data directory, same identity).
    func restart() throws {
        try launch()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGTERM, then waits for a clean exit.
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// kill -9: no chance to flush or say goodbye.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func waitForExit(timeout: TimeInterval) -> Bool {
        poll(timeout: timeout) { !self.process.isRunning }
    }

    /// The built `rakis` binary: $RAKIS_BIN, else the release build next to these sources.
    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["RAKIS_BIN"] { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/release/rakis").path
    }()
}

/// Polls `condition` every 50 ms until it holds or `timeout` passes (never a timing assertion:
/// the timeout only bounds a test that would otherwise hang).
@discardableResult
func poll(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return condition()
}

/// A TCP port that was free a moment ago.
func freePort() -> Int {
    let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// GET http://127.0.0.1:port/metrics, parsed into "name{labels}" -> value; nil if unreachable.
func scrapeMetrics(port: Int) -> [String: Double]? {
    let semaphore = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var text: String?
    let task = URLSession.shared.dataTask(with: URL(string: "http://127.0.0.1:\(port)/metrics")!) { data, _, _ in
        text = data.map { String(decoding: $0, as: UTF8.self) }
        semaphore.signal()
    }
    task.resume()
    guard semaphore.wait(timeout: .now() + 5) == .success, let text else { return nil }
    var values: [String: Double] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
        values[String(line[..<space])] = value
    }
    return values
}
