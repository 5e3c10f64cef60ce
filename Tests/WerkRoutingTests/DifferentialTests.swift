import Testing
import WerkCore
@testable import WerkRouting

/// The map of Tests/make_routing_differential.py, answered by Werkzeug 3.1.8 for every path and method
/// in WerkzeugDifferentialCases.swift.
@Suite("Differential against Werkzeug")
struct DifferentialTests {
    static let router = Router {
        Route("/", name: "index", handler: echo("index"))
        Route("/about/", name: "about", handler: echo("about"))
        Route("/contact", methods: [.get, .post], name: "contact", handler: echo("contact"))
        Route("/blog/", name: "blog", defaults: ["page": 1], handler: echo("blog"))
        Route("/blog/page/<int:page>", name: "blog", handler: echo("blog"))
        Route("/blog/<int(fixed_digits=4):year>/<int(min=1, max=12):month>/", name: "archive", handler: echo("a"))
        Route("/blog/<int(fixed_digits=4):year>/<int(min=1, max=12):month>/<slug>", methods: [.get], name: "post",
              handler: echo("post"))
        Route("/blog/<int(fixed_digits=4):year>/<int(min=1, max=12):month>/<slug>", methods: [.put, .delete],
              name: "post_edit", handler: echo("post_edit"))
        Route("/wiki/<path:page>", name: "wiki", handler: echo("wiki"))
        Route("/wiki/<path:page>/edit", name: "wiki_edit", handler: echo("wiki_edit"))
        Route("/wiki/<path:page>/history/", name: "wiki_history", handler: echo("wiki_history"))
        Route("/files/<string(minlength=2, maxlength=5):name>.<any(txt, md, 'tar.gz'):ext>", name: "file",
              handler: echo("file"))
        Route("/lang/<string(length=2):code>/", name: "lang", handler: echo("lang"))
        Route("/lang/<code>/", name: "lang_long", handler: echo("lang_long"))
        Route("/geo/<float(signed=True):lat>,<float(signed=True):lon>", name: "geo", handler: echo("geo"))
        Route("/temp/<int(signed=True):deg>", name: "temp", handler: echo("temp"))
        Route("/obj/<uuid:id>", name: "obj", handler: echo("obj"))
        Route("/obj/new", name: "obj_new", handler: echo("obj_new"))
        Route("/u/<user>/<int:n>", name: "user_n", handler: echo("user_n"))
        Route("/u/<user>/settings", methods: [.get, .patch], name: "user_settings", handler: echo("settings"))
        Route("/u/me/<int:n>", name: "me_n", handler: echo("me_n"))
        Route("/static/<path:file>", methods: [.get], name: "static", handler: echo("static"))
        Route("/loose/", name: "loose", strictSlashes: false, handler: echo("loose"))
        Route("/loose2", name: "loose2", strictSlashes: false, handler: echo("loose2"))
        Route("/a-<x>-b", name: "dashed", handler: echo("dashed"))
        Route("/v<int:major>.<int:minor>/", name: "version", handler: echo("version"))
    }

    @Test("every path and method gets Werkzeug's answer")
    func matches() throws {
        try Self.router.validate()
        #expect(werkzeugMatchCases.count > 300)
        for c in werkzeugMatchCases {
            let (path, method, kind) = (c[0], Method(c[1]), c[2])
            let result = Self.router.test(path, method)
            switch kind {
            case "match":
                let values = result.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                    .joined(separator: ";")
                #expect(result.endpoint == c[3] && values == c[4], "\(method) \(path): \(result)")
            case "redirect":
                #expect(result.location == c[3], "\(method) \(path): \(result)")
            case "405":
                #expect(result.allowed?.joined(separator: ", ") == c[3], "\(method) \(path): \(result)")
            case "404":
                #expect(result.isNotFound, "\(method) \(path): \(result)")
            default:
                Issue.record("unexpected case \(c)")
            }
        }
    }

    @Test("every build gets Werkzeug's URL")
    func builds() throws {
        #expect(werkzeugBuildCases.count > 10)
        for c in werkzeugBuildCases {
            let object = try JSON.parse(c[1]).objectValue ?? [:]
            // The keys in their JSON order (Werkzeug appends unknown values in dict order).
            let order = object.keys.sorted { a, b in
                (c[1].firstRange(of: "\"\(a)\":")?.lowerBound ?? c[1].endIndex)
                    < (c[1].firstRange(of: "\"\(b)\":")?.lowerBound ?? c[1].endIndex)
            }
            let values: [(String, any Sendable)] = order.map { key in
                let v = object[key]!
                if let i = v.intValue { return (key, i) }
                if let d = v.doubleValue { return (key, d) }
                return (key, v.stringValue!)
            }
            let url = (try? Self.router.map.build(c[0], values, context: exampleBinding)) ?? "error"
            #expect(url == c[2], "\(c[0]) \(c[1])")
        }
    }
}
