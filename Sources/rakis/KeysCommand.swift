import ArgumentParser
import Foundation
import RakisCore
import RakisAPI
import RakisRuntime
import RakisStore

struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create and inspect node identities (Ed25519 key files), and the HTTP API's keys.",
        subcommands: [Generate.self, Show.self, APIKeys.self]
    )

    /// Where a key file's passphrase comes from; never from a flag, which would land in shell history.
    struct PassphraseOptions: ParsableArguments {
        @Option(help: "Name of an environment variable holding the key file's passphrase.")
        var passphraseEnv: String?

        func passphrase() throws -> String? {
            guard let name = passphraseEnv else { return nil }
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                throw ValidationError("--passphrase-env \(name): the variable is not set or empty")
            }
            return value
        }
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Generate a new node key file (mode 0600) and print its node id.")

        @Option(help: "Path of the key file to create.") var out: String
        @Flag(help: "Replace an existing key file.") var force = false
        @OptionGroup var passphrase: PassphraseOptions

        func run() throws {
            let identity = NodeIdentity.generate()
            try KeyStore.write(identity, to: out, passphrase: try passphrase.passphrase(), overwrite: force)
            print(identity.nodeId.hex)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the node id of a key file.")

        @Argument(help: "Path of the key file.") var path: String
        @OptionGroup var passphrase: PassphraseOptions

        func run() throws {
            print(try KeyStore.read(from: path, passphrase: try passphrase.passphrase()).nodeId.hex)
        }
    }
}
