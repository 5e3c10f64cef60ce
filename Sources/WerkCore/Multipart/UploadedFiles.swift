/// The files of a form, by field name, in the order they came (a field may hold several files),
/// like Werkzeug's `request.files` multi-dict.
///
/// ```swift
/// let files = try await request.files()
/// files["avatar"]?.size              // the first file of the field
/// files.values(for: "photos").count  // all files of the field
/// ```
public struct UploadedFiles: Sendable, Sequence {
    /// The files in order, with their field names.
    public private(set) var pairs: [(key: String, value: UploadedFile)]

    /// No files.
    public init() { pairs = [] }

    /// The first file of field `key`, or nil.
    public subscript(key: String) -> UploadedFile? { pairs.first { $0.key == key }?.value }

    /// Every file of field `key`, in order.
    public func values(for key: String) -> [UploadedFile] { pairs.compactMap { $0.key == key ? $0.value : nil } }

    /// Whether field `key` has a file.
    public func contains(_ key: String) -> Bool { pairs.contains { $0.key == key } }

    /// The distinct field names in first-seen order.
    public var keys: [String] {
        var seen = Set<String>()
        return pairs.compactMap { seen.insert($0.key).inserted ? $0.key : nil }
    }

    /// The number of files.
    public var count: Int { pairs.count }

    /// Whether there are no files.
    public var isEmpty: Bool { pairs.isEmpty }

    /// Adds a file after the others.
    public mutating func append(_ key: String, _ file: UploadedFile) { pairs.append((key: key, value: file)) }

    /// Iterates over the (field name, file) pairs in order.
    public func makeIterator() -> IndexingIterator<[(key: String, value: UploadedFile)]> { pairs.makeIterator() }
}
