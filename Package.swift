// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ardoise",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ardoise", targets: ["ardoise"]),
        .executable(name: "ardoise-fleet", targets: ["ardoise-fleet"]),
        .executable(name: "ardoise-console", targets: ["ardoise-console"]),
        .library(name: "ArdoiseCore", targets: ["ArdoiseCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // The fleet store only: never linked into the kiosk's program.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // The staff console only. Without its default traits, Hummingbird needs FoundationEssentials only.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
    ],
    targets: [
        // statx() (STATX_MNT_ID, STATX_ATTR_MOUNT_ROOT), pipe2, accept4, SO_PEERCRED: what Glibc's Swift module hides.
        .systemLibrary(name: "CLinux"),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CInotifyTools", providers: [.apt(["libinotifytools0-dev"])]),
        .systemLibrary(name: "CCups", providers: [.apt(["libcups2-dev"])]),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CNettle", providers: [.apt(["nettle-dev"])]),
        // libwayland-client's ABI types only: the session agent opens the library itself (dlopen), as it does libX11.
        .systemLibrary(name: "CWaylandClient"),
        // Swift's tasks on libdispatch's overcommit queue: no thread-pool monitor waking the service every second.
        .target(name: "CGlobalExecutor"),
        .target(
            name: "ArdoiseCore",
            dependencies: [
                "CLinux",
                "CNettle",
                "CSQLite",
            ]
        ),
        .target(
            name: "ArdoiseSystem",
            dependencies: ["ArdoiseCore", "CLinux", "CSystemd", "CInotifyTools", "CCups", "CWaylandClient", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "ArdoiseDaemon",
            dependencies: [
                "ArdoiseCore",
                "ArdoiseSystem",
                "CLinux",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // One program: the administrators' commands, the hooks, the session agent and the service (`ardoise daemon`).
        .executableTarget(
            name: "ardoise",
            dependencies: [
                "ArdoiseCore",
                "ArdoiseSystem",
                "ArdoiseDaemon",
                "CGlobalExecutor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Drives the journal for `make bench` and for the durability test (a writer killed mid-append).
        .executableTarget(
            name: "ardoise-journal-bench",
            dependencies: ["ArdoiseCore"]
        ),
        .target(
            name: "ArdoiseFleet",
            dependencies: ["ArdoiseCore", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "ardoise-fleet",
            dependencies: ["ArdoiseFleet", "ArdoiseCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .target(
            name: "ArdoiseConsole",
            dependencies: [
                "ArdoiseCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "ardoise-console",
            dependencies: ["ArdoiseConsole", "ArdoiseFleet", "ArdoiseCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // What the test targets share; never in a product.
        .target(name: "ArdoiseTestSupport", path: "Tests/Support"),
        .testTarget(
            name: "ArdoiseCoreTests",
            dependencies: [
                "ArdoiseCore",
                "ArdoiseTestSupport",
                "CLinux",
                "CSQLite",
            ],
            // Files as earlier versions wrote them, read in place by the tests.
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "ArdoiseSystemTests",
            dependencies: ["ArdoiseSystem", "ArdoiseCore", "ArdoiseTestSupport"]
        ),
        .testTarget(
            name: "ArdoiseDaemonTests",
            dependencies: ["ArdoiseDaemon", "ArdoiseSystem", "ArdoiseCore", "ArdoiseTestSupport"]
        ),
        .testTarget(
            name: "ArdoiseConsoleTests",
            dependencies: ["ArdoiseConsole", "ArdoiseCore", "ArdoiseSystem", "ArdoiseTestSupport"]
        ),
        .testTarget(
            name: "ArdoiseFleetTests",
            dependencies: ["ArdoiseFleet", "ArdoiseCore", "ArdoiseSystem", .product(name: "PostgresNIO", package: "postgres-nio")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// A member is found only in a module this file imports: nothing of Foundation's reaches the program through a dependency.
for target in package.targets where target.type == .regular || target.type == .executable {
    target.swiftSettings = (target.swiftSettings ?? []) + [.enableUpcomingFeature("MemberImportVisibility")]
}
