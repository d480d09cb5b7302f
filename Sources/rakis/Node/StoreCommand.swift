import ArgumentParser
import Foundation
import RakisAPI
import RakisCore
import RakisEngine
import RakisStore

struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Look into a node's store (<data dir>/rakis.sqlite); safe while the node runs.",
        subcommands: [Requests.self, Show.self, Counts.self]
    )

    struct Location: ParsableArguments {
        @Option(help: "The node's data directory (default $RAKIS_HOME/node).") var dataDir: String?

        func open() throws -> NodeStore {
            let directory = dataDir ?? ModelStore.defaultHome().appendingPathComponent("node").path
            let path = "\(directory)/rakis.sqlite"
            guard FileManager.default.fileExists(atPath: path) else {
                throw CommandFailure("\(path): no store here (has a node run with this data directory?)")
            }
            return try NodeStore(path: path)
        }
    }

    struct Requests: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the most recent requests, newest first.")
        @OptionGroup var location: Location
        @Option(help: "How many.") var limit = 20

        func run() throws {
            let store = try location.open()
            for request in try store.requests(limit: limit) {
                let outcome: String = switch try store.result(of: request.requestId)?.outcome {
                case let .final(chosen)?: "final (\(chosen.node.hex.prefix(8))): \(chosen.output.prefix(60).replacingOccurrences(of: "\n", with: " "))"
                case let .failed(failure)?: "failed: \(failure.code)"
                case nil: request.phase.map { "\($0)" } ?? "?"
                }
                print("\(request.requestId.hex)  \(request.packetCount) packets  \(outcome)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A request's result and certificate, as JSON.")
        @OptionGroup var location: Location
        @Argument(help: "The request id (64 hex digits).") var requestId: String

        func run() throws {
            guard let id = Hash256(hex: requestId) else { throw ValidationError("'\(requestId)': not a request id (64 hex digits)") }
            guard let result = try location.open().result(of: id) else {
                throw CommandFailure("request \(requestId) has no result in this store (unknown, or not concluded yet)")
            }
            guard case var .object(object) = result.json else { return }
            if let certificate = result.certificate {
                object["certificate"] = try JSONParser.parse(certificate, maxDepth: Limits.maxJSONDepth + 8)
            }
            print(String(decoding: JSONValue.object(object).canonicalBytes(), as: UTF8.self))
        }
    }

    struct Counts: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rows per table.")
        @OptionGroup var location: Location

        func run() throws {
            print(try location.open().counts())
        }
    }
}
