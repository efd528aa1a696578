// swift-tools-version: 6.1
import PackageDescription

/// One library target per concern; the `trainscope` executable only parses arguments.
/// Dependency arrows point from the wiring (`TrainScope`) toward the parsers, never back.
let package = Package(
    name: "trainscope",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "trainscope", targets: ["trainscope"]),
        .library(name: "JobSpec", targets: ["JobSpec"]),
        .library(name: "RuleCatalogue", targets: ["RuleCatalogue"]),
        .library(name: "LogMetrics", targets: ["LogMetrics"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "Exposition", targets: ["Exposition"]),
        .library(name: "TensorIO", targets: ["TensorIO"]),
        .library(name: "SystemProfiler", targets: ["SystemProfiler"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "PCRE2", dependencies: ["CPCRE2"]),
        .target(name: "JobSpec", dependencies: ["PCRE2", "LogMetrics", "RuleCatalogue"]),
        .target(name: "RuleCatalogue", dependencies: []),
        .target(name: "RuleEngine", dependencies: ["TensorIO", "PCRE2", "RuleCatalogue"]),
        .target(name: "LogMetrics", dependencies: ["PCRE2"]),
        .target(name: "CSpawnShims"),
        .target(name: "LogSources", dependencies: ["CSpawnShims"]),
        .target(name: "Store", dependencies: ["CSQLite"]),
        .target(name: "Exposition", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "CNVMLShim", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "SystemProfiler", dependencies: [
            "CNVMLShim", "JobSpec", "Store", "Exposition",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "CCRC32C"),
        .target(name: "TensorIO", dependencies: [
            "CCRC32C", "JobSpec", "PCRE2",
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "TrainScope", dependencies: [
            "JobSpec", "LogMetrics", "LogSources", "Store", "Exposition", "TensorIO", "SystemProfiler", "RuleCatalogue", "RuleEngine",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(name: "trainscope", dependencies: [
            "TrainScope", "JobSpec", "LogSources",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(name: "TrainScopeTesting", dependencies: []),
        .testTarget(name: "PCRE2Tests", dependencies: ["PCRE2"]),
        .testTarget(name: "JobSpecTests", dependencies: ["JobSpec", "LogMetrics", "TrainScopeTesting"], exclude: ["Fixtures"]),
        .testTarget(name: "RuleCatalogueTests", dependencies: ["RuleCatalogue", "TrainScopeTesting"], exclude: ["Conformance"]),
        .testTarget(name: "LogMetricsTests", dependencies: ["LogMetrics", "TrainScopeTesting"], exclude: ["Fixtures"]),
        .testTarget(name: "LogSourcesTests", dependencies: ["LogSources", "TrainScopeTesting"], exclude: ["Fixtures"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "TrainScopeTesting"]),
        .testTarget(name: "ExpositionTests", dependencies: ["Exposition", "TrainScopeTesting"], exclude: ["Fixtures"]),
        .testTarget(name: "TrainScopeTests", dependencies: ["TrainScope", "LogMetrics", "LogSources", "TrainScopeTesting"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "SystemProfilerTests", dependencies: ["SystemProfiler", "Store", "Exposition", "JobSpec", "TrainScopeTesting"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "TensorIOTests", dependencies: [
            "TensorIO", "JobSpec", "Exposition", "TrainScopeTesting", .product(name: "HummingbirdTesting", package: "hummingbird"),
        ], exclude: ["Conformance", "Fixtures"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TrainScopeTesting"], exclude: ["Scripts"]),
    ]
)
