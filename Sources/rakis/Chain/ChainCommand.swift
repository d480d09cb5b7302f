import ArgumentParser
import Foundation
import Logging
import RakisChain
import RakisCore
import RakisNode
import RakisRuntime

struct Chain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with the oracle contract: chain keys, deployment, node registration, requests.",
        discussion: """
            A node serves the oracle with `rakis node --chain-rpc URL --oracle ADDRESS` (docs/ORACLE.md). \
            These commands set the stage: a chain key for the node, the contracts, the node's \
            registration with a deposit, and a story asked through the StoryTeller example. \
            Amounts are in wei.
            """,
        subcommands: [Address.self, Fund.self, Deploy.self, Register.self, Tell.self, Status.self, Refund.self]
    )

    /// The chain to talk to and the key that signs.
    struct Connection: ParsableArguments {
        @Option(help: "The chain's JSON-RPC URL.") var rpc: String
        @Option(help: "Chain key file (hex secret; created if missing).") var keyFile: String

        func account() throws -> ChainAccount {
            ChainAccount(key: try ChainKeyFile.loadOrCreate(keyFile, logger: Logger(label: "rakis")), rpcURL: rpc)
        }
    }

    static func amount(_ text: String, _ flag: String) throws -> Wei {
        guard let value = UInt256(text) else { throw ValidationError("\(flag) '\(text)': expected a whole number of wei") }
        return value
    }

    static func address(_ text: String, _ flag: String) throws -> EthereumAddress {
        do { return try EthereumAddress(text) } catch { throw ValidationError("\(flag) '\(text)': \(error)") }
    }

    struct Address: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the chain address of a chain key file, creating the key if missing.")
        @Option(help: "Chain key file.") var keyFile: String

        func run() throws {
            print(try ChainKeyFile.loadOrCreate(keyFile, logger: Logger(label: "rakis")).address)
        }
    }

    struct Fund: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send ether from the key's account to another address (a node's chain key, say).")
        @OptionGroup var connection: Connection
        @Option(help: "The receiving address.") var to: String
        @Option(help: "Amount.") var value: String

        func run() async throws {
            let receipt = try await connection.account().send(to: try address(to, "--to"), value: try amount(value, "--value"), data: [])
            print("sent \(value) wei to \(to) in block \(receipt.blockNumber)")
        }
    }

    struct Deploy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deploy RakisOracle, and optionally a StoryTeller, from compiled artifacts (scripts/contracts.sh).")
        @OptionGroup var connection: Connection
        @Option(help: "Folder of the compiled contracts (RakisOracle.json, StoryTeller.json).") var artifacts = ".contracts"
        @Option(help: "Deposit a node must lock to register.") var minDeposit = "1000000000000000000"
        @Option(help: "Smallest payment for a request.") var minFee = "1000000000000000"
        @Option(help: "Gas given to a consumer's callback.") var callbackGas = 500_000
        @Option(help: "Seconds between deregistering and withdrawing the deposit.") var exitDelay = 86_400
        @Option(help: "Also deploy a StoryTeller asking this model.") var storyModel: String?
        @Option(help: "The StoryTeller's story length in tokens.") var storyMaxTokens = 64
        @Option(help: "Seconds the network has for a story before it can be refunded.") var storyTimeout = 600

        func run() async throws {
            let account = try connection.account()
            let oracleArguments = try ABI.encode([.uint(try amount(minDeposit, "--min-deposit")), .uint(try amount(minFee, "--min-fee")),
                                                  .uint(UInt256(UInt64(callbackGas))), .uint(UInt256(UInt64(exitDelay)))],
                                                 as: Array(repeating: .uint(bits: 256), count: 4))
            let oracle = try await deploy("RakisOracle", oracleArguments, from: account)
            print("oracle \(oracle.address) (block \(oracle.block))")
            if let storyModel {
                let arguments = try ABI.encode([.address(oracle.address), .string(storyModel), .uint(UInt256(UInt64(storyMaxTokens))),
                                                .uint(UInt256(UInt64(storyTimeout)))], as: [.address, .string, .uint(bits: 32), .uint(bits: 64)])
                let teller = try await deploy("StoryTeller", arguments, from: account)
                print("storyTeller \(teller.address) (block \(teller.block))")
            }
        }

        func deploy(_ name: String, _ arguments: [UInt8], from account: ChainAccount) async throws -> (address: EthereumAddress, block: Int) {
            let path = "\(artifacts)/\(name).json"
            guard let data = FileManager.default.contents(atPath: path),
                  let artifact = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let bytecode = (artifact["bytecode"] as? String).flatMap(EthereumHex.decode)
            else { throw CommandFailure("\(path): not a compiled contract with a hex \"bytecode\" (build it with scripts/contracts.sh)") }
            let receipt = try await account.send(to: nil, data: bytecode + arguments)
            guard let address = receipt.contractAddress.flatMap({ try? EthereumAddress($0) }) else {
                throw CommandFailure("\(name): the receipt of \(receipt.transactionHash) names no contract")
            }
            return (address, receipt.blockNumber)
        }
    }

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a node with the oracle: its chain address, its node id, and a deposit.")
        @OptionGroup var connection: Connection
        @Option(help: "The oracle's address.") var oracle: String
        @Option(help: "The node's key file (its node id is registered).") var nodeKeyFile: String
        @Option(help: "Deposit, at least the oracle's minimum.") var deposit = "1000000000000000000"

        func run() async throws {
            let identity = try KeyStore.read(from: nodeKeyFile, passphrase: ProcessInfo.processInfo.environment["RAKIS_KEY_PASSPHRASE"])
            let account = try connection.account()
            let receipt = try await account.send(to: try address(oracle, "--oracle"), value: try amount(deposit, "--deposit"),
                                                 data: OracleContract.register(nodeId: identity.nodeId))
            print("registered \(account.address) as node \(identity.nodeId.hex) in block \(receipt.blockNumber)")
        }
    }

    struct Tell: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Ask a StoryTeller for a story, pay for it, and wait for the network's answer.")
        @OptionGroup var connection: Connection
        @Option(help: "The StoryTeller's address.") var storyTeller: String
        @Option(help: "Payment for the request, at least the oracle's minimum fee.") var payment = "10000000000000000"
        @Option(help: "Seconds to wait for the story.") var wait = 300
        @Argument(help: "What the story is about.") var prompt: String

        func run() async throws {
            let account = try connection.account()
            let teller = try address(storyTeller, "--story-teller")
            let receipt = try await account.send(to: teller, value: try amount(payment, "--payment"),
                                                 data: try ABI.encodeCall("tell(string)", [.string(prompt)], as: [.string]))
            let requested = try await account.rpc.logs(LogFilter(address: teller.lowercaseHex, topics: [], from: receipt.blockNumber, to: receipt.blockNumber))
            guard let requestId = requested.first(where: { $0.transactionHash == receipt.transactionHash && $0.topics.count > 1 })
                .flatMap({ UInt256(bigEndian: $0.topics[1]) })
            else { throw CommandFailure("no StoryRequested log in \(receipt.transactionHash)") }
            print("request \(requestId) in block \(receipt.blockNumber); waiting for the story")
            let clock = ContinuousClock()
            let end = clock.now + .seconds(wait)
            while clock.now < end {
                let answer = try await account.rpc.call(to: teller.lowercaseHex,
                                                        data: try ABI.encodeCall("storyOf(uint256)", [.uint(requestId)], as: [.uint(bits: 256)]))
                if let story = try ABI.decode([.string], from: answer).first?.stringValue, !story.isEmpty {
                    print(story)
                    return
                }
                try await Task.sleep(for: .seconds(1))
            }
            throw CommandFailure("no story within \(wait) s")
        }
    }

    struct Refund: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a request's payment back to its consumer, once its deadline has passed unfulfilled (anyone may).")
        @OptionGroup var connection: Connection
        @Option(help: "The oracle's address.") var oracle: String
        @Option(help: "The request id.") var request: String

        func run() async throws {
            guard let id = UInt256(request) else { throw ValidationError("--request '\(request)': expected a decimal id") }
            let receipt = try await connection.account().send(to: try address(oracle, "--oracle"), data: OracleContract.refund(id))
            print("request \(id) refunded in block \(receipt.blockNumber)")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a request's state, or a node's registration and earnings.")
        @Option(help: "The chain's JSON-RPC URL.") var rpc: String
        @Option(help: "The oracle's address.") var oracle: String
        @Option(help: "A request id.") var request: String?
        @Option(help: "A node's chain address.") var node: String?

        func run() async throws {
            let chain = EthereumRPC(url: rpc)
            let contract = try address(oracle, "--oracle").lowercaseHex
            if let request {
                guard let id = UInt256(request) else { throw ValidationError("--request '\(request)': expected a decimal id") }
                let state = UInt256(bigEndian: try await chain.call(to: contract, data: OracleContract.stateOf(id)))?.exactUInt64 ?? 0
                print("request \(id): \(OracleContract.RequestState(rawValue: Int(state)).map { "\($0)" } ?? "state \(state)")")
            }
            if let node {
                let address = try address(node, "--node")
                let registered = try await chain.call(to: contract, data: OracleContract.isRegistered(address)).last == 1
                let earned = UInt256(bigEndian: try await chain.call(to: contract, data: OracleContract.earnings(address))) ?? .zero
                print("node \(address): \(registered ? "registered" : "not registered"), earnings \(earned) wei")
            }
        }
    }
}
