import Foundation
import Testing

/// Something a test needs from outside its process: a service, a program, a model.
///
/// Without it the test is skipped, so `swift test` on a bare machine still passes what it can.
/// The test command (scripts/test.sh) provides everything and sets `RAKIS_TEST_REQUIRE_ALL=1`:
/// there a missing requirement fails the test, naming what is missing and how to provide it,
/// because a run that silently skipped the integration tests would look like a passing one.
public struct TestRequirement: Sendable {
    /// What is needed, as the failure names it: "a Nostr relay (RAKIS_TEST_NOSTR)".
    public let name: String
    /// How to provide it: "eval \"$(scripts/services.sh start)\"".
    public let remedy: String
    /// Evaluated once: the environment and the installed programs do not change during a run.
    public let isMet: Bool

    public init(_ name: String, remedy: String, isMet: Bool) {
        self.name = name
        self.remedy = remedy
        self.isMet = isMet
    }

    /// Set by scripts/test.sh: every requirement must be met, a skip is a failure.
    static let requireAllVariable = "RAKIS_TEST_REQUIRE_ALL"

    /// Whether the run requires everything; a value other than 0 or 1 is refused, so a typo
    /// cannot quietly turn the failures back into skips.
    static func requireAll() throws -> Bool {
        switch ProcessInfo.processInfo.environment[requireAllVariable] ?? "" {
        case "", "0": return false
        case "1": return true
        case let value: throw RequirementError("\(requireAllVariable) must be 0 or 1, not '\(value)'")
        }
    }

    /// "a, b: remedy" for each remedy, in order: several services come from one command.
    static func grouped(_ requirements: [TestRequirement]) -> [String] {
        var remedies: [String] = []
        for requirement in requirements where !remedies.contains(requirement.remedy) { remedies.append(requirement.remedy) }
        return remedies.map { remedy in
            requirements.filter { $0.remedy == remedy }.map(\.name).joined(separator: ", ") + ": " + remedy
        }
    }

    /// The error a run that requires everything fails with, listing each missing requirement.
    static func missing(_ requirements: [TestRequirement]) -> RequirementError {
        let lines = grouped(requirements).map { "- " + $0 }
        return RequirementError("this test needs what is missing here (with \(requireAllVariable)=1 that fails it instead of skipping it):\n"
                                + lines.joined(separator: "\n"))
    }

    /// For a part of a test that needs this: true when it is met; otherwise false, after
    /// recording an issue if the run requires everything.
    public func check(sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        if isMet { return true }
        do {
            if try Self.requireAll() { Issue.record(Self.missing([self]), sourceLocation: sourceLocation) }
        } catch {
            Issue.record(error, sourceLocation: sourceLocation)
        }
        return false
    }
}

public struct RequirementError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test or suite only where every requirement is met. A missing one skips it, or,
    /// with `RAKIS_TEST_REQUIRE_ALL=1`, fails it: a condition that throws records an issue.
    public static func requires(_ requirements: TestRequirement..., sourceLocation: SourceLocation = #_sourceLocation) -> Self {
        let missing = requirements.filter { !$0.isMet }
        let comment = "needs " + TestRequirement.grouped(missing).joined(separator: "; ")
        return .enabled(Comment(rawValue: comment), sourceLocation: sourceLocation) {
            if missing.isEmpty { return true }
            if try TestRequirement.requireAll() { throw TestRequirement.missing(missing) }
            return false
        }
    }
}

/// What the integration tests need; scripts/test.sh provides all of it.
extension TestRequirement {
    static let environment = ProcessInfo.processInfo.environment
    static let services = "eval \"$(scripts/services.sh start)\" (scripts/test.sh does)"

    public static let nostrRelay = TestRequirement(
        "a Nostr relay (RAKIS_TEST_NOSTR, its ws:// URL)", remedy: services, isMet: environment["RAKIS_TEST_NOSTR"] != nil)
    public static let mqttBroker = TestRequirement(
        "an MQTT broker (RAKIS_TEST_MQTT, its HOST:PORT)", remedy: services, isMet: environment["RAKIS_TEST_MQTT"] != nil)
    public static let nostrRelayProgram = TestRequirement(
        "the nostr-relay program (RAKIS_TEST_NOSTR_RELAY_BIN)", remedy: services, isMet: PrivateNostrRelay.isAvailable)
    public static let mosquitto = TestRequirement(
        "mosquitto (/usr/sbin/mosquitto)", remedy: "scripts/system-packages.sh --tests installs it", isMet: Mosquitto.isInstalled)
    public static let gemma3 = TestRequirement(
        "Gemma 3 270M in the model store (RAKIS_HOME)", remedy: "export RAKIS_HOME and run rakis models fetch gemma3-270m (scripts/test.sh does)",
        isMet: environment["RAKIS_HOME"].map { FileManager.default.fileExists(atPath: $0 + "/models/gemma3-270m/gemma-3-270m-q4_k_m.gguf") } ?? false)
    public static let tinyModels = TestRequirement(
        "the tiny random-weight models (RAKIS_TEST_TINY_MODELS)", remedy: "export RAKIS_TEST_TINY_MODELS=\"$(scripts/engine/tiny-models.sh)\"",
        isMet: environment["RAKIS_TEST_TINY_MODELS"].map { FileManager.default.fileExists(atPath: $0 + "/tiny-llama-q4_k.gguf") } ?? false)
    public static let testChain = TestRequirement(
        "the test chain (RAKIS_TEST_CHAIN_PYTHON, RAKIS_TEST_CHAIN_SERVER_SCRIPT, RAKIS_TEST_CONTRACTS)",
        remedy: services, isMet: PrivateChain.isAvailable)
    public static let testClients = TestRequirement(
        "Python with openai and selenium (RAKIS_TEST_PYTHON)", remedy: services, isMet: environment["RAKIS_TEST_PYTHON"] != nil)
    public static let chromium = TestRequirement(
        "Debian's chromium (/usr/bin/chromium)", remedy: "scripts/system-packages.sh --tests installs it",
        isMet: FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"))
    public static let modelHome = TestRequirement(
        "the fetched models (RAKIS_HOME)", remedy: "export RAKIS_HOME and run rakis models fetch (scripts/test.sh does)",
        isMet: environment["RAKIS_HOME"] != nil)
}
