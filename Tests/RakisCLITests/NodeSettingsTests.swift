import ArgumentParser
import Foundation
import Testing
@testable import rakis

@Suite struct NodeSettingsTests {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appending(path: "rakis-settings-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return (error as? ValidationError)?.message ?? "\(error)"
        }
    }

    @Test func theDocumentedExampleReadsAsWritten() throws {
        let settings = try NodeSettings.load(file: repository.appending(path: "docs/node.example.yaml").path)
        #expect(settings.network == "rakis")
        #expect(settings.dataDir == "/var/lib/rakis" && settings.keyFile == nil)
        #expect(settings.models == ["smollm2-135m-instruct"] && settings.embeddingModel == "all-minilm-l6-v2")
        #expect(settings.threads == 2)
        #expect(settings.mesh == .init(listen: "0.0.0.0:7400", advertise: "203.0.113.7:7400", bootstrap: ["198.51.100.2:7400"], maxNeighbours: 8))
        #expect(settings.nostrRelays == ["wss://relay.example.org"] && settings.mqttBrokers == ["broker.example.org:1883"])
        #expect(settings.metrics == "127.0.0.1:9464" && settings.api == "127.0.0.1:7480" && settings.retainRequests == 10_000 && settings.logLevel == "info")
        try settings.validate()
    }

    @Test func flagsOverrideTheEnvironmentWhichOverridesTheFile() throws {
        let path = try file("network: from-file\nthreads: 3\nmesh:\n  listen: 127.0.0.1:7400\nmodels: [a, b]\n")
        let environment = ["RAKIS_NETWORK": "from-env", "RAKIS_THREADS": "4", "RAKIS_MQTT_BROKERS": "127.0.0.1:1883, 127.0.0.1:1884",
                           "RAKIS_HOME": "/elsewhere"]
        let options = try NodeOptions.parse(["--config", path, "--threads", "5", "--follower"])
        let settings = try options.settings(environment: environment)
        #expect(settings.network == "from-env")
        #expect(settings.threads == 5)
        #expect(settings.models.isEmpty, "--follower serves nothing")
        #expect(settings.mesh.listen == "127.0.0.1:7400")
        #expect(settings.mqttBrokers == ["127.0.0.1:1883", "127.0.0.1:1884"])
    }

    @Test(arguments: [
        ("mesh:\n  listn: 1\n", "unknown setting 'mesh.listn' (known here: listen, advertise, bootstrap, max_neighbours)"),
        ("netwrk: x\n", "unknown setting 'netwrk'"),
        ("threads: many\n", "threads must be a whole number"),
        ("models: smollm2\n", "models must be a list"),
        ("mesh: [1, 2]\n", "mesh must be a mapping"),
        ("network: [unclosed\n", "not valid YAML"),
    ])
    func fileErrorsNameTheFileAndTheSetting(yaml: String, expected: String) throws {
        let path = try file(yaml)
        let error = message { _ = try NodeSettings.load(file: path) }
        #expect(error.contains(path) && error.contains(expected), "\(error)")
    }

    @Test(arguments: [
        (["--network", "Main_Net", "--mesh-listen", "127.0.0.1:1"], "network 'Main_Net'"),
        (["--network", "x"], "no transport enabled"),
        (["--mesh-listen", "7400"], "'7400': expected host:port"),
        (["--nostr-relay", "http://relay"], "must be a ws:// or wss:// URL"),
        (["--mesh-listen", "127.0.0.1:1", "--threads", "0"], "threads 0"),
        (["--mesh-listen", "127.0.0.1:1", "--log-level", "loud"], "log_level 'loud'"),
        (["--mesh-listen", "127.0.0.1:1", "--retain-requests", "0"], "retain_requests 0"),
    ])
    func invalidSettingsAreRefusedWithAReason(arguments: [String], expected: String) throws {
        let options = try NodeOptions.parse(arguments)
        let error = message { _ = try options.settings(environment: [:]) }
        #expect(error.contains(expected), "\(error)")
    }

    @Test func backendsComeFromTheFileOrFromFlags() throws {
        let path = try file("""
            mesh: {listen: 127.0.0.1:7400}
            backends:
              - {model: llama, url: "http://127.0.0.1:8080/v1", remote_model: llama-q4, api_key_env: LLAMA_KEY}
            """)
        let fromFile = try NodeOptions.parse(["--config", path]).settings(environment: [:])
        #expect(fromFile.backends == [.init(model: "llama", url: "http://127.0.0.1:8080/v1", remoteModel: "llama-q4", apiKeyEnv: "LLAMA_KEY")])
        #expect(fromFile.servedModels == ["llama"])
        let fromFlags = try NodeOptions.parse(["--mesh-listen", "127.0.0.1:1", "--model", "a", "--backend", "b=https://api.example.org/v1"])
            .settings(environment: [:])
        #expect(fromFlags.servedModels == ["a", "b"] && fromFlags.backends.first?.apiKeyEnv == "RAKIS_BACKEND_API_KEY")
    }

    @Test(arguments: [
        (["--backend", "no-url"], "expected MODEL=URL"),
        (["--backend", "m=ftp://host"], "must start with http:// or https://"),
        (["--model", "m", "--backend", "m=http://host/v1"], "served both by the engine and by a backend"),
    ])
    func badBackendsAreRefused(arguments: [String], expected: String) throws {
        let options = try NodeOptions.parse(["--mesh-listen", "127.0.0.1:1"] + arguments)
        let error = message { _ = try options.settings(environment: [:]) }
        #expect(error.contains(expected), "\(error)")
    }

    @Test func aChainComesFromTheFileTheEnvironmentOrFlags() throws {
        let path = try file("""
            mesh: {listen: 127.0.0.1:7400}
            chain: {rpc: "http://127.0.0.1:8545", oracle: "0x00000000000000000000000000000000000000aa", confirmations: 5, start_block: 12}
            """)
        let fromFile = try NodeOptions.parse(["--config", path]).settings(environment: [:])
        #expect(fromFile.chain == .init(rpc: "http://127.0.0.1:8545", oracle: "0x00000000000000000000000000000000000000aa", confirmations: 5, startBlock: 12))
        let fromEnvironment = try NodeOptions.parse(["--config", path]).settings(environment: ["RAKIS_CHAIN_KEY_FILE": "/k", "RAKIS_ORACLE": "0x00000000000000000000000000000000000000bb"])
        #expect(fromEnvironment.chain?.oracle == "0x00000000000000000000000000000000000000bb" && fromEnvironment.chain?.keyFile == "/k")
        #expect(fromEnvironment.chain?.confirmations == 5, "the environment keeps the file's other chain settings")
        let fromFlags = try NodeOptions.parse(["--config", path, "--chain-rpc", "https://rpc.example.org", "--oracle", "0x00000000000000000000000000000000000000cc"])
            .settings(environment: [:])
        #expect(fromFlags.chain?.rpc == "https://rpc.example.org" && fromFlags.chain?.confirmations == 5, "flags keep the file's other chain settings")
    }

    @Test(arguments: [
        (["--chain-rpc", "http://127.0.0.1:8545"], "--chain-rpc and --oracle go together"),
        (["--chain-rpc", "ws://127.0.0.1:8545", "--oracle", "0x00000000000000000000000000000000000000aa"], "must be an http:// or https:// JSON-RPC URL"),
        (["--chain-rpc", "http://127.0.0.1:8545", "--oracle", "0xabc"], "chain.oracle '0xabc'"),
        (["--chain-key-file", "/k"], "--chain-key-file needs a chain"),
        (["--chain-rpc", "http://127.0.0.1:8545", "--oracle", "0x00000000000000000000000000000000000000aa", "--chain-dispute-bond=-1"],
         "chain.dispute_bond -1: must be in 0...1000 minimum deposits"),
        (["--membership", "stake", "--member", String(repeating: "ab", count: 32)], "members are for membership.mode allowlist"),
        (["--membership", "stake"], "membership.mode stake: the weights are the oracle's deposits; set chain.rpc and chain.oracle"),
    ])
    func badChainSettingsAreRefused(arguments: [String], expected: String) throws {
        let options = try NodeOptions.parse(["--mesh-listen", "127.0.0.1:1"] + arguments)
        let error = message { _ = try options.settings(environment: [:]) }
        #expect(error.contains(expected), "\(error)")
    }

    @Test func aMissingFileIsNamed() {
        let error = message { _ = try NodeSettings.load(file: "/nonexistent/rakis.yaml") }
        #expect(error.contains("/nonexistent/rakis.yaml: cannot read the settings file"), "\(error)")
    }

    @Test func aBadEnvironmentNumberIsNamed() throws {
        let options = try NodeOptions.parse(["--mesh-listen", "127.0.0.1:1"])
        let error = message { _ = try options.settings(environment: ["RAKIS_THREADS": "two"]) }
        #expect(error == "RAKIS_THREADS=two: not a number")
    }
}
