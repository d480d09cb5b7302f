import Foundation
import Logging
import RakisChain

/// The node's chain key on disk: the secret as 64 hex digits, readable by its owner only.
enum ChainKeyFile {
    static func loadOrCreate(_ path: String, logger: Logger) throws -> ChainKey {
        if FileManager.default.fileExists(atPath: path) {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw CommandFailure("chain key file \(path): cannot read it: \(error.localizedDescription)")
            }
            do {
                return try ChainKey(hex: text)
            } catch {
                throw CommandFailure("chain key file \(path): not a secp256k1 secret in hex (\(error))")
            }
        }
        let key = ChainKey.generate()
        let created = FileManager.default.createFile(atPath: path, contents: Data((key.secretHex + "\n").utf8),
                                                     attributes: [.posixPermissions: 0o600])
        guard created else { throw CommandFailure("chain key file \(path): cannot create it") }
        logger.notice("created a new chain key in \(path): address \(key.address); fund it and register it with the oracle")
        return key
    }
}
