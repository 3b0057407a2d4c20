/// Which characters `trimming` takes off the ends of a text.
public struct CharacterClass: Sendable {
    public let contains: @Sendable (Character) -> Bool

    public init(_ contains: @escaping @Sendable (Character) -> Bool) { self.contains = contains }

    /// Spaces and tabs (Unicode's space separators), not line ends.
    public static let whitespaces = CharacterClass { $0.isWhitespace && !$0.isNewline }
    public static let whitespacesAndNewlines = CharacterClass { $0.isWhitespace }
    public static let newlines = CharacterClass { $0.isNewline }

    /// The characters of `text`.
    public static func of(_ text: String) -> CharacterClass {
        let set = Set(text)
        return CharacterClass { set.contains($0) }
    }
}

extension StringProtocol {
    /// The text without the characters of `characters` at its start and end.
    public func trimming(_ characters: CharacterClass) -> String {
        guard let first = firstIndex(where: { !characters.contains($0) }) else { return "" }
        let last = lastIndex(where: { !characters.contains($0) })!
        return String(self[first...last])
    }
}
