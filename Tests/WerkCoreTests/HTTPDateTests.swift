import Testing
import WerkCore

@Suite("HTTP dates")
struct HTTPDateTests {
    @Test("formats epoch seconds as IMF-fixdate", arguments: [
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (1_700_000_000, "Tue, 14 Nov 2023 22:13:20 GMT"),
        (-1, "Wed, 31 Dec 1969 23:59:59 GMT"),
        (951_825_600, "Tue, 29 Feb 2000 12:00:00 GMT"),
        (253_402_300_799, "Fri, 31 Dec 9999 23:59:59 GMT"),
        (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (1_000_000_000, "Sun, 09 Sep 2001 01:46:40 GMT"),
    ])
    func format(epoch: Int, text: String) {
        #expect(HTTPDate.format(epoch) == text)
    }

    @Test("parses the three HTTP date formats and whatever else email.utils accepts", arguments: [
        ("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777),
        ("Sunday, 06-Nov-94 08:49:37 GMT", 784_111_777),
        ("Sun Nov  6 08:49:37 1994", 784_111_777),
        ("Sun, 06 Nov 1994 08:49:37 +0100", 784_108_177),
        ("Sun, 06 Nov 1994 08:49:37 -0130", 784_117_177),
        ("06 Nov 1994 08:49:37 GMT", 784_111_777),
        ("Sun, 06 Nov 1994 08:49 GMT", 784_111_740),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
        ("Wed, 31 Dec 1969 23:59:59 GMT", -1),
        ("Tue, 29 Feb 2000 12:00:00 GMT", 951_825_600),
        ("Mon, 06-Nov-68 08:49:37 GMT", 3_119_417_377),
        ("Sunday, 06-Nov-69 08:49:37 GMT", -4_806_623),
        ("Sun, 06 nov 1994 08:49:37 gmt", 784_111_777),
        ("Sun, 06 November 1994 08:49:37 GMT", 784_111_777),
        ("Sun, 06 Nov 1994 08:49:37 EST", 784_129_777),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 253_402_300_799),
        ("Sun, 06-Nov-1994 08:49:37 GMT", 784_111_777),
        ("Thu, 01-Jan-1970 00:00:10 GMT", 10),
        ("Sun Nov 6 08:49:37 1994 GMT", 784_111_777),
        ("  Sun, 06 Nov 1994 08:49:37 GMT  ", 784_111_777),
        ("Sun, 06 Nov 94 08:49:37 GMT", 784_111_777),
        ("Sun, 06 Nov 1994 8:9:7 GMT", 784_109_347),
        ("Sun, 06 Nov 1994 08:49:37 XYZ", 784_111_777),
        ("Sun, 06 Nov 1994 08:49:37+0100", 784_108_177),
        ("Sun,06 Nov 1994 08:49:37 GMT", 784_111_777),
        ("06 Nov 1994 08.49.37 GMT", 784_111_777),
        ("Sun, 13 Mar 999 03:04:02 GMT", -30_635_614_558),
        ("Sun, 06 Nov 1994 08:49:37 GMT extra tokens", 784_111_777),
        ("Sun, 06 Nov 1994 08:49:37 -0000", 784_111_777),
    ])
    func parse(text: String, epoch: Int) {
        #expect(HTTPDate.parse(text) == epoch)
    }

    @Test("rejects text that is not a valid date", arguments: [
        "", "x", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:60:00 GMT", "Sun, 29 Feb 1900 08:00:00 GMT",
        "Sun, 06 Nov 1994 08:49:37 +2400", "Sun, 06 Nov 1994", "1994-11-06T08:49:37Z", "06-Nov-1994 08:49:37",
        "Sun, 06 Nov 10000 08:49:37 GMT", "Sun, 00 Nov 1994 08:49:37 GMT",
    ])
    func parseInvalid(text: String) {
        #expect(HTTPDate.parse(text) == nil)
    }

    @Test("parses a substring without copying it first")
    func parseSubstring() {
        let header = "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT"
        #expect(HTTPDate.parse(header.dropFirst(19)) == 784_111_777)
    }

    @Test("format and parse round-trip across a range of days")
    func roundTrip() {
        for epoch in stride(from: -5_000_000_000, through: 5_000_000_000, by: 86_399 * 997) {
            #expect(HTTPDate.parse(HTTPDate.format(epoch)) == epoch)
        }
    }
}
