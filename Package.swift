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
    ],
    targets: [
        // statx() with STATX_MNT_ID / STATX_ATTR_MOUNT_ROOT, which Glibc's Swift overlay does not expose.
        .systemLibrary(name: "CStatx"),
        .target(
            name: "ArdoiseCore",
            dependencies: [
                "CStatx",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        .executableTarget(
            name: "ardoise",
            dependencies: [
                "ArdoiseCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "ArdoiseCoreTests",
            dependencies: ["ArdoiseCore"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
