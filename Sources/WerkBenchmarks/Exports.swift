// WerkBenchmarks: benchmark your own stacks in process and over the wire, compare them with a
// baseline stack and with saved results, and catch regressions in CI. A tool library, like
// WerkTesting: a package's own `Benchmarks` executable imports it.
@_exported import WerkCore
