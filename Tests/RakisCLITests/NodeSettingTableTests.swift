import ArgumentParser
import Foundation
import Testing
@testable import rakis

/// Every setting of `NodeSetting.all` reads the same from the file, its environment variable and its
/// flag, and docs/node.example.yaml shows every setting and no other.
@Suite struct NodeSettingTableTests {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A chain to start from, so that the chain settings that need one apply.
    static let base = {
        var settings = NodeSettings()
        settings.chain = .init(rpc: "http://base.example.org", oracle: "0xbase")
        return settings
    }()

    /// One value of the setting's kind, different from every default, as each source writes it.
    private func sample(_ setting: NodeSetting) -> (value: NodeSetting.Value, yaml: String, environment: String, flags: [String]) {
        let flag = "--\(setting.flag)"
        switch setting.kind {
        case .text: return (.text("sample"), "sample", "sample", [flag, "sample"])
        case .number: return (.number(7), "7", "7", [flag, "7"])
        case .list: return (.list(["a", "b"]), "[a, b]", "a, b", [flag, "a", flag, "b"])
        case .backends:
            return (.backends([.init(model: "m", url: "http://h", apiKeyEnv: "RAKIS_BACKEND_API_KEY")]),
                    "[{model: m, url: 'http://h', api_key_env: RAKIS_BACKEND_API_KEY}]", "m=http://h", [flag, "m=http://h"])
        }
    }

    private func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appending(path: "rakis-setting-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A settings file with the base chain and one setting, each key under its section.
    private func file(setting: NodeSetting, yaml: String) throws -> String {
        let values = ["chain.rpc": "http://base.example.org", "chain.oracle": "0xbase"].merging([setting.key: yaml]) { $1 }
        let sections = Dictionary(grouping: values.keys.sorted()) { $0.split(separator: ".").dropLast().joined(separator: ".") }
        let text = sections.keys.sorted().map { section in
            let lines = sections[section]!.map { key in "\(section.isEmpty ? "" : "  ")\(key.split(separator: ".").last!): \(values[key]!)" }
            return (section.isEmpty ? [] : ["\(section):"]) + lines
        }
        return try file(text.joined().joined(separator: "\n") + "\n")
    }

    @Test(arguments: NodeSetting.all.map(\.key))
    func everySourceSetsTheSettingAlike(key: String) throws {
        let setting = NodeSetting.named(key)
        let sample = sample(setting)
        var expected = Self.base
        try setting.apply(sample.value, to: &expected, from: key)
        #expect(expected != Self.base, "the sample changes \(key)")

        let fromFile = try NodeSettings.load(file: file(setting: setting, yaml: sample.yaml))
        #expect(fromFile == expected, "the file's \(key)")

        var fromEnvironment = Self.base
        try fromEnvironment.apply(environment: [setting.environment: sample.environment])
        #expect(fromEnvironment == expected, "\(setting.environment)")

        var fromFlags = Self.base
        try fromFlags.apply(NodeOptions.parse(sample.flags).settingFlags()) { "--\($0.flag)" }
        #expect(fromFlags == expected, "\(sample.flags)")
    }

    @Test func everyFlagIsASettingOrOneOfTheFew() throws {
        let help = try JSONSerialization.jsonObject(with: Data(NodeOptions._dumpHelp().utf8)) as? [String: Any]
        let arguments = (help?["command"] as? [String: Any])?["arguments"] as? [[String: Any]] ?? []
        let flags = arguments.flatMap { argument in
            (argument["names"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "long" }.compactMap { $0["name"] as? String }
        }
        #expect(Set(flags) == Set(NodeSetting.all.map(\.flag) + ["config", "follower", "help"]))
        #expect(flags.count == Set(flags).count, "no flag twice")
    }

    @Test func theNamesAreUnique() {
        for name in [\NodeSetting.key, \.environment, \.flag] {
            let names = NodeSetting.all.map { $0[keyPath: name] }
            #expect(Set(names).count == names.count, "\(names)")
        }
    }

    /// The example shows settings that are off by default commented out (`# key: value`), so it reads
    /// as a working file; switched on, it must hold every setting of the table, and read and validate.
    @Test func theExampleShowsEverySetting() throws {
        let example = try String(contentsOf: repository.appending(path: "docs/node.example.yaml"), encoding: .utf8)
        let switchedOn = example.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.replacing(/^(\s*)# (?=\s*(- )?[a-z_]+:( |$))/) { $0.output.1 } }
            .joined(separator: "\n")
        let path = try file(switchedOn)
        let shown = Set(try SettingsFile(path: path).values().keys)
        let table = Set(NodeSetting.all.map(\.key))
        #expect(table.subtracting(shown).isEmpty, "settings missing from docs/node.example.yaml: \(table.subtracting(shown).sorted())")
        try NodeSettings.load(file: path).validate()
    }
}
