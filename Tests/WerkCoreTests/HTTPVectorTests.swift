import FoundationEssentials
import Testing
import WerkCore
import WerkTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The byte-exact Werkzeug outputs in `Tests/Fixtures/interop-vectors.json`.
/// A missing or unreadable file fails these tests; it never skips them.
struct HTTPVectors: Decodable {
    struct CookieCase: Decodable {
        var parse: String?
        var dump: [JSONValue]?
        var result: JSONValue
    }
    struct HTTPDateCase: Decodable {
        var timestamp: Int
        var formatted: String
    }
    struct RangeCase: Decodable {
        var header: String
        var ranges: [[Int?]]?
    }
    var cookies: [CookieCase]
    var http_date: HTTPDateCase
    var ranges: [RangeCase]

    static func load() throws -> HTTPVectors {
        try JSONDecoder().decode(HTTPVectors.self, from: Data(InteropVectors.bytes()))
    }
}

/// Any JSON value.
enum JSONValue: Decodable, Equatable {
    case string(String), int(Int), bool(Bool), array([JSONValue]), object([String: JSONValue]), null

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    var string: String? { if case .string(let s) = self { s } else { nil } }
    var int: Int? { if case .int(let i) = self { i } else { nil } }
    var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    var object: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
}

@Suite("Werkzeug interop vectors for HTTP helpers")
struct HTTPVectorTests {
    @Test("the vectors file exists and holds cookie, date and range cases")
    func vectorsLoad() throws {
        let v = try HTTPVectors.load()
        #expect(!v.cookies.isEmpty)
        #expect(!v.ranges.isEmpty)
    }

    @Test("every parse_cookie vector gives the same pairs")
    func cookieParseVectors() throws {
        let cases = try HTTPVectors.load().cookies.filter { $0.parse != nil }
        #expect(cases.count >= 1)
        for c in cases {
            let expected = try #require(c.result.array).map { pair -> [String] in
                (pair.array ?? []).compactMap(\.string)
            }
            let got = Cookies.parse(c.parse!).pairs.map { [$0.key, $0.value] }
            #expect(got.sorted { $0[0] < $1[0] } == expected.sorted { $0[0] < $1[0] }, "parse \(c.parse!)")
            // Werkzeug's MultiDict groups by key; per key, the order must be the same.
            for key in Set(expected.map { $0[0] }) {
                #expect(got.filter { $0[0] == key } == expected.filter { $0[0] == key })
            }
        }
    }

    @Test("every dump_cookie vector is byte-identical")
    func cookieDumpVectors() throws {
        let cases = try HTTPVectors.load().cookies.filter { $0.dump != nil }
        #expect(cases.count >= 1)
        for c in cases {
            let args = c.dump!
            let name = try #require(args[0].string), value = try #require(args[1].string)
            let opts = args.count > 2 ? (args[2].object ?? [:]) : [:]
            var cookie = SetCookie(name: name, value: value)
            for (k, v) in opts {
                switch k {
                case "httponly": cookie.httpOnly = v.bool ?? false
                case "secure": cookie.secure = v.bool ?? false
                case "partitioned": cookie.partitioned = v.bool ?? false
                case "path": cookie.path = v.string
                case "domain": cookie.domain = v.string
                case "max_age": cookie.maxAge = v.int
                case "expires": cookie.expires = v.int
                case "samesite": cookie.sameSite = v.string.flatMap(SetCookie.SameSite.init(rawValue:))
                default: Issue.record("unknown dump_cookie option \(k)")
                }
            }
            #expect(cookie.headerValue(now: 0) == c.result.string, "dump \(name)")
        }
    }

    @Test("http_date vector formats and parses back")
    func httpDateVector() throws {
        let v = try HTTPVectors.load().http_date
        #expect(HTTPDate.format(v.timestamp) == v.formatted)
        #expect(HTTPDate.parse(v.formatted) == v.timestamp)
    }

    @Test("every parse_range_header vector gives the same exclusive ranges")
    func rangeVectors() throws {
        let cases = try HTTPVectors.load().ranges
        #expect(cases.count >= 1)
        for c in cases {
            let parsed = RangeHeader(parsing: c.header)
            if let expected = c.ranges {
                let got = try #require(parsed, "\(c.header) should parse")
                #expect(got.ranges.map { [$0.start, $0.end] } == expected, "\(c.header)")
            } else {
                #expect(parsed == nil, "\(c.header) should be invalid")
            }
        }
    }
}
