import Crypto
import Foundation

/// SHA-256 of files, read in chunks so that a model never sits in memory whole.
enum FileChecksum {
    static let chunkSize = 1 << 20

    /// The file's SHA-256 as lowercase hex; `progress` gets the bytes hashed so far after each chunk.
    static func sha256(of url: URL, progress: (_ completedBytes: Int64) -> Void) throws -> String {
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            var hasher = SHA256()
            var completed: Int64 = 0
            while let chunk = try handle.read(upToCount: chunkSize), !chunk.isEmpty {
                hasher.update(data: chunk)
                completed += Int64(chunk.count)
                progress(completed)
            }
            return hasher.finalize().lowercaseHex
        } catch {
            throw ModelSupplyError.fileSystem(path: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
    }
}

extension SHA256.Digest {
    var lowercaseHex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(SHA256.byteCount * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
