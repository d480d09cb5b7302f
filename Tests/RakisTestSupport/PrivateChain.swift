import Foundation

/// A private test chain (py-evm behind `scripts/chain/chain_server.py`) on a free loopback port.
/// The test command installs it and names the interpreter and script in
/// RAKIS_TEST_CHAIN_PYTHON and RAKIS_TEST_CHAIN_SERVER_SCRIPT, and the compiled contracts'
/// folder in RAKIS_TEST_CONTRACTS. Ten accounts are funded; their secrets are 1...10.
public final class PrivateChain: @unchecked Sendable {
    static let environment = ProcessInfo.processInfo.environment
    public static let contracts = environment["RAKIS_TEST_CONTRACTS"]
    public static var isAvailable: Bool {
        ["RAKIS_TEST_CHAIN_PYTHON", "RAKIS_TEST_CHAIN_SERVER_SCRIPT", "RAKIS_TEST_CONTRACTS"].allSatisfy { environment[$0] != nil }
    }

    public let port: Int
    public let chainId = 1337
    public let directory: URL
    private var process: ChildProcess?

    public var url: String { "http://127.0.0.1:\(port)" }

    /// Starts the chain; with `blockTime` > 0 it also mines an empty block every that many seconds.
    public init(blockTime: Double = 0.5) async throws {
        guard let python = Self.environment["RAKIS_TEST_CHAIN_PYTHON"], let script = Self.environment["RAKIS_TEST_CHAIN_SERVER_SCRIPT"] else {
            throw ChildProcessError("RAKIS_TEST_CHAIN_PYTHON and RAKIS_TEST_CHAIN_SERVER_SCRIPT are not set (run scripts/services.sh start)")
        }
        port = try freeLoopbackPort()
        directory = FileManager.default.temporaryDirectory.appending(path: "rakis-chain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process = try await ChildProcess.server(
            "chain", executable: python,
            arguments: [script, "--host", "127.0.0.1", "--port", "\(port)", "--chain-id", "\(chainId)", "--block-time", "\(blockTime)"],
            logPath: directory.appending(path: "chain.log").path, port: port, timeout: .seconds(60)
        )
    }

    /// The compiled contract's initcode, from `.contracts/NAME.json`.
    public static func initcode(_ name: String) throws -> String {
        guard let contracts else { throw ChildProcessError("RAKIS_TEST_CONTRACTS is not set") }
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(contracts)/\(name).json"))
        guard let artifact = try JSONSerialization.jsonObject(with: data) as? [String: Any], let bytecode = artifact["bytecode"] as? String else {
            throw ChildProcessError("\(contracts)/\(name).json has no bytecode")
        }
        return bytecode
    }

    public var log: String { process?.log ?? "" }

    public func stop() async {
        guard let process else { return }
        self.process = nil
        await process.terminate()
    }

    deinit {
        process?.killNow()
        try? FileManager.default.removeItem(at: directory)
    }
}
