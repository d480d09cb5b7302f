import ArgumentParser
import Foundation
import Yams

/// A YAML settings file (see docs/node.example.yaml), read into the values it sets. Its keys are the
/// table's (`NodeSetting.all`): `mesh.listen` is `listen` under `mesh:`. Unknown keys are errors, so
/// a typo never falls back to a default silently; every error names the file and the key.
struct SettingsFile {
    let path: String

    /// The values the file sets, by setting key.
    func values() throws -> [String: NodeSetting.Value] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("\(path): cannot read the settings file: \(error.localizedDescription)")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ValidationError("\(path): not valid YAML: \(error)")
        }
        var values: [String: NodeSetting.Value] = [:]
        if let root { try read(root, section: "", into: &values) }
        return values
    }

    /// Reads the settings of a section: `""` for the top level, `mesh` for the mapping under `mesh:`.
    private func read(_ node: Node, section: String, into values: inout [String: NodeSetting.Value]) throws {
        for (nameNode, value) in try mapping(node, section.isEmpty ? "the top level" : section) {
            let name = try self.name(nameNode)
            let key = section.isEmpty ? name : "\(section).\(name)"
            if let setting = NodeSetting.all.first(where: { $0.key == key }) {
                values[key] = try self.value(value, as: setting.kind, key)
            } else if NodeSetting.all.contains(where: { $0.key.hasPrefix("\(key).") }) {
                try read(value, section: key, into: &values)
            } else {
                throw ValidationError("\(path): unknown setting '\(key)' (known here: \(Self.names(in: section).joined(separator: ", ")))")
            }
        }
    }

    /// The names a section holds, settings and sections, in the table's order.
    private static func names(in section: String) -> [String] {
        let prefix = section.isEmpty ? "" : "\(section)."
        var names: [String] = []
        for setting in NodeSetting.all where setting.key.hasPrefix(prefix) {
            let name = String(setting.key.dropFirst(prefix.count).prefix { $0 != "." })
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    private func value(_ node: Node, as kind: NodeSetting.Kind, _ key: String) throws -> NodeSetting.Value {
        switch kind {
        case .text: return .text(try string(node, key))
        case .number: return .number(try int(node, key))
        case .list: return .list(try list(node, key).map { try string($0, key) })
        case .backends: return .backends(try list(node, key).enumerated().map { index, entry in try backend(entry, "\(key)[\(index)]") })
        }
    }

    private func backend(_ node: Node, _ key: String) throws -> NodeSettings.BackendSettings {
        var backend = NodeSettings.BackendSettings(model: "", url: "")
        for (nameNode, value) in try mapping(node, key) {
            switch try name(nameNode) {
            case "model": backend.model = try string(value, "\(key).model")
            case "url": backend.url = try string(value, "\(key).url")
            case "remote_model": backend.remoteModel = try string(value, "\(key).remote_model")
            case "api_key": backend.apiKey = try string(value, "\(key).api_key")
            case "api_key_env": backend.apiKeyEnv = try string(value, "\(key).api_key_env")
            case let other:
                throw ValidationError("\(path): unknown setting '\(key).\(other)' (known here: model, url, remote_model, api_key, api_key_env)")
            }
        }
        guard !backend.model.isEmpty, !backend.url.isEmpty else { throw ValidationError("\(path): \(key) needs a model and a url") }
        return backend
    }

    private func mapping(_ node: Node, _ key: String) throws -> Node.Mapping {
        guard let mapping = node.mapping else { throw ValidationError("\(path): \(key) must be a mapping of settings") }
        return mapping
    }

    private func name(_ node: Node) throws -> String {
        guard let name = node.string else { throw ValidationError("\(path): a setting name must be text") }
        return name
    }

    private func string(_ node: Node, _ key: String) throws -> String {
        guard let scalar = node.scalar else { throw ValidationError("\(path): \(key) must be a single value") }
        return scalar.string
    }

    private func int(_ node: Node, _ key: String) throws -> Int {
        guard let value = node.scalar.flatMap({ Int($0.string) }) else { throw ValidationError("\(path): \(key) must be a whole number") }
        return value
    }

    private func list(_ node: Node, _ key: String) throws -> [Node] {
        guard let sequence = node.sequence else { throw ValidationError("\(path): \(key) must be a list") }
        return Array(sequence)
    }
}
