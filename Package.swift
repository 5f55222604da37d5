// swift-tools-version:6.1
import PackageDescription

// Layers (STYLE.md): PartnerCore ← PartnerStore ← PartnerWeb ← partnerhub.
// PartnerCore depends on nothing but Foundation: the rules live there, pure.
let package = Package(
    name: "PartnerHub",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "partnerhub", targets: ["partnerhub"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/JohnSundell/Plot.git", from: "0.14.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        // Already in the graph through Vapor; named for the SMTP client's STARTTLS (R-N1).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .target(name: "PartnerCore"),
        .target(
            name: "PartnerStore",
            dependencies: [
                "PartnerCore",
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "PartnerWeb",
            dependencies: [
                "PartnerCore",
                "PartnerStore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Plot", package: "Plot"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(name: "partnerhub", dependencies: ["PartnerWeb"]),
        // Benchmark baseline only: Vapor's hello-world, run next to partnerhub by bench/run.sh.
        .executableTarget(name: "vapor-hello", dependencies: [.product(name: "Vapor", package: "vapor")]),
        // Test databases (a fresh SQLite file, or a fresh PostgreSQL database on a local server)
        // and a settable clock, shared by the store and web tests.
        .target(
            name: "PartnerTestSupport",
            dependencies: [
                "PartnerStore",
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
            ]
        ),
        .testTarget(name: "PartnerCoreTests", dependencies: ["PartnerCore"]),
        .testTarget(name: "PartnerStoreTests", dependencies: ["PartnerStore", "PartnerTestSupport"]),
        .testTarget(
            name: "PartnerWebTests",
            dependencies: [
                "PartnerWeb",
                "PartnerTestSupport",
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
