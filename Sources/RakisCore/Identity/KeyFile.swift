import Crypto
import CryptoExtras
import Foundation

/// The on-disk form of a node identity: a small JSON document holding the Ed25519 seed,
/// either in the clear or sealed with a passphrase (scrypt, then ChaCha20-Poly1305).
///
/// This type only converts between bytes and identities; writing the file with 0600
/// permissions is the caller's job (see `KeyStore` in RakisRuntime).
public enum KeyFile {
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        case malformed(String)
        case passphraseRequired
        case wrongPassphrase
        case unsupportedVersion(Int)

        public var description: String {
            switch self {
            case let .malformed(detail): "key file is malformed: \(detail)"
            case .passphraseRequired: "key file is encrypted: a passphrase is required"
            case .wrongPassphrase: "key file could not be decrypted: wrong passphrase or damaged file"
            case let .unsupportedVersion(version): "key file version \(version) is not supported (expected 1)"
            }
        }
    }

    /// scrypt cost: N = 2^15, r = 8, p = 1 (32 MiB, a fraction of a second), per RFC 7914's guidance.
    static let scryptRounds = 1 << 15
    static let scryptBlockSize = 8
    static let scryptParallelism = 1

    public static func encode(_ identity: NodeIdentity, passphrase: String?) throws -> [UInt8] {
        var document: [String: JSONValue] = [
            "kind": "rakis-node-key",
            "version": 1,
            "nodeId": .string(identity.nodeId.hex),
        ]
        if let passphrase {
            let salt = (0..<16).map { _ in UInt8.random(in: 0...255) }
            let key = try deriveKey(passphrase: passphrase, salt: salt)
            let sealed = try ChaChaPoly.seal(identity.seed, using: key)
            document["encryption"] = "scrypt-chacha20poly1305"
            document["salt"] = .string(Hex.encode(salt))
            document["sealed"] = .string(Hex.encode(sealed.combined))
        } else {
            document["encryption"] = "none"
            document["seed"] = .string(Hex.encode(identity.seed))
        }
        return JSONValue.object(document).canonicalBytes() + [UInt8(ascii: "\n")]
    }

    public static func decode(_ bytes: [UInt8], passphrase: String?) throws -> NodeIdentity {
        let document: JSONObjectReader
        do {
            document = try JSONObjectReader(JSONParser.parse(bytes), path: "key")
        } catch {
            throw Error.malformed("\(error)")
        }
        do {
            guard try document.string("kind") == "rakis-node-key" else { throw Error.malformed("not a Rakis node key") }
            let version = try document.int("version")
            guard version == 1 else { throw Error.unsupportedVersion(version) }
            let seed: [UInt8]
            switch try document.string("encryption") {
            case "none":
                seed = try hexField(document, "seed")
            case "scrypt-chacha20poly1305":
                guard let passphrase else { throw Error.passphraseRequired }
                let key = try deriveKey(passphrase: passphrase, salt: try hexField(document, "salt"))
                do {
                    seed = Array(try ChaChaPoly.open(ChaChaPoly.SealedBox(combined: try hexField(document, "sealed")), using: key))
                } catch {
                    throw Error.wrongPassphrase
                }
            case let other:
                throw Error.malformed("unknown encryption \"\(other)\"")
            }
            guard seed.count == 32 else { throw Error.malformed("seed must be 32 bytes, found \(seed.count)") }
            let identity = try NodeIdentity(seed: seed)
            guard try document.string("nodeId") == identity.nodeId.hex else {
                throw Error.malformed("nodeId does not match the key")
            }
            return identity
        } catch let error as Error {
            throw error
        } catch {
            throw Error.malformed("\(error)")
        }
    }

    private static func hexField(_ document: JSONObjectReader, _ key: String) throws -> [UInt8] {
        guard let bytes = Hex.decode(try document.string(key)) else { throw Error.malformed("\(key) is not lowercase hex") }
        return bytes
    }

    private static func deriveKey(passphrase: String, salt: [UInt8]) throws -> SymmetricKey {
        try KDF.Scrypt.deriveKey(
            from: Array(passphrase.utf8), salt: salt, outputByteCount: 32,
            rounds: scryptRounds, blockSize: scryptBlockSize, parallelism: scryptParallelism
        )
    }
}
