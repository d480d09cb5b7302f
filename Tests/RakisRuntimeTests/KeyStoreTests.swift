import Foundation
import Testing
import RakisCore
import RakisRuntime

@Suite struct KeyStoreTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-keystore-\(UInt64.random(in: 0...UInt64.max))").path

    @Test func writesWithOwnerOnlyPermissionsAndReadsBack() throws {
        let path = directory + "/node.key"
        let identity = NodeIdentity.generate()
        try KeyStore.write(identity, to: path, passphrase: "secret")
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
        #expect(mode == 0o600)
        #expect(try KeyStore.read(from: path, passphrase: "secret").nodeId == identity.nodeId)
        // No accidental overwrite.
        #expect(throws: KeyStore.Error.self) { try KeyStore.write(NodeIdentity.generate(), to: path, passphrase: nil) }
        // A key file others can read is refused.
        chmod(path, 0o644)
        do {
            _ = try KeyStore.read(from: path, passphrase: "secret")
            Issue.record("read a world-readable key file")
        } catch {
            #expect("\(error)".contains("chmod 600"))
        }
        #expect(throws: KeyStore.Error.self) { try KeyStore.read(from: directory + "/missing.key", passphrase: nil) }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
