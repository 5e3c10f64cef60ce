// swift-tools-version:6.1
// Werk: a Swift web toolkit in the spirit of Werkzeug. No package dependencies; system C libraries
// (libc extras, libcrypto, zlib) come in through small in-repo targets. See README.md and ARCHITECTURE.md.
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

/// One target and one test target per middleware, each depending on WerkCore (and, where listed
/// below, another core library) only: never on another middleware nor on the server.
let middleware: [(name: String, folder: String)] = [
    ("WerkRouting", "Routing"),
    ("WerkSessions", "Sessions"),
    ("WerkDispatcher", "Dispatcher"),
    ("WerkStaticFiles", "StaticFiles"),
    ("WerkCompress", "Compress"),
    ("WerkProxyFix", "ProxyFix"),
    ("WerkLint", "Lint"),
    ("WerkHTTPProxy", "HTTPProxy"),
    ("WerkProfiler", "Profiler"),
    ("WerkDebugger", "Debugger"),
]

/// The core libraries a middleware needs beyond WerkCore: sessions sign with WerkSigning, the reverse
/// proxy is built on the HTTP client.
let extraDependencies: [String: [Target.Dependency]] = [
    "WerkSessions": ["WerkSigning"],
    "WerkHTTPProxy": ["WerkHTTPClient"],
    "WerkDebugger": ["WerkDiagnostics"],
]

/// What a middleware's tests use beyond it, WerkCore and WerkTestSupport: ProxyFix's tests check that
/// a Router's redirects and URLs follow the fixed request; the static-files and proxy tests run a
/// live server.
let extraTestDependencies: [String: [Target.Dependency]] = [
    "WerkSessions": ["WerkSigning"],
    "WerkProxyFix": ["WerkRouting"],
    "WerkStaticFiles": ["WerkServer"],                     // the live nginx comparison
    "WerkHTTPProxy": ["WerkServer", "WerkHTTPClient"],     // a Werk server in front and behind
    "WerkProfiler": ["WerkServer", "WerkRouting", "WerkDispatcher"],  // the UI in a headless browser over a live server; routes noted by a Router
    "WerkDebugger": ["WerkDiagnostics", "WerkServer", "WerkSessions"],  // a live server for the browser; a session to inspect
]

let package = Package(
    name: "Werk",
    products: [
        .library(name: "Werk", targets: ["Werk"]),
        .library(name: "WerkCore", targets: ["WerkCore"]),
        .library(name: "WerkServer", targets: ["WerkServer"]),
        .library(name: "WerkSigning", targets: ["WerkSigning"]),
        .library(name: "WerkHTTPClient", targets: ["WerkHTTPClient"]),
        .library(name: "WerkDiagnostics", targets: ["WerkDiagnostics"]),
        .library(name: "WerkTesting", targets: ["WerkTesting"]),
        .library(name: "WerkBenchmarks", targets: ["WerkBenchmarks"]),
    ] + middleware.map { .library(name: $0.name, targets: [$0.name]) },
    dependencies: [],
    targets: [
        // System C libraries and the libc shim.
        .systemLibrary(name: "CWerkCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CWerkZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "CWerkSystem"),
        // malloc and its siblings interposed (forwarding to glibc) to count allocations for WerkBenchmarks.
        .target(name: "CWerkAllocations"),
        // The Swift runtime's will-throw hook (`_swift_willThrow`), exchanged atomically.
        .target(name: "CWerkThrowHook"),

        // The core libraries and the server adapter.
        .target(name: "WerkCore", dependencies: ["CWerkCrypto", "CWerkZlib", "CWerkSystem"], swiftSettings: strict),
        // itsdangerous' signed formats and Flask's tagged JSON (Werkzeug leaves signing to itsdangerous).
        .target(name: "WerkSigning", dependencies: ["WerkCore"], swiftSettings: strict),
        // The HTTP/1.1 client: on WerkCore only, so that the server (LiveTransport) and middleware can use it.
        .target(name: "WerkHTTPClient", dependencies: ["WerkCore"], swiftSettings: strict),
        // What error pages share: the report model, its HTML/text/JSON renderers, throw-site backtraces
        // and symbolication (the Debugger middleware and the dev server's crash pages).
        .target(name: "WerkDiagnostics", dependencies: ["WerkCore", "CWerkThrowHook"], swiftSettings: strict),
        // The dev server (--reload) renders crash pages with WerkDiagnostics, as the Debugger does.
        .target(name: "WerkServer", dependencies: ["WerkCore", "CWerkSystem", "WerkDiagnostics"], swiftSettings: strict),
        // The test client, its cookie jar, and LiveTransport (the same calls over a real socket).
        .target(name: "WerkTesting", dependencies: ["WerkCore", "WerkServer", "WerkHTTPClient"], swiftSettings: strict),
        // Benchmarking users' stacks: in process (ns, allocations, per-layer cost), over loopback (load
        // generator, latency histogram), reports, baselines. A tool library like WerkTesting; not in the umbrella.
        .target(name: "WerkBenchmarks", dependencies: ["WerkCore", "WerkServer", "CWerkAllocations"], swiftSettings: strict),
        .target(
            name: "Werk",
            dependencies: ["WerkCore", "WerkServer", "WerkSigning", "WerkHTTPClient", "WerkDiagnostics", "WerkTesting"]
                + middleware.map { .target(name: $0.name) },
            swiftSettings: strict),

        // Samples and benchmarks may use everything.
        .executableTarget(name: "Hello", dependencies: ["Werk"], path: "Samples/Hello", swiftSettings: strict),
        .executableTarget(name: "Demo", dependencies: ["Werk"], path: "Samples/Demo",
                          exclude: ["public"],  // static files SharedData serves from disk at /static/
                          swiftSettings: strict),
        .executableTarget(name: "Benchmarks", dependencies: ["Werk", "WerkBenchmarks"], path: "Benchmarks", swiftSettings: strict),
        // libFuzzer harness for request parsing (see the file for how to fuzz and replay).
        .executableTarget(name: "FuzzHTTP", dependencies: ["WerkServer", "WerkCore", "WerkTestSupport", "WerkTesting"], path: "Tests/FuzzHTTP",
                          exclude: ["corpus", "http.dict"], swiftSettings: strict),

        // libFuzzer harness for the multipart decoder (see the file for how to fuzz and replay).
        .executableTarget(name: "FuzzMultipart", dependencies: ["WerkCore", "WerkTestSupport", "WerkTesting"], path: "Tests/FuzzMultipart",
                          exclude: ["corpus", "multipart.dict"], swiftSettings: strict),

        // What several test targets share: the interop vectors loader, the tool trait, SplitMix.
        .target(name: "WerkTestSupport", dependencies: ["WerkCore", "WerkServer", "WerkTesting"], path: "Tests/WerkTestSupport", swiftSettings: strict),
        .testTarget(name: "WerkCoreTests", dependencies: ["WerkCore", "WerkTestSupport", "WerkTesting"],
                    exclude: ["Fixtures"],  // multipart browser captures and their generator
                    swiftSettings: strict),
        .testTarget(name: "WerkSigningTests", dependencies: ["WerkSigning", "WerkCore", "WerkTestSupport", "WerkTesting"], swiftSettings: strict),
        .testTarget(name: "WerkServerTests", dependencies: ["WerkServer", "WerkCore", "WerkTestSupport", "WerkTesting"], swiftSettings: strict),
        // The benchmark library's argument parser, comparison, reports and load generator (nothing timed).
        .testTarget(name: "WerkBenchmarksTests", dependencies: ["WerkBenchmarks", "WerkCore", "WerkServer", "WerkTestSupport"], swiftSettings: strict),
        // The dev server's watcher, build diagnostics, live reload and error pages (fixtures: captured `swift build` output).
        .testTarget(name: "WerkDevServerTests", dependencies: ["WerkServer", "WerkCore", "WerkTestSupport", "WerkTesting"],
                    exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "WerkDiagnosticsTests", dependencies: ["WerkDiagnostics", "WerkCore", "WerkTestSupport", "WerkTesting"],
                    swiftSettings: strict),
        .testTarget(name: "WerkHTTPClientTests", dependencies: ["WerkHTTPClient", "WerkServer", "WerkCore", "WerkTestSupport", "WerkTesting"],
                    swiftSettings: strict),
        // nginx in front of two Werk processes running DeploymentApp (skipped without nginx; CI installs nginx-light).
        .executableTarget(name: "DeploymentApp", dependencies: ["Werk"], path: "Tests/DeploymentApp", swiftSettings: strict),
        .testTarget(name: "WerkDeploymentTests", dependencies: ["Werk", "WerkTestSupport", "WerkTesting", "DeploymentApp"],
                    swiftSettings: strict),
        // The worker supervisor's tests run Tests/WorkerApp under `--workers N` (crashes, reloads, hangs).
        .executableTarget(name: "WorkerApp", dependencies: ["Werk"], path: "Tests/WorkerApp", swiftSettings: strict),
        .testTarget(name: "WerkWorkersTests", dependencies: ["WerkServer", "WerkCore", "WerkTestSupport", "WerkTesting", "WorkerApp"],
                    exclude: ["Fixtures"], swiftSettings: strict),
        // Every ```swift block of README.md and the DocC articles, compiled and run (Scripts/extract_doc_snippets.py).
        .testTarget(name: "WerkDocSnippetsTests", dependencies: ["Werk", "WerkBenchmarks", "WerkTestSupport", "WerkTesting"], swiftSettings: strict),
    ]
    + middleware.flatMap { item -> [Target] in
        [
            .target(name: item.name, dependencies: ["WerkCore"] + extraDependencies[item.name, default: []],
                    path: "Middleware/\(item.folder)",
                    swiftSettings: strict),
            .testTarget(name: "\(item.name)Tests",
                        dependencies: [.target(name: item.name), "WerkCore", "WerkTestSupport", "WerkTesting"]
                            + extraTestDependencies[item.name, default: []],
                        exclude: item.name == "WerkSessions" ? ["Fixtures"] : [],  // the Flask app the live tests run
                        swiftSettings: strict),
        ]
    }
)
