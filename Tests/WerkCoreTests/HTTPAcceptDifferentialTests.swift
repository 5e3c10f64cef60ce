import Testing
import WerkCore

/// Differential cases for `MIMEAccept`: each header's parsed items (in order), the best match for
/// several offer lists and the quality of three values, as Werkzeug 3.1.8 computes them
/// (`parse_accept_header(h, MIMEAccept)`, `best_match`, `a[value]`); generated once by the
/// script in the comment at the end and checked in as literals.
@Suite("Accept headers against Werkzeug")
struct HTTPAcceptDifferentialTests {
    static let offers: [[String]] = [
        ["application/json", "text/html"], ["text/html", "application/json"], ["text/plain"],
        ["application/xml", "text/html;level=1"], ["image/png", "image/jpeg"],
        ["application/vnd.api+json", "application/json"], ["TEXT/Html"],
    ]
    static let qualityValues = ["text/html", "application/json", "text/plain"]

    static let cases: [(String, [(String, Double)], [String?], [Double])] = [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", [("text/html", 1.0), ("application/xhtml+xml", 1.0), ("application/xml", 0.9), ("*/*", 0.8)], ["text/html", "text/html", "text/plain", "application/xml", "image/png", "application/vnd.api+json", "TEXT/Html"], [1.0, 0.8, 0.8]),
        ("application/json", [("application/json", 1.0)], ["application/json", "application/json", nil, nil, nil, "application/json", nil], [0.0, 1.0, 0.0]),
        ("*/*", [("*/*", 1.0)], ["application/json", "text/html", "text/plain", "application/xml", "image/png", "application/vnd.api+json", "TEXT/Html"], [1.0, 1.0, 1.0]),
        ("text/*", [("text/*", 1.0)], ["text/html", "text/html", "text/plain", "text/html;level=1", nil, nil, "TEXT/Html"], [1.0, 0.0, 1.0]),
        ("text/*;q=0.5, text/html", [("text/html", 1.0), ("text/*", 0.5)], ["text/html", "text/html", "text/plain", "text/html;level=1", nil, nil, "TEXT/Html"], [1.0, 0.0, 0.5]),
        ("TEXT/HTML", [("TEXT/HTML", 1.0)], ["text/html", "text/html", nil, nil, nil, nil, "TEXT/Html"], [1.0, 0.0, 0.0]),
        ("text/html;level=1, text/html;q=0.9", [("text/html; level=1", 1.0), ("text/html", 0.9)], ["text/html", "text/html", nil, "text/html;level=1", nil, nil, "TEXT/Html"], [0.9, 0.0, 0.0]),
        ("text/html; level=1;q=0.7, text/*;q=0.3, */*;q=0.1", [("text/html; level=1", 0.7), ("text/*", 0.3), ("*/*", 0.1)], ["text/html", "text/html", "text/plain", "text/html;level=1", "image/png", "application/vnd.api+json", "TEXT/Html"], [0.3, 0.1, 0.3]),
        ("application/json;q=0, */*", [("application/json", 0.0), ("*/*", 1.0)], ["text/html", "text/html", "text/plain", "application/xml", "image/png", "application/vnd.api+json", "TEXT/Html"], [1.0, 0.0, 1.0]),
        ("*/*;q=0.0, text/plain", [("text/plain", 1.0), ("*/*", 0.0)], [nil, nil, "text/plain", nil, nil, nil, nil], [0.0, 0.0, 1.0]),
        ("text/plain; q=0.5, text/html, text/x-dvi; q=0.8, text/x-c", [("text/html", 1.0), ("text/x-c", 1.0), ("text/x-dvi", 0.8), ("text/plain", 0.5)], ["text/html", "text/html", "text/plain", nil, nil, nil, "TEXT/Html"], [1.0, 0.0, 0.5]),
        ("image/*;q=0.9, image/png", [("image/png", 1.0), ("image/*", 0.9)], [nil, nil, nil, nil, "image/png", nil, nil], [0.0, 0.0, 0.0]),
        ("text/html;q=1.5, application/json", [("application/json", 1.0)], ["application/json", "application/json", nil, nil, nil, "application/json", nil], [0.0, 1.0, 0.0]),
        ("text/html;q=abc, application/json;q=0.2", [("application/json", 0.2)], ["application/json", "application/json", nil, nil, nil, "application/json", nil], [0.0, 0.2, 0.0]),
        ("text/html;Q=0.4, text/plain", [("text/plain", 1.0), ("text/html", 0.4)], ["text/html", "text/html", "text/plain", nil, nil, nil, "TEXT/Html"], [0.4, 0.0, 1.0]),
        ("application/xml;charset=utf-8;q=0.9, application/xml", [("application/xml; charset=utf-8", 0.9), ("application/xml", 1.0)], [nil, nil, nil, "application/xml", nil, nil, nil], [0.0, 0.0, 0.0]),
        ("text/html ; q=0.7 , application/json ;q=0.6", [("text/html", 0.7), ("application/json", 0.6)], ["text/html", "text/html", nil, nil, nil, "application/json", "TEXT/Html"], [0.7, 0.6, 0.0]),
        ("*/html, text/html;q=0.5", [("text/html", 0.5), ("*/html", 1.0)], ["text/html", "text/html", nil, nil, nil, nil, "TEXT/Html"], [0.5, 0.0, 0.0]),
        ("text/html;q=-0, application/json;q=0.001", [("application/json", 0.001), ("text/html", -0.0)], ["application/json", "application/json", nil, nil, nil, "application/json", nil], [-0.0, 0.001, 0.0]),
        ("text/html,,application/json", [("text/html", 1.0), ("application/json", 1.0)], ["application/json", "text/html", nil, nil, nil, "application/json", "TEXT/Html"], [1.0, 1.0, 0.0]),
        ("  text/HTML ;  q=0.3  , Application/JSON", [("Application/JSON", 1.0), ("text/HTML", 0.3)], ["application/json", "application/json", nil, nil, nil, "application/json", "TEXT/Html"], [0.3, 1.0, 0.0]),
        ("application/*;q=0.8, application/json;q=0.2", [("application/json", 0.2), ("application/*", 0.8)], ["application/json", "application/json", nil, "application/xml", nil, "application/vnd.api+json", nil], [0.0, 0.2, 0.0]),
        ("text/html;level=2;q=0.4, text/html;q=0.9", [("text/html; level=2", 0.4), ("text/html", 0.9)], ["text/html", "text/html", nil, nil, nil, nil, "TEXT/Html"], [0.9, 0.0, 0.0]),
        ("foo, text/html;q=0.1", [("text/html", 0.1), ("foo", 1.0)], ["text/html", "text/html", nil, nil, nil, nil, "TEXT/Html"], [0.1, 0.0, 0.0]),
        ("text/html/extra, application/json;q=0.5", [("text/html/extra", 1.0), ("application/json", 0.5)], ["application/json", "application/json", nil, nil, nil, "application/json", nil], [0.0, 0.5, 0.0]),
        ("text/html;q=0.5, text/html;q=0.9", [("text/html", 0.9), ("text/html", 0.5)], ["text/html", "text/html", nil, nil, nil, nil, "TEXT/Html"], [0.9, 0.0, 0.0]),
        ("application/vnd.api+json;q=0.9, application/json;q=0.8", [("application/vnd.api+json", 0.9), ("application/json", 0.8)], ["application/json", "application/json", nil, nil, nil, "application/vnd.api+json", nil], [0.0, 0.8, 0.0]),
        ("*/*;q=0.1, application/*;q=0.2, application/json;q=0.3", [("application/json", 0.3), ("application/*", 0.2), ("*/*", 0.1)], ["application/json", "application/json", "text/plain", "application/xml", "image/png", "application/json", "TEXT/Html"], [0.1, 0.3, 0.1]),
        ("text/html;q=\"0.5\", application/json;q=0.4", [("text/html", 0.5), ("application/json", 0.4)], ["text/html", "text/html", nil, nil, nil, "application/json", "TEXT/Html"], [0.5, 0.4, 0.0]),
        ("text/html;q=1., application/json", [("application/json", 1.0)], ["application/json", "application/json", nil, nil, nil, "application/json", nil], [0.0, 1.0, 0.0]),
    ]

    @Test("items, best matches and qualities equal Werkzeug's", arguments: 0..<cases.count)
    func matchesWerkzeug(_ index: Int) {
        let (header, items, best, qualities) = Self.cases[index]
        let accept = MIMEAccept(parsing: header)
        #expect(accept.items.map(\.value) == items.map(\.0), "\(header)")
        #expect(accept.items.map(\.quality) == items.map(\.1), "\(header)")
        for (offers, expected) in zip(Self.offers, best) {
            #expect(accept.bestMatch(offers) == expected, "\(header) \(offers)")
        }
        for (value, expected) in zip(Self.qualityValues, qualities) {
            #expect(accept.quality(for: value) == expected, "\(header) \(value)")
        }
    }
}

// Generator (python3, Werkzeug 3.1.8):
//   from werkzeug.datastructures import MIMEAccept
//   from werkzeug.http import parse_accept_header
//   a = parse_accept_header(header, MIMEAccept)
//   items = [(v, float(q)) for v, q in a]; best = [a.best_match(o) for o in offers]
//   qualities = [float(a[v]) for v in ("text/html", "application/json", "text/plain")]
