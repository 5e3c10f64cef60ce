import FoundationEssentials

extension JSON {
    /// The JSON form of an `Encodable` value, through `JSONEncoder`.
    ///
    /// ```swift
    /// struct User: Codable { var id: Int; var name: String }
    /// let json = try JSON(encoding: User(id: 1, name: "ada"))   // {"id":1,"name":"ada"}
    /// ```
    ///
    /// Throws `EncodingError` (e.g. for a non-finite `Double`). A `Double` with an integral value
    /// comes back as `.int`, because `JSONEncoder` writes `2.0` as `2`.
    public init(encoding value: some Encodable) throws {
        let data = try JSONEncoder().encode(value)
        self = try JSON.parse(data)
    }

    /// Decodes this value into `T`, through `JSONDecoder`. Throws `DecodingError` when the shape does
    /// not match.
    ///
    /// ```swift
    /// let user = try json.decode(User.self)
    /// ```
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(serializedBytes()))
    }
}
