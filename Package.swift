// swift-tools-version:6.1
import PackageDescription

// Every x86-64 machine since 2009 (Nehalem and later) has POPCNT; without it, the Hamming distances at the
// heart of consensus compile to a slow bit-twiddling fallback.
#if arch(x86_64)
let cpuSettings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "nehalem"])]
#else
let cpuSettings: [SwiftSetting] = []
#endif

let package = Package(
    name: "rakis",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "rakis", targets: ["rakis"]),
        .library(name: "RakisCore", targets: ["RakisCore"]),
        .library(name: "RakisNode", targets: ["RakisNode"]),
        .library(name: "RakisSimulator", targets: ["RakisSimulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .target(
            name: "RakisCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: cpuSettings
        ),
        .target(name: "RakisNode", dependencies: ["RakisCore"], swiftSettings: cpuSettings),
        .target(name: "RakisSimulator", dependencies: ["RakisCore", "RakisNode"], swiftSettings: cpuSettings),
        .executableTarget(
            name: "rakis",
            dependencies: [
                "RakisCore", "RakisNode", "RakisSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "RakisCoreTests", dependencies: ["RakisCore"]),
        .testTarget(name: "RakisNodeTests", dependencies: ["RakisCore", "RakisNode"]),
        .testTarget(name: "RakisSimulatorTests", dependencies: ["RakisCore", "RakisNode", "RakisSimulator"]),
    ]
)
