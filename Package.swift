// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ardoise",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ardoise", targets: ["ardoise"]),
        .library(name: "ArdoiseCore", targets: ["ArdoiseCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // statx() with STATX_MNT_ID / STATX_ATTR_MOUNT_ROOT, which Glibc's Swift overlay does not expose.
        .systemLibrary(name: "CStatx"),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .target(
            name: "ArdoiseCore",
            dependencies: [
                "CStatx",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "ArdoiseSystem",
            dependencies: ["ArdoiseCore", "CSystemd"]
        ),
        .executableTarget(
            name: "ardoise",
            dependencies: [
                "ArdoiseCore",
                "ArdoiseSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Drives the journal for `make bench` and for the durability test (a writer killed mid-append).
        .executableTarget(
            name: "ardoise-journal-bench",
            dependencies: ["ArdoiseCore"]
        ),
        .testTarget(
            name: "ArdoiseCoreTests",
            dependencies: [
                "ArdoiseCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "ArdoiseSystemTests",
            dependencies: ["ArdoiseSystem", "ArdoiseCore"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
