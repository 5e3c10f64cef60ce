import Testing
import WerkCore
@testable import WerkDebugger

@Suite("Debugger PIN and inspector paths")
struct DebuggerPINTests {
    @Test("the PIN and cookie name follow Werkzeug's derivation (vector computed with Python's hashlib)")
    func werkzeugScheme() {
        let pin = DebuggerPIN(publicBits: ["alice", "Werk", "Demo", "/app/.build/debug/Demo"],
                              privateBits: ["2485377892354", "0123456789abcdef0123456789abcdef"])
        #expect(pin.cookieName == "__wzd2bd6e991783b866559f2")
        #expect(pin.pin == "745-740-437")
        #expect(pin.matches("745740437") && pin.matches("745-740-437") && !pin.matches("745-740-438"))
    }

    @Test("WERK_DEBUG_PIN sets the PIN (grouped when given without dashes) or turns it off", arguments: [
        ("123456789", "123-456-789"), ("123-45-6789", "123-45-6789"), ("12345678", "1234-5678"), ("off", nil),
    ])
    func override(value: String, expected: String?) {
        #expect(DebuggerPIN(publicBits: ["a"], privateBits: ["b"], override: value).pin == expected)
    }

    @Test("the cookie is Werkzeug's time|hash and is accepted for 7 days only")
    func cookie() {
        let pin = DebuggerPIN(publicBits: ["a"], privateBits: ["b"], override: "123-456-789")
        #expect(pin.cookieValue(now: 1_000) == "1000|9130fd746c6b")
        #expect(pin.acceptsCookie("1000|9130fd746c6b", now: 1_000 + 604_800))
        #expect(!pin.acceptsCookie("1000|9130fd746c6b", now: 1_000 + 604_801))
        #expect(!pin.acceptsCookie("1000|9130fd746c6c", now: 1_000))
        #expect(!pin.acceptsCookie("2000|9130fd746c6b", now: 1_000))
        #expect(!pin.acceptsCookie("garbage", now: 1_000))
        #expect(!pin.acceptsCookie("99999999999999999999999|x", now: 1_000))
    }

    @Test("inspector paths parse; bad ones fail with a message and never trap", arguments: [
        ("error", true), ("error.underlying.code", true), ("request.headers[\"Accept\"]", true), ("session['cart'][0]", true),
        ("a . b [ 1 ]", true), ("", false), ("1abc", false), ("error.", false), ("error[", false), ("error[\"x", false),
        ("error[1", false), ("error]", false), ("error[99999999999]", false), ("error()", false), ("error;rm -rf /", false),
        ("a[-1]", true), ("a\u{0}", false), ("é.ü", true),
    ])
    func parsing(expression: String, valid: Bool) {
        let inspector = Inspector(roots: [])
        #expect(((try? inspector.parse(expression)) != nil) == valid)
    }

    @Test("the inspector walks values with limits on depth, children and strings")
    func limits() throws {
        final class Node { var next: Node?; var name = String(repeating: "x", count: 5_000) }
        let loop = Node(); loop.next = loop
        var limits = Inspector.Limits()
        limits.depth = 3
        limits.children = 5
        let inspector = Inspector(roots: [("loop", loop), ("numbers", Array(0..<100)), ("none", Optional<Int>.none as Any)], limits: limits)
        let tree = try inspector.inspect("loop.next.next.next")
        #expect(tree["summary"] != nil)
        let numbers = try inspector.inspect("numbers")
        #expect(numbers["children"]?.arrayValue?.count == 5)
        #expect(numbers["truncated"]?.intValue == 95)
        #expect(try inspector.inspect("numbers[99]")["summary"]?.stringValue == "99")
        #expect((try? inspector.inspect("numbers[100]")) == nil)
        #expect((try? inspector.inspect("numbers[-1]")) == nil)
        let name = try inspector.inspect("loop.name")
        #expect((name["summary"]?.stringValue?.count ?? 0) <= 2_003)
        #expect((try? inspector.inspect("nothing")) == nil)
        #expect((try? inspector.inspect(String(repeating: "a.", count: 300) + "a")) == nil)
        _ = try inspector.inspect("none")
    }
}
