import Foundation

/// Brings a package's wheel into a directory. The store checks the wheel's checksum itself, so a
/// downloader need not be trusted. `PipDownloader` is the real one; unit tests hand over a wheel
/// they built.
public protocol WheelDownloader: Sendable {
    /// Puts the wheel of `package` into `directory` (which exists) and returns the wheel's
    /// location there. The store deletes that file once it has unpacked the model.
    func downloadWheel(of package: PythonPackage, into directory: URL) throws -> URL
}
