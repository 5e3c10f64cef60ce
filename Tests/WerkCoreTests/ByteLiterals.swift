extension Array where Element == UInt8 {
    /// The UTF-8 bytes of a string, for terse test inputs.
    init(utf8 text: String) { self = Array(text.utf8) }
}
