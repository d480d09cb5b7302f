// swift-tools-version:6.1
import PackageDescription

// Hot loops (Hamming distances, the state machine driven millions of times by the simulator)
// get two settings:
// - POPCNT, which every x86-64 machine since 2009 (Nehalem) has; without it, bit counts compile
//   to a slow fallback.
// - No dynamic exclusivity checks in release builds (about 20% of simulator time); debug builds
//   still check every access.
var hotLoopSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
#if arch(x86_64)
hotLoopSettings.append(.unsafeFlags(["-target-cpu", "nehalem"]))
#endif

let package = Package(
    name: "rakis",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "rakis", targets: ["rakis"]),
        .library(name: "RakisCore", targets: ["RakisCore"]),
        .library(name: "RakisNode", targets: ["RakisNode"]),
        .library(name: "RakisSimulator", targets: ["RakisSimulator"]),
        .library(name: "RakisEngine", targets: ["RakisEngine"]),
        .library(name: "RakisNetwork", targets: ["RakisNetwork"]),
        .library(name: "RakisStore", targets: ["RakisStore"]),
        .library(name: "RakisRuntime", targets: ["RakisRuntime"]),
        .library(name: "RakisAPI", targets: ["RakisAPI"]),
        .library(name: "RakisChain", targets: ["RakisChain"]),
        .library(name: "RakisOracle", targets: ["RakisOracle"]),
        .library(name: "RakisMCP", targets: ["RakisMCP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // Exact: the SDK is before 1.0, and a minor release may change the API.
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", exact: "0.12.1"),
    ],
    targets: [
        .target(
            name: "RakisCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: hotLoopSettings
        ),
        .target(name: "RakisNode", dependencies: ["RakisCore"], swiftSettings: hotLoopSettings),
        .target(name: "RakisSimulator", dependencies: ["RakisCore", "RakisNode"], swiftSettings: hotLoopSettings),
        // The engine's SIMD kernels: C with per-function target attributes and a runtime CPU
        // check, so one binary runs everywhere and uses AVX2 where the CPU has it.
        .target(name: "CRakisKernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off"])]),
        .target(
            name: "RakisEngine",
            dependencies: [
                "CRakisKernels",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: hotLoopSettings
        ),
        // secp256k1 from Debian's libsecp256k1-dev: BIP-340 Schnorr signatures for Nostr,
        // recoverable ECDSA for the chain.
        .systemLibrary(name: "CSecp256k1", pkgConfig: "libsecp256k1", providers: [.apt(["libsecp256k1-dev"])]),
        // The process's one libsecp256k1 context, for both of them.
        .target(name: "Secp256k1", dependencies: ["CSecp256k1"]),
        .target(
            name: "RakisNetwork",
            dependencies: [
                "RakisCore", "CSecp256k1", "Secp256k1",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "WSClient", package: "swift-websocket"),
            ]
        ),
        // The EVM side: Keccak-256, RLP, ABI, secp256k1 keys and EIP-1559 transactions, JSON-RPC,
        // the oracle contract's bindings and the log follower.
        .target(
            name: "RakisChain",
            dependencies: [
                "RakisCore", "CSecp256k1", "Secp256k1",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: hotLoopSettings
        ),
        .target(
            name: "RakisStore",
            dependencies: ["RakisCore", "RakisNode", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(
            name: "RakisRuntime",
            dependencies: [
                "RakisCore", "RakisNode", "RakisNetwork", "RakisStore", "RakisEngine",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // The oracle's chain connector: serves the oracle contract with a node's runtime.
        .target(
            name: "RakisOracle",
            dependencies: [
                "RakisCore", "RakisNode", "RakisStore", "RakisChain", "RakisRuntime",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The node's HTTP face: the native API, the OpenAI-compatible endpoints, live events,
        // metrics and the dashboard.
        .target(
            name: "RakisAPI",
            dependencies: [
                "RakisCore", "RakisNode", "RakisNetwork", "RakisRuntime", "RakisStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // Compiled into the binary, so the dashboard cannot go missing from an installation.
            resources: [
                .embedInCode("Dashboard/index.html"), .embedInCode("Dashboard/dashboard.css"), .embedInCode("Dashboard/dashboard.js"),
                .embedInCode("Dashboard/common.js"), .embedInCode("Dashboard/chat.html"), .embedInCode("Dashboard/chat.js"),
            ]
        ),
        // The MCP server (`rakis mcp`): tools that ask the network through a node's HTTP API and
        // verify the certificates that come back, for agents.
        .target(
            name: "RakisMCP",
            dependencies: [
                "RakisCore",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "rakis",
            dependencies: [
                "RakisCore", "RakisNode", "RakisSimulator", "RakisEngine", "RakisNetwork", "RakisStore", "RakisRuntime", "RakisAPI",
                "RakisChain", "RakisOracle", "RakisMCP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(name: "RakisCoreTests", dependencies: ["RakisCore"]),
        .testTarget(name: "RakisNodeTests", dependencies: ["RakisCore", "RakisNode"]),
        .testTarget(
            name: "RakisEngineTests",
            dependencies: [
                "RakisEngine", "RakisTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            exclude: ["Reference"]
        ),
        // Child processes with a clean signal mask, private brokers and polling, for the tests that
        // run real processes and sockets; and `.requires`, the skip that scripts/test.sh turns into
        // a failure (the engine tests use only that: on Linux all test targets link into one
        // bundle anyway, so the dependency adds nothing to it).
        .target(name: "RakisTestSupport", dependencies: ["RakisCore", "RakisChain"], path: "Tests/RakisTestSupport"),
        .testTarget(name: "RakisNetworkTests", dependencies: ["RakisCore", "RakisNetwork", "RakisTestSupport"]),
        .testTarget(
            name: "RakisStoreTests",
            dependencies: ["RakisCore", "RakisNode", "RakisStore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "RakisRuntimeTests",
            dependencies: ["RakisCore", "RakisNode", "RakisNetwork", "RakisEngine", "RakisRuntime", "RakisStore", "RakisChain", "RakisTestSupport"]
        ),
        // The HTTP routes against a stand-in node, through Hummingbird's test client.
        .testTarget(
            name: "RakisAPITests",
            dependencies: [
                "RakisAPI", "RakisCore", "RakisNode", "RakisNetwork", "RakisRuntime", "RakisStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "RakisCLITests", dependencies: ["rakis", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "RakisChainTests", dependencies: ["RakisCore", "RakisChain", "RakisTestSupport"]),
        .testTarget(name: "RakisSimulatorTests", dependencies: ["RakisCore", "RakisNode", "RakisSimulator"]),
        // The MCP tools against a stand-in node, through the SDK's client over an in-memory transport.
        .testTarget(name: "RakisMCPTests", dependencies: ["RakisMCP", "RakisCore", .product(name: "MCP", package: "swift-sdk")]),
    ]
)
