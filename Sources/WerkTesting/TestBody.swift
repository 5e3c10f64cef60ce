#if canImport(FoundationEssentials)
import WerkCore
import FoundationEssentials
#endif

/// A request body for the ``TestClient``, with the Content-Type it implies.
public struct TestBody: Sendable {
    /// The bytes to send.
    public var bytes: [UInt8]
    /// The Content-Type to send, unless the request's headers set one.
    public var contentType: String?

    /// Raw bytes with an optional Content-Type.
    public init(bytes: [UInt8], contentType: String? = nil) {
        self.bytes = bytes
        self.contentType = contentType
    }

    /// No body.
    public static let none = TestBody(bytes: [])

    /// Raw bytes.
    public static func bytes(_ bytes: [UInt8], contentType: String? = nil) -> TestBody {
        TestBody(bytes: bytes, contentType: contentType)
    }

    /// UTF-8 text, `text/plain; charset=utf-8` by default.
    public static func text(_ text: String, contentType: String = "text/plain; charset=utf-8") -> TestBody {
        TestBody(bytes: Array(text.utf8), contentType: contentType)
    }

    /// A ``JSON`` value as `application/json`.
    public static func json(_ value: JSON) -> TestBody {
        TestBody(bytes: value.serializedBytes(), contentType: "application/json")
    }

    /// An `Encodable` value as `application/json`.
    public static func json(encoding value: some Encodable) throws -> TestBody {
        TestBody(bytes: Array(try JSONEncoder().encode(value)), contentType: "application/json")
    }

    /// Fields as `application/x-www-form-urlencoded`, in order.
    public static func form(_ fields: [(String, String)]) -> TestBody {
        TestBody(bytes: Array(URLQuery.encode(fields).utf8), contentType: "application/x-www-form-urlencoded")
    }

    /// Fields as `application/x-www-form-urlencoded`.
    public static func form(_ fields: MultiDict) -> TestBody { form(fields.pairs.map { ($0.key, $0.value) }) }

    /// A `multipart/form-data` body holding `parts` in order, with a random boundary.
    ///
    /// ```swift
    /// let body = TestBody.multipart([
    ///     .field("title", "Holiday"),
    ///     .file("photo", filename: "beach.jpg", contentType: "image/jpeg", bytes: [0xFF, 0xD8]),
    /// ])
    /// ```
    public static func multipart(_ parts: [MultipartEncoder.Part]) -> TestBody {
        while true {
            let encoder = MultipartEncoder()
            // A random 128-bit boundary inside the content is practically impossible: pick another.
            if let bytes = try? encoder.encode(parts) { return TestBody(bytes: bytes, contentType: encoder.contentType) }
        }
    }

    /// A `multipart/form-data` body with text fields first, then files.
    public static func multipart(fields: [(String, String)], files: [MultipartEncoder.Part] = []) -> TestBody {
        multipart(fields.map { MultipartEncoder.Part.field($0.0, $0.1) } + files)
    }
}
