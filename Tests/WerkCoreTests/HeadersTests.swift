import Testing
@testable import WerkCore

@Suite("Headers")
struct HeadersTests {
    @Test("lookup ignores case and returns the first value")
    func lookup() {
        let h = Headers([("Content-Type", "text/plain"), ("X-A", "1"), ("x-a", "2")])
        #expect(h["content-type"] == "text/plain")
        #expect(h["CONTENT-TYPE"] == "text/plain")
        #expect(h["X-A"] == "1")
        #expect(h["Missing"] == nil)
        #expect(h.contains("x-A"))
        #expect(!h.contains("X-AA"))
    }

    @Test("case-insensitive lookup works for names of different lengths and non-ASCII")
    func caseEdges() {
        let h = Headers([("X-Ä", "1"), ("Accept", "a")])
        #expect(h["x-Ä"] == "1")
        #expect(h["x-ä"] == nil)   // only ASCII letters fold
        #expect(h["Accep"] == nil)
        #expect(h["Accepts"] == nil)
    }

    @Test("duplicates are kept in order")
    func duplicates() {
        var h = Headers()
        h.add("Set-Cookie", "a=1")
        h.add("Set-Cookie", "b=2")
        h.add("set-cookie", "c=3")
        #expect(h.values(for: "SET-COOKIE") == ["a=1", "b=2", "c=3"])
        #expect(h.count == 3)
        #expect(h.combinedValue(for: "set-cookie") == "a=1, b=2, c=3")
        #expect(h.combinedValue(for: "Other") == nil)
    }

    @Test("set replaces every field of a name, keeping the first one's position and the name's spelling")
    func set() {
        var h = Headers([("A", "1"), ("B", "x"), ("a", "2"), ("C", "y")])
        h.set("a", "new")
        #expect(h.fields.map(\.name) == ["A", "B", "C"])
        #expect(h.fields.map(\.value) == ["new", "x", "y"])
        h.set("D", "z")
        #expect(h.fields.last == Headers.Field(name: "D", value: "z"))
    }

    @Test("the subscript setter sets, and nil removes every field of the name")
    func subscriptSetter() {
        var h = Headers([("A", "1"), ("a", "2"), ("B", "3")])
        h["A"] = "only"
        #expect(h.values(for: "a") == ["only"])
        h["a"] = nil
        #expect(!h.contains("A"))
        #expect(h.count == 1)
    }

    @Test("setIfAbsent adds only when missing")
    func setIfAbsent() {
        var h: Headers = ["Content-Type": "text/html"]
        h.setIfAbsent("content-type", "text/plain")
        h.setIfAbsent("Content-Length", "3")
        #expect(h["Content-Type"] == "text/html")
        #expect(h["Content-Length"] == "3")
        #expect(h.count == 2)
    }

    @Test("remove deletes every field of a name and leaves the others in order")
    func remove() {
        var h = Headers([("A", "1"), ("B", "2"), ("a", "3"), ("C", "4")])
        h.remove("A")
        #expect(h.fields.map(\.name) == ["B", "C"])
    }

    @Test("add(contentsOf:) appends every field in order, duplicates included")
    func addContents() {
        var h: Headers = ["A": "1"]
        h.add(contentsOf: Headers([("A", "2"), ("B", "3")]))
        #expect(h.fields.map { "\($0.name)=\($0.value)" } == ["A=1", "A=2", "B=3"])
    }

    @Test("a dictionary literal keeps its order and iteration yields fields")
    func literalAndIteration() {
        let h: Headers = ["Z": "1", "A": "2", "M": "3"]
        #expect(h.map(\.name) == ["Z", "A", "M"])
        #expect(h.description == "Z: 1\nA: 2\nM: 3")
        #expect(Headers().isEmpty)
    }

    @Test("equality depends on order and case of names")
    func equality() {
        #expect(Headers([("A", "1"), ("B", "2")]) == Headers([("A", "1"), ("B", "2")]))
        #expect(Headers([("A", "1"), ("B", "2")]) != Headers([("B", "2"), ("A", "1")]))
    }

    @Test("firstInvalidField finds names that are not tokens and values with CR, LF or NUL",
          arguments: [("X-Ok", "fine value\t!", false), ("Bad Name", "v", true), ("", "v", true), ("X:Y", "v", true),
                      ("X", "a\rb", true), ("X", "a\nb", true), ("X", "a\0b", true), ("X", "ünï", false)])
    func invalidFields(name: String, value: String, invalid: Bool) {
        let h = Headers([("Good", "1"), (name, value)])
        #expect((h.firstInvalidField != nil) == invalid)
        if invalid { #expect(h.firstInvalidField?.name == name) }
    }
}

@Suite("MultiDict")
struct MultiDictTests {
    @Test("subscript returns the first value and values(for:) all of them in order")
    func firstAndAll() {
        let d = MultiDict([("a", "1"), ("b", "2"), ("a", "3")])
        #expect(d["a"] == "1")
        #expect(d.values(for: "a") == ["1", "3"])
        #expect(d.values(for: "zz") == [])
        #expect(d["zz"] == nil)
        #expect(d.count == 3)
    }

    @Test("keys are distinct in first-seen order")
    func keys() {
        #expect(MultiDict([("b", "1"), ("a", "2"), ("b", "3"), ("c", "4")]).keys == ["b", "a", "c"])
    }

    @Test("keys are case-sensitive")
    func caseSensitive() {
        let d = MultiDict([("A", "1")])
        #expect(d["a"] == nil)
        #expect(!d.contains("a"))
        #expect(d.contains("A"))
    }

    @Test("setting replaces every value at the first one's position; nil removes the key")
    func setting() {
        var d = MultiDict([("a", "1"), ("b", "2"), ("a", "3")])
        d["a"] = "x"
        #expect(d.pairs.map { "\($0.key)=\($0.value)" } == ["a=x", "b=2"])
        d["c"] = "new"
        #expect(d.keys == ["a", "b", "c"])
        d["a"] = nil
        #expect(d.keys == ["b", "c"])
    }

    @Test("append keeps existing values and removeAll drops them all")
    func appendRemove() {
        var d = MultiDict()
        #expect(d.isEmpty)
        d.append("a", "1")
        d.append("a", "2")
        #expect(d.values(for: "a") == ["1", "2"])
        d.removeAll("a")
        #expect(d.isEmpty)
    }

    @Test("get(_:as:) converts the first value and is nil when conversion fails")
    func typedGet() {
        let d: MultiDict = ["n": "42", "x": "abc", "n2": "7"]
        #expect(d.get("n", as: { Int($0) }) == 42)
        #expect(d.get("x", as: { Int($0) }) == nil)
        #expect(d.get("missing", as: { Int($0) }) == nil)
    }

    @Test("firstValues is a flat dictionary of first values")
    func firstValues() {
        #expect(MultiDict([("a", "1"), ("a", "2"), ("b", "3")]).firstValues == ["a": "1", "b": "3"])
    }

    @Test("equality is ordered and counts duplicates")
    func equality() {
        #expect(MultiDict([("a", "1"), ("b", "2")]) == MultiDict([("a", "1"), ("b", "2")]))
        #expect(MultiDict([("a", "1"), ("b", "2")]) != MultiDict([("b", "2"), ("a", "1")]))
        #expect(MultiDict([("a", "1")]) != MultiDict([("a", "1"), ("a", "1")]))
        #expect(MultiDict([("a", "1")]) != MultiDict([("a", "2")]))
    }

    @Test("iteration and description show every pair in order")
    func iteration() {
        let d = MultiDict([("a", "1"), ("a", "2")])
        #expect(d.map(\.value) == ["1", "2"])
        #expect(d.description == #"MultiDict([("a", "1"), ("a", "2")])"#)
    }
}
