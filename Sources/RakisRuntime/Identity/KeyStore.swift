import Foundation
import RakisCore

/// Reads and writes node key files. The file is created with mode 0600 and never overwritten
/// by accident, and every failure says which file and why.
public enum KeyStore {
    public enum Error: Swift.Error, CustomStringConvertible {
        case exists(String)
        case unreadable(String, String)
        case unwritable(String, String)
        case invalid(String, KeyFile.Error)
        case tooOpen(String, Int)

        public var description: String {
            switch self {
            case let .exists(path): "\(path): a key file already exists (use --force to replace it)"
            case let .unreadable(path, reason): "\(path): cannot read key file: \(reason)"
            case let .unwritable(path, reason): "\(path): cannot write key file: \(reason)"
            case let .invalid(path, error): "\(path): \(error)"
            case let .tooOpen(path, mode): "\(path): key file is readable by others (mode \(String(mode, radix: 8))); run chmod 600 on it"
            }
        }
    }

    public static func write(_ identity: NodeIdentity, to path: String, passphrase: String?, overwrite: Bool = false) throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: path), !overwrite { throw Error.exists(path) }
        let bytes = try KeyFile.encode(identity, passphrase: passphrase)
        let directory = (path as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty { try manager.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            // Create with 0600 from the start, so the secret is never readable by others.
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            guard descriptor >= 0 else { throw Error.unwritable(path, String(cString: strerror(errno))) }
            defer { close(descriptor) }
            guard fchmod(descriptor, 0o600) == 0,
                  bytes.withUnsafeBytes({ Foundation.write(descriptor, $0.baseAddress, $0.count) }) == bytes.count
            else { throw Error.unwritable(path, String(cString: strerror(errno))) }
        } catch let error as Error {
            throw error
        } catch {
            throw Error.unwritable(path, error.localizedDescription)
        }
    }

    public static func read(from path: String, passphrase: String?) throws -> NodeIdentity {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let data = FileManager.default.contents(atPath: path)
        else { throw Error.unreadable(path, "no such file, or no permission") }
        if let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
            throw Error.tooOpen(path, mode)
        }
        do {
            return try KeyFile.decode(Array(data), passphrase: passphrase)
        } catch let error as KeyFile.Error {
            throw Error.invalid(path, error)
        }
    }
}
