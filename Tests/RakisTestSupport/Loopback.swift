#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP port that was free a moment ago, below the kernel's ephemeral range
/// (32768 and up on Linux): a test that stops a server and starts it again on the same port
/// must not find it taken by some outgoing connection's local end in the meantime.
public func freeLoopbackPort() throws -> Int {
    for _ in 0..<1000 {
        let port = Int.random(in: 20_000..<32_000)
        if canBind(port: port) { return port }
    }
    throw ChildProcessError("could not find a free loopback port in 20000..<32000")
}

private func canBind(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    return atLoopback(port: port) { bind(fd, $0, $1) } == 0
}

/// Whether something accepts TCP connections on the loopback port.
public func acceptsConnections(port: Int) -> Bool {
    (try? RawConnection(port: port)) != nil
}

/// Calls a socket function (`bind`, `connect`) with 127.0.0.1:`port` as its address.
private func atLoopback(port: Int, _ call: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { call($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
}

/// A bare TCP connection to a loopback port, to play a peer that sends whatever bytes it likes.
public final class RawConnection: @unchecked Sendable {
    private let fd: Int32

    public init(port: Int) throws {
        // The descriptor is stored only once connected: an initializer that throws after every
        // property is set still runs deinit, which would close it a second time, and by then the
        // number may belong to another thread's new socket (NIO traps on the EBADF that follows).
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ChildProcessError("socket() failed") }
        guard atLoopback(port: port, { connect(fd, $0, $1) }) == 0 else {
            close(fd)
            throw ChildProcessError("cannot connect to 127.0.0.1:\(port)")
        }
        self.fd = fd
    }

    /// Writes the bytes; false once the other side has closed the connection.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// Whether the other side has closed the connection. Whatever it sent is read and dropped.
    public var isClosed: Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 { continue }
            if count == 0 { return true }
            return errno != EAGAIN && errno != EWOULDBLOCK
        }
    }

    deinit { close(fd) }
}
