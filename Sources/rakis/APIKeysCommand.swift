import ArgumentParser
import Foundation
import RakisAPI
import RakisCore
import RakisEngine
import RakisStore

extension Keys {
    /// `rakis keys api`: the keys a node's HTTP API accepts, kept (as hashes) in its store.
    struct APIKeys: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "api",
            abstract: "Create, list and revoke the keys of a node's HTTP API (kept hashed in its store; safe while the node runs).",
            discussion: """
                Clients send a key as `Authorization: Bearer rk_…` (the OpenAI clients' api_key). A key \
                takes effect and a revocation holds at once, without restarting the node.
                """,
            subcommands: [Create.self, List.self, Revoke.self]
        )

        struct Location: ParsableArguments {
            @Option(help: "The node's data directory (default $RAKIS_HOME/node).") var dataDir: String?

            var path: String {
                "\(dataDir ?? ModelStore.defaultHome().appendingPathComponent("node").path)/rakis.sqlite"
            }

            /// The node's store; `create` makes it if the node has not run yet, the others need it.
            func open(creating: Bool = false) throws -> NodeStore {
                guard creating || FileManager.default.fileExists(atPath: path) else {
                    throw CommandFailure("\(path): no store here (has a node run with this data directory?)")
                }
                return try NodeStore(path: path)
            }
        }

        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create a key and print it: this is the only time it is shown (the store keeps its SHA-256).")
            @OptionGroup var location: Location
            @Option(help: "Whom or what the key is for (1 to 100 characters).") var name: String
            @Option(help: "Requests a minute the key may make (a minute's worth may come at once).")
            var ratePerMinute = ClientLimits.keyDefault.ratePerMinute
            @Option(help: "Requests of the key in flight at once; a stream counts until it ends.")
            var maxInFlight = ClientLimits.keyDefault.maxInFlight

            func validate() throws {
                guard (1...100).contains(name.count), !name.contains(where: \.isNewline) else {
                    throw ValidationError("--name: 1 to 100 characters on one line")
                }
                guard ratePerMinute >= 1 else { throw ValidationError("--rate-per-minute \(ratePerMinute): must be positive") }
                guard maxInFlight >= 1 else { throw ValidationError("--max-in-flight \(maxInFlight): must be positive") }
            }

            func run() throws {
                let key = APIKey.generate()
                try location.open(creating: true).insertAPIKey(StoredAPIKey(
                    id: key.id, name: name, secretHash: key.secretHash, ratePerMinute: ratePerMinute, maxInFlight: maxInFlight,
                    createdAt: Millis(Date().timeIntervalSince1970 * 1000)))
                print(key.text)
                FileHandle.standardError.write(Data("created API key \(key.id) (\(name)): \(ratePerMinute) requests a minute, \(maxInFlight) in flight; store the key now, it is not shown again\n".utf8))
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the keys (ids, names, limits; never the keys themselves).")
            @OptionGroup var location: Location
            @Flag(help: "One JSON object per key.") var json = false

            func run() throws {
                for key in try location.open().apiKeys() {
                    if json {
                        var object: [String: JSONValue] = [
                            "id": .string(key.id), "name": .string(key.name), "ratePerMinute": .number(Double(key.ratePerMinute)),
                            "maxInFlight": .number(Double(key.maxInFlight)), "createdAt": .number(Double(key.createdAt)),
                        ]
                        object["revokedAt"] = key.revokedAt.map { .number(Double($0)) } ?? .null
                        print(String(decoding: JSONValue.object(object).canonicalBytes(), as: UTF8.self))
                    } else {
                        let state = key.revokedAt.map { "revoked \(Self.date($0))" } ?? "active"
                        print("\(key.id)  \(key.name)  \(key.ratePerMinute)/min  \(key.maxInFlight) in flight  created \(Self.date(key.createdAt))  \(state)")
                    }
                }
            }

            private static func date(_ millis: Millis) -> String {
                ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
            }
        }

        struct Revoke: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a key: the node refuses it from its next request on.")
            @OptionGroup var location: Location
            @Argument(help: "The key's id (16 hex digits, as `list` shows it), or the key itself.") var key: String

            func run() throws {
                let id = APIKey(text: key)?.id ?? key
                guard try location.open().revokeAPIKey(id: id, at: Millis(Date().timeIntervalSince1970 * 1000)) else {
                    throw CommandFailure("no API key \(id) in \(location.path) (`rakis keys api list` shows them)")
                }
                print("revoked \(id)")
            }
        }
    }
}
