// swift-tools-version:6.1
// Werk: a Swift web toolkit in the spirit of Werkzeug. No package dependencies; system C libraries
// (libc extras, libcrypto, zlib) come in through small in-repo targets. See README.md and DESIGN.md.
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

/// One target and one test target per middleware, each depending on WerkCore only.
let middleware: [(name: String, folder: String)] = [
    ("WerkRouting", "Routing"),
    ("WerkSessions", "Sessions"),
    ("WerkDispatcher", "Dispatcher"),
]

let package = Package(
    name: "Werk",
    products: [
        .library(name: "Werk", targets: ["Werk"]),
        .library(name: "WerkCore", targets: ["WerkCore"]),
        .library(name: "WerkServer", targets: ["WerkServer"]),
    ] + middleware.map { .library(name: $0.name, targets: [$0.name]) },
    dependencies: [],
    targets: [
        // System C libraries and the libc shim.
        .systemLibrary(name: "CWerkCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CWerkZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "CWerkSystem"),

        // The core and the server adapter.
        .target(name: "WerkCore", dependencies: ["CWerkCrypto", "CWerkZlib", "CWerkSystem"], swiftSettings: strict),
        .target(name: "WerkServer", dependencies: ["WerkCore", "CWerkSystem"], swiftSettings: strict),
        .target(
            name: "Werk",
            dependencies: ["WerkCore", "WerkServer"] + middleware.map { .target(name: $0.name) },
            swiftSettings: strict),

        // Samples and benchmarks may use everything.
        .executableTarget(name: "Hello", dependencies: ["Werk"], path: "Samples/Hello", swiftSettings: strict),
        .executableTarget(name: "Demo", dependencies: ["Werk"], path: "Samples/Demo", swiftSettings: strict),
        .executableTarget(name: "Benchmarks", dependencies: ["Werk"], path: "Benchmarks", swiftSettings: strict),
        // libFuzzer harness for request parsing (see the file for how to fuzz and replay).
        .executableTarget(name: "FuzzHTTP", dependencies: ["WerkServer", "WerkCore", "WerkTestSupport"], path: "Tests/FuzzHTTP",
                          exclude: ["corpus", "http.dict"], swiftSettings: strict),

        // libFuzzer harness for the multipart decoder (see the file for how to fuzz and replay).
        .executableTarget(name: "FuzzMultipart", dependencies: ["WerkCore", "WerkTestSupport"], path: "Tests/FuzzMultipart",
                          exclude: ["corpus", "multipart.dict"], swiftSettings: strict),

        // What several test targets share: the interop vectors loader.
        .target(name: "WerkTestSupport", dependencies: ["WerkCore"], path: "Tests/WerkTestSupport", swiftSettings: strict),
        .testTarget(name: "WerkCoreTests", dependencies: ["WerkCore", "WerkTestSupport"],
                    exclude: ["Fixtures"],  // multipart browser captures and their generator
                    swiftSettings: strict),
        .testTarget(name: "WerkServerTests", dependencies: ["WerkServer", "WerkCore"], swiftSettings: strict),
    ]
    + middleware.flatMap { item -> [Target] in
        [
            .target(name: item.name, dependencies: ["WerkCore"], path: "Middleware/\(item.folder)",
                    swiftSettings: strict),
            .testTarget(name: "\(item.name)Tests", dependencies: [.target(name: item.name), "WerkCore", "WerkTestSupport"],
                        exclude: item.name == "WerkSessions" ? ["Fixtures"] : [],  // the Flask app the live tests run
                        swiftSettings: strict),
        ]
    }
)
