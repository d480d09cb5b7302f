// swift-tools-version:6.1
// Coverage-guided fuzz targets (libFuzzer), one executable per decoder, built apart from the main
// package by scripts/fuzz.sh with -sanitize=fuzzer,address: an executable without a main of its
// own (libFuzzer brings it) would break the ordinary build.
import Foundation
import PackageDescription

// A path dependency is known by its directory's name, which depends on where the project is checked out.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let rakis = root.lastPathComponent.lowercased()

let targets: [(name: String, products: [String])] = [
    ("FuzzEnvelope", ["RakisCore"]),
    ("FuzzCanonicalJSON", ["RakisCore"]),
    ("FuzzOutputSchema", ["RakisCore"]),
    ("FuzzCertificate", ["RakisCore"]),
    ("FuzzMeshFrames", ["RakisNetwork"]),
    ("FuzzMQTT", ["RakisNetwork"]),
    ("FuzzNostr", ["RakisNetwork"]),
    ("FuzzRLP", ["RakisChain"]),
    ("FuzzABI", ["RakisChain"]),
]

let package = Package(
    name: "rakis-fuzz",
    dependencies: [.package(path: root.path), .package(url: "https://github.com/apple/swift-nio", from: "2.101.3")],
    targets: [.target(name: "FuzzSupport", path: "Targets/FuzzSupport")] + targets.map { target in
        .executableTarget(
            name: target.name,
            dependencies: ["FuzzSupport"] + target.products.map { .product(name: $0, package: rakis) }
                + (target.products.contains("RakisNetwork") ? [.product(name: "NIOCore", package: "swift-nio")] : []),
            path: "Targets/\(target.name)",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    }
)
