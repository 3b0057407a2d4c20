/// What an administrator reads cannot be forged by a visitor: names and values that come from a user's files are shown
/// with every control character, C1 code, bidi override and invisible separator as a visible escape, and cut at a sane length.
public enum DisplayText {
    /// Characters shown of one name or value in human output.
    public static let limit = 256

    /// `text` safe for a terminal, a table or a log line.
    public static func escaped(_ text: some StringProtocol, limit: Int = limit) -> String {
        var out = ""
        var shown = 0
        for scalar in text.unicodeScalars {
            guard shown < limit else { return out + "…" }
            out += escaped(scalar)
            shown += 1
        }
        return out
    }

    /// Raw bytes (a file name need not be UTF-8): invalid sequences are shown byte by byte as `\xff`.
    public static func escaped(bytes: [UInt8], limit: Int = limit) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return escaped(text, limit: limit) }
        var out = ""
        for (index, byte) in bytes.enumerated() {
            guard index < limit else { return out + "…" }
            out += byte >= 0x20 && byte < 0x7f ? escaped(Unicode.Scalar(byte)) : "\\x" + hex(UInt32(byte), width: 2)
        }
        return out
    }

    static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\t": return "\\t"
        case "\r": return "\\r"
        case "\\": return "\\\\"
        default: break
        }
        let value = scalar.value
        if value < 0x20 || value == 0x7f { return "\\x" + hex(value, width: 2) }
        if isHidden(value) { return "\\u{" + hex(value, width: 4) + "}" }
        return String(scalar)
    }

    /// C1 controls, bidi embeddings, overrides and isolates, zero-width and line separators, the byte-order mark.
    static func isHidden(_ value: UInt32) -> Bool {
        (0x80...0x9f).contains(value) || value == 0x061c || value == 0x00ad || (0x200b...0x200f).contains(value)
            || (0x2028...0x202e).contains(value) || (0x2060...0x2069).contains(value) || value == 0xfeff
    }

    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Text inside markup (HTML, SVG, Pango's): its own `&`, `<`, `>` and quotes are not taken for markup.
    public static func markup(_ text: some StringProtocol) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) is given a leading `'`.
    public static func spreadsheetCell(_ cell: String) -> String {
        guard let first = cell.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return cell }
        return "'" + cell
    }
}
