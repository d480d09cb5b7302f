import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process for tests: a `rakis node`, a broker. Its output is appended to a log file.
///
/// Foundation's `Process` is not used because the child inherits the signal mask of the thread
/// that spawns it, and the threads Swift concurrency runs on block nearly every signal: a broker
/// started that way never sees its SIGTERM. Here the child starts with an empty mask and default
/// handlers, as it would from a shell.
public final class ChildProcess: @unchecked Sendable {
    public let executable: String
    public let arguments: [String]
    public let logPath: String
    public private(set) var pid: pid_t = 0
    private let lock = NSLock()
    private var exitStatus: Int32?

    public init(executable: String, arguments: [String], logPath: String) throws {
        self.executable = executable
        self.arguments = arguments
        self.logPath = logPath
        try launch()
    }

    /// Starts a server and waits until it accepts connections on the loopback `port`; if it
    /// does not within `timeout`, kills it and throws, pointing at its log.
    public static func server(_ name: String, executable: String, arguments: [String], logPath: String,
                              port: Int, timeout: Duration) async throws -> ChildProcess {
        let process = try ChildProcess(executable: executable, arguments: arguments, logPath: logPath)
        guard await eventually(timeout: timeout, { acceptsConnections(port: port) }) else {
            await process.kill()
            throw ChildProcessError("\(name) did not listen on port \(port); log in \(logPath)")
        }
        return process
    }

    /// Starts the same command again, appending to the same log.
    public func relaunch() throws {
        precondition(!isRunning, "relaunch of a running process")
        try launch()
    }

    private func launch() throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGTERM, SIGPIPE, SIGUSR1, SIGUSR2, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw ChildProcessError("could not start \(executable): \(String(cString: strerror(result)))")
        }
        lock.withLock {
            pid = child
            exitStatus = nil
        }
    }

    /// The exit code, or 128 + signal number for a process a signal ended; nil while it runs.
    public var terminationStatus: Int32? {
        lock.withLock {
            if exitStatus == nil {
                var status: Int32 = 0
                let reaped = waitpid(pid, &status, WNOHANG)
                if reaped == pid {
                    let signal = status & 0x7f
                    exitStatus = signal == 0 ? (status >> 8) & 0xff : 128 + signal
                } else if reaped == -1 && errno == ECHILD {
                    exitStatus = -1  // someone else reaped it: gone, status unknown
                }
            }
            return exitStatus
        }
    }

    public var isRunning: Bool { terminationStatus == nil }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    public func signal(_ signal: Int32) {
        if isRunning { _ = Glibc.kill(pid, signal) }
    }

    /// Waits for the process to end; nil if it is still running after `timeout`.
    @discardableResult
    public func waitForExit(timeout: Duration) async -> Int32? {
        _ = await eventually(timeout: timeout) { !self.isRunning }
        return terminationStatus
    }

    /// SIGTERM, then the exit status; SIGKILL if it has not exited after `grace`.
    @discardableResult
    public func terminate(grace: Duration = .seconds(30)) async -> Int32 {
        signal(SIGTERM)
        if let status = await waitForExit(timeout: grace) { return status }
        return await kill()
    }

    /// kill -9: no chance to flush or say goodbye.
    @discardableResult
    public func kill() async -> Int32 {
        signal(SIGKILL)
        return await waitForExit(timeout: .seconds(30)) ?? -1
    }

    /// For deinit paths that cannot await.
    public func killNow() {
        signal(SIGCONT)
        signal(SIGKILL)
        var status: Int32 = 0
        if isRunning { waitpid(pid, &status, 0) }
    }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
