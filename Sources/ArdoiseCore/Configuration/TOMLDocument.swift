/// A TOML 1.0 value, as `ardoise.toml` holds them.
public enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    case dateTime(TOMLDateTime)
    case array([TOMLValue])
    case table(TOMLTable)

    public var string: String? { if case .string(let value) = self { value } else { nil } }
    public var int: Int? { if case .integer(let value) = self { value } else { nil } }
    /// A float only: an integer is not silently one.
    public var double: Double? { if case .float(let value) = self { value } else { nil } }
    public var bool: Bool? { if case .boolean(let value) = self { value } else { nil } }
    public var array: [TOMLValue]? { if case .array(let value) = self { value } else { nil } }
    public var table: TOMLTable? { if case .table(let value) = self { value } else { nil } }
}

/// A date, a time, or both, with or without an offset, as written (fractions of a second kept to the nanosecond).
public struct TOMLDateTime: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case offsetDateTime, localDateTime, localDate, localTime }

    public var kind: Kind
    public var year = 0, month = 0, day = 0
    public var hour = 0, minute = 0, second = 0, nanosecond = 0
    /// Minutes east of UTC, for an offset date-time.
    public var offsetMinutes: Int?
}

/// A table: its keys in the order the file sets them, and the line each was set on.
public struct TOMLTable: Sendable, Equatable {
    public private(set) var keys: [String] = []
    private var values: [String: TOMLValue] = [:]
    private var lines: [String: Int] = [:]
    /// Where the table first appears: its header, its inline table, or the first dotted key or header through it (nil
    /// for the document).
    public internal(set) var line: Int?

    public init() {}

    public subscript(key: String) -> TOMLValue? { values[key] }

    /// The line of the statement that set `key` (for a table, where it was made).
    public func line(of key: String) -> Int? { lines[key] }

    mutating func append(_ key: String, _ value: TOMLValue, line: Int) {
        keys.append(key)
        values[key] = value
        lines[key] = line
    }

    /// Reads a whole document, or says on which line and column it stops being TOML 1.0.
    public init(parsing text: String) throws(TOMLSyntaxError) {
        var bytes = Array(text.utf8)
        if bytes.contains(0x0d) {
            // CRLF is a newline; a CR alone is not.
            var kept = 0
            for index in bytes.indices where !(bytes[index] == 0x0d && index + 1 < bytes.count && bytes[index + 1] == 0x0a) {
                bytes[kept] = bytes[index]
                kept += 1
            }
            bytes.removeLast(bytes.count - kept)
        }
        var parser = TOMLParser(bytes)
        self = try parser.document()
    }
}

/// Where a document stops being TOML, and why, in words an administrator can act on.
public struct TOMLSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case unterminatedString
        case controlCharacter(UInt8)
        case invalidEscape
        case invalidUnicodeEscape
        case invalidKey
        case expectedEquals
        case invalidValue
        case invalidDate
        case integerOutOfRange
        case unclosedArray
        case unclosedInlineTable
        case unclosedHeader(arrayOfTables: Bool)
        case expectedEndOfLine
        case invalidStatement
        case duplicateKey(String)
        case tableDefinedTwice(String)
        case tableClosed(String)
        case notATable(String)
        case tooDeep
    }

    public var line: Int
    public var column: Int
    public var reason: Reason

    public var description: String { message(.english) }

    public func message(_ language: Language) -> String {
        language == .french ? "ligne \(line), colonne \(column) : \(explanation(language))" : "line \(line), column \(column): \(explanation(language))"
    }

    /// What is wrong, without where.
    public func explanation(_ language: Language) -> String {
        let fr = language == .french
        let text: String
        switch reason {
        case .unterminatedString: text = fr ? "texte entre guillemets jamais fermé" : "a quoted text is never closed"
        case .controlCharacter(let byte):
            let code = "U+" + String(cFormat: "%04X", Int32(byte))
            text = fr ? "caractère de contrôle \(code) interdit ici (écrivez-le avec \\u)" : "control character \(code) not allowed here (write it with \\u)"
        case .invalidEscape: text = fr ? "« \\ » suivi d'une lettre inconnue (\\\\ pour une barre oblique inverse)" : "\"\\\" followed by an unknown letter (\\\\ for a backslash)"
        case .invalidUnicodeEscape: text = fr ? "\\u ou \\U qui ne désigne pas un caractère Unicode" : "\\u or \\U that is not a Unicode character"
        case .invalidKey: text = fr ? "nom de clé attendu (lettres, chiffres, - et _, ou entre guillemets)" : "a key name expected (letters, digits, - and _, or quoted)"
        case .expectedEquals: text = fr ? "« = » attendu après le nom de la clé" : "\"=\" expected after the key's name"
        case .invalidValue: text = fr ? "valeur illisible (texte entre guillemets, nombre, true/false, [liste] ou date attendu)"
                                      : "unreadable value (quoted text, number, true/false, [list] or date expected)"
        case .invalidDate: text = fr ? "date ou heure impossible" : "impossible date or time"
        case .integerOutOfRange: text = fr ? "nombre entier trop grand" : "integer too large"
        case .unclosedArray: text = fr ? "liste non fermée (« , » ou « ] » attendu)" : "list not closed (\",\" or \"]\" expected)"
        case .unclosedInlineTable: text = fr ? "table sur une ligne non fermée (« , » ou « } » attendu)" : "inline table not closed (\",\" or \"}\" expected)"
        case .unclosedHeader(let array):
            let end = array ? "]]" : "]"
            text = fr ? "en-tête de section non fermé (« \(end) » attendu)" : "section header not closed (\"\(end)\" expected)"
        case .expectedEndOfLine: text = fr ? "fin de ligne attendue après la valeur (un commentaire commence par #)"
                                           : "end of line expected after the value (a comment starts with #)"
        case .invalidStatement: text = fr ? "ligne illisible (clé = valeur, [section] ou # commentaire attendu)"
                                          : "unreadable line (key = value, [section] or # comment expected)"
        case .duplicateKey(let key): text = fr ? "la clé « \(key) » est déjà définie" : "the key \"\(key)\" is already set"
        case .tableDefinedTwice(let key): text = fr ? "la section [\(key)] est déjà définie" : "the section [\(key)] is already defined"
        case .tableClosed(let key): text = fr ? "« \(key) » est déjà complète (table sur une ligne ou liste) : on ne peut rien y ajouter"
                                              : "\"\(key)\" is already complete (an inline table or a list): nothing can be added to it"
        case .notATable(let key): text = fr ? "« \(key) » a déjà une valeur, ce ne peut pas être une section" : "\"\(key)\" already has a value, it cannot be a section"
        case .tooDeep: text = fr ? "listes ou tables imbriquées trop profondément" : "lists or tables nested too deeply"
        }
        return text
    }
}

/// The TOML 1.0 grammar over UTF-8 bytes, with the table rules of the specification: a table is defined once, a table
/// made by dotted keys is not reopened by a header, inline tables and lists are closed.
struct TOMLParser {
    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0
    private let lines: LineCounter

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        lines = LineCounter(bytes)
    }

    // MARK: The document

    mutating func document() throws(TOMLSyntaxError) -> TOMLTable {
        let builder = TableBuilder()
        var header: [String] = []
        while true {
            skipWhitespace()
            guard let byte = peek() else { break }
            if byte == UInt8(ascii: "\n") { position += 1; continue }
            if Self.isKeyStart(byte) {
                let start = position
                let line = lines.line(at: start)
                let (key, value) = try keyValue()
                try at(start) { () throws(TOMLSyntaxError.Reason) in try builder.set(header + key, value, relative: key.count, line: line) }
                skipWhitespace()
            } else if byte == UInt8(ascii: "[") {
                builder.flags.finishPending()
                let start = position
                let line = lines.line(at: start)
                if peek(1) == UInt8(ascii: "[") {
                    position += 2
                    skipWhitespace()
                    header = try key()
                    guard peek() == UInt8(ascii: "]"), peek(1) == UInt8(ascii: "]") else { throw error(.unclosedHeader(arrayOfTables: true)) }
                    position += 2
                    try at(start) { () throws(TOMLSyntaxError.Reason) in try builder.appendTable(header, line: line) }
                } else {
                    position += 1
                    skipWhitespace()
                    header = try key()
                    guard peek() == UInt8(ascii: "]") else { throw error(.unclosedHeader(arrayOfTables: false)) }
                    position += 1
                    try at(start) { () throws(TOMLSyntaxError.Reason) in try builder.defineTable(header, line: line) }
                }
                skipWhitespace()
            } else if byte != UInt8(ascii: "#") {
                throw error(.invalidStatement)
            }
            try skipComment()
            guard let end = peek() else { break }
            guard end == UInt8(ascii: "\n") else { throw error(.expectedEndOfLine) }
            position += 1
        }
        return builder.root.table()
    }

    // MARK: Keys

    static func isBare(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    static func isKeyStart(_ byte: UInt8) -> Bool { isBare(byte) || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") }

    private mutating func keyValue() throws(TOMLSyntaxError) -> ([String], TOMLValue) {
        let name = try key()
        guard peek() == UInt8(ascii: "=") else { throw error(.expectedEquals) }
        position += 1
        skipWhitespace()
        return (name, try value())
    }

    /// `a`, `"a b"`, `'a'`, `a . "b" . c`; the spaces after it skipped.
    private mutating func key() throws(TOMLSyntaxError) -> [String] {
        var parts = [try keyPart()]
        skipWhitespace()
        while peek() == UInt8(ascii: ".") {
            position += 1
            skipWhitespace()
            parts.append(try keyPart())
            skipWhitespace()
        }
        return parts
    }

    private mutating func keyPart() throws(TOMLSyntaxError) -> String {
        guard let byte = peek() else { throw error(.invalidKey) }
        if Self.isBare(byte) {
            let start = position
            while let next = peek(), Self.isBare(next) { position += 1 }
            return text(start, position)
        }
        if byte == UInt8(ascii: "'") { return try literalString() }
        if byte == UInt8(ascii: "\"") { return try basicString(multiline: false) }
        throw error(.invalidKey)
    }

    // MARK: Values

    private mutating func value() throws(TOMLSyntaxError) -> TOMLValue {
        guard let byte = peek() else { throw error(.invalidValue) }
        switch byte {
        case UInt8(ascii: "\""):
            return .string(starts(with: "\"\"\"") ? try multilineString(literal: false) : try basicString(multiline: false))
        case UInt8(ascii: "'"):
            return .string(starts(with: "'''") ? try multilineString(literal: true) : try literalString())
        case UInt8(ascii: "t") where starts(with: "true"):
            position += 4
            return .boolean(true)
        case UInt8(ascii: "f") where starts(with: "false"):
            position += 5
            return .boolean(false)
        case UInt8(ascii: "["):
            return try nested { (parser: inout TOMLParser) throws(TOMLSyntaxError) in try parser.array() }
        case UInt8(ascii: "{"):
            return try nested { (parser: inout TOMLParser) throws(TOMLSyntaxError) in try parser.inlineTable() }
        default: break
        }
        if let date = try dateTime() { return .dateTime(date) }
        if let number = try number() { return number }
        for (word, value) in [("inf", Double.infinity), ("+inf", .infinity), ("-inf", -.infinity), ("nan", .nan), ("+nan", .nan), ("-nan", -.nan)]
        where starts(with: word) {
            position += word.utf8.count
            return .float(value)
        }
        throw error(.invalidValue)
    }

    private mutating func nested(_ body: (inout TOMLParser) throws(TOMLSyntaxError) -> TOMLValue) throws(TOMLSyntaxError) -> TOMLValue {
        // A hostile file of ten thousand `[` must not exhaust the stack of the service that reads it.
        guard depth < Self.maximumDepth else { throw error(.tooDeep) }
        depth += 1
        defer { depth -= 1 }
        return try body(&self)
    }

    private mutating func array() throws(TOMLSyntaxError) -> TOMLValue {
        position += 1
        var elements: [TOMLValue] = []
        try skipBlankAndComments()
        while peek() != UInt8(ascii: "]") {
            elements.append(try value())
            try skipBlankAndComments()
            guard let byte = peek(), byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") else { throw error(.unclosedArray) }
            if byte == UInt8(ascii: ",") {
                position += 1
                try skipBlankAndComments()
            }
        }
        position += 1
        return .array(elements)
    }

    private mutating func inlineTable() throws(TOMLSyntaxError) -> TOMLValue {
        // On one line (TOML 1.0): every key of it is said on the line it opens on.
        let line = lines.line(at: position)
        position += 1
        let builder = TableBuilder(inline: true, line: line)
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return .table(builder.root.table())
        }
        while true {
            let start = position
            let (key, value) = try keyValue()
            try at(start) { () throws(TOMLSyntaxError.Reason) in try builder.set(key, value, relative: key.count, line: line) }
            skipWhitespace()
            guard let byte = peek(), byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") else { throw error(.unclosedInlineTable) }
            position += 1
            if byte == UInt8(ascii: "}") { return .table(builder.root.table()) }
            skipWhitespace()
        }
    }

    // MARK: Strings

    private mutating func literalString() throws(TOMLSyntaxError) -> String {
        position += 1
        let start = position
        while true {
            guard let byte = peek() else { throw error(.unterminatedString) }
            if byte == UInt8(ascii: "'") { break }
            if Self.isControl(byte, newlineAllowed: false) { throw error(byte == 0x0a ? .unterminatedString : .controlCharacter(byte)) }
            position += 1
        }
        defer { position += 1 }
        return text(start, position)
    }

    private mutating func multilineString(literal: Bool) throws(TOMLSyntaxError) -> String {
        position += 3
        // A newline right after the opening quotes is not part of the text.
        if peek() == UInt8(ascii: "\n") { position += 1 }
        let quote = literal ? UInt8(ascii: "'") : UInt8(ascii: "\"")
        var result = ""
        if literal {
            let start = position
            while !starts(with: "'''") {
                guard let byte = peek() else { throw error(.unterminatedString) }
                if Self.isControl(byte, newlineAllowed: true) { throw error(.controlCharacter(byte)) }
                position += 1
            }
            result = text(start, position)
            position += 3
        } else {
            result = try basicString(multiline: true)
        }
        // Up to two quotes just before the closing three belong to the text.
        for _ in 0..<2 where peek() == quote {
            result.append(Character(Unicode.Scalar(quote)))
            position += 1
        }
        return result
    }

    /// After the opening `"` (or `"""`, then `multiline`): the text up to the closing quotes, which are consumed.
    private mutating func basicString(multiline: Bool) throws(TOMLSyntaxError) -> String {
        if !multiline { position += 1 }
        var result = ""
        var start = position
        while true {
            guard let byte = peek() else { throw error(.unterminatedString) }
            if byte == UInt8(ascii: "\"") {
                if !multiline {
                    result += text(start, position)
                    position += 1
                    return result
                }
                if starts(with: "\"\"\"") {
                    result += text(start, position)
                    position += 3
                    return result
                }
                position += 1
                continue
            }
            if byte == UInt8(ascii: "\\") {
                result += text(start, position)
                try escape(into: &result, multiline: multiline)
                start = position
                continue
            }
            if Self.isControl(byte, newlineAllowed: multiline) { throw error(byte == 0x0a ? .unterminatedString : .controlCharacter(byte)) }
            position += 1
        }
    }

    private mutating func escape(into result: inout String, multiline: Bool) throws(TOMLSyntaxError) {
        let letter = peek(1)
        if multiline, let letter, letter == UInt8(ascii: " ") || letter == UInt8(ascii: "\t") || letter == UInt8(ascii: "\n") {
            // A backslash ending a line joins it to the next one, without the spaces and blank lines between.
            position += 1
            skipWhitespace()
            guard let next = peek() else { return }
            guard next == UInt8(ascii: "\n") else { throw error(.invalidEscape) }
            while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0a { position += 1 }
            return
        }
        let simple: [UInt8: String] = [UInt8(ascii: "b"): "\u{8}", UInt8(ascii: "t"): "\t", UInt8(ascii: "n"): "\n", UInt8(ascii: "f"): "\u{c}",
                                       UInt8(ascii: "r"): "\r", UInt8(ascii: "\""): "\"", UInt8(ascii: "\\"): "\\"]
        if let letter, let replacement = simple[letter] {
            position += 2
            result += replacement
            return
        }
        guard let letter, letter == UInt8(ascii: "u") || letter == UInt8(ascii: "U") else { throw error(.invalidEscape) }
        position += 2
        let width = letter == UInt8(ascii: "u") ? 4 : 8
        var code: UInt32 = 0
        for _ in 0..<width {
            guard let byte = peek(), let digit = Self.hexDigit(byte) else { throw error(.invalidUnicodeEscape) }
            code = code << 4 | UInt32(digit)
            position += 1
        }
        guard let scalar = Unicode.Scalar(code) else { throw error(.invalidUnicodeEscape) }
        result.unicodeScalars.append(scalar)
    }

    // MARK: Numbers

    /// An integer or a float; nil when nothing here starts one.
    private mutating func number() throws(TOMLSyntaxError) -> TOMLValue? {
        let start = position
        if peek() == UInt8(ascii: "0"), let prefix = peek(1) {
            let radix: Int? = switch prefix {
            case UInt8(ascii: "x"): 16
            case UInt8(ascii: "o"): 8
            case UInt8(ascii: "b"): 2
            default: nil
            }
            if let radix, let first = peek(2), Self.digit(first, radix: radix) != nil {
                position += 2
                var value: Int = 0
                while let digit = digitRun(radix: radix) {
                    let (shifted, overflow) = value.multipliedReportingOverflow(by: radix)
                    let (sum, overflow2) = shifted.addingReportingOverflow(digit)
                    guard !overflow, !overflow2 else { position = start; throw error(.integerOutOfRange) }
                    value = sum
                }
                return .integer(value)
            }
        }
        var cursor = position
        if let sign = byte(at: cursor), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { cursor += 1 }
        guard let first = byte(at: cursor), Self.digit(first, radix: 10) != nil else { return nil }
        position = cursor
        if first == UInt8(ascii: "0") { position += 1 } else { while digitRun(radix: 10) != nil {} }
        var isFloat = false
        if peek() == UInt8(ascii: "."), let next = peek(1), Self.digit(next, radix: 10) != nil {
            position += 1
            while digitRun(radix: 10) != nil {}
            isFloat = true
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            var after = position + 1
            if let sign = byte(at: after), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { after += 1 }
            if let digit = byte(at: after), Self.digit(digit, radix: 10) != nil {
                position = after
                while digitRun(radix: 10) != nil {}
                isFloat = true
            }
        }
        let written = String(decoding: bytes[start..<position].filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        if isFloat {
            guard let value = Double(written) else { position = start; throw error(.invalidValue) }
            return .float(value)
        }
        guard let value = Int(written) else { position = start; throw error(.integerOutOfRange) }
        return .integer(value)
    }

    /// One digit, after an optional `_` that must stand between two digits; nil (nothing consumed) otherwise.
    private mutating func digitRun(radix: Int) -> Int? {
        if let byte = peek(), let digit = Self.digit(byte, radix: radix) {
            position += 1
            return digit
        }
        if peek() == UInt8(ascii: "_"), let byte = peek(1), let digit = Self.digit(byte, radix: radix) {
            position += 2
            return digit
        }
        return nil
    }

    static func digit(_ byte: UInt8, radix: Int) -> Int? {
        guard let value = hexDigit(byte), value < radix else { return nil }
        return value
    }

    static func hexDigit(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte - 0x30)
        case 0x41...0x46: Int(byte - 0x41 + 10)
        case 0x61...0x66: Int(byte - 0x61 + 10)
        default: nil
        }
    }

    // MARK: Dates and times

    /// A date, a date and time (with or without offset) or a time; nil when nothing here starts one.
    private mutating func dateTime() throws(TOMLSyntaxError) -> TOMLDateTime? {
        let start = position
        if let year = fixedDigits(at: position, 4), byte(at: position + 4) == UInt8(ascii: "-"),
           let month = fixedDigits(at: position + 5, 2), byte(at: position + 7) == UInt8(ascii: "-"),
           let day = fixedDigits(at: position + 8, 2), (1...12).contains(month), (1...31).contains(day) {
            var date = TOMLDateTime(kind: .localDate, year: year, month: month, day: day)
            position += 10
            if let separator = peek(), separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " "),
               let time = time(at: position + 1) {
                (date.hour, date.minute, date.second, date.nanosecond) = (time.hour, time.minute, time.second, time.nanosecond)
                position = time.end
                date.kind = .localDateTime
                if let zone = peek(), zone == UInt8(ascii: "Z") || zone == UInt8(ascii: "z") {
                    date.kind = .offsetDateTime
                    date.offsetMinutes = 0
                    position += 1
                } else if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
                          let hours = fixedDigits(at: position + 1, 2), hours < 24, byte(at: position + 3) == UInt8(ascii: ":"),
                          let minutes = fixedDigits(at: position + 4, 2), minutes < 60 {
                    date.kind = .offsetDateTime
                    date.offsetMinutes = (sign == UInt8(ascii: "-") ? -1 : 1) * (hours * 60 + minutes)
                    position += 6
                }
            }
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            guard year >= 1, day <= days else { position = start; throw error(.invalidDate) }
            return date
        }
        guard let time = time(at: position) else { return nil }
        position = time.end
        return TOMLDateTime(kind: .localTime, hour: time.hour, minute: time.minute, second: time.second, nanosecond: time.nanosecond)
    }

    /// `HH:MM:SS` with an optional fraction; the seconds are not optional in TOML 1.0.
    private func time(at start: Int) -> (hour: Int, minute: Int, second: Int, nanosecond: Int, end: Int)? {
        guard let hour = fixedDigits(at: start, 2), hour < 24, byte(at: start + 2) == UInt8(ascii: ":"),
              let minute = fixedDigits(at: start + 3, 2), minute < 60, byte(at: start + 5) == UInt8(ascii: ":"),
              let second = fixedDigits(at: start + 6, 2), second < 60 else { return nil }
        var end = start + 8
        var nanosecond = 0
        if byte(at: end) == UInt8(ascii: "."), let first = byte(at: end + 1), Self.digit(first, radix: 10) != nil {
            end += 1
            var scale = 100_000_000
            while let byte = byte(at: end), let digit = Self.digit(byte, radix: 10) {
                nanosecond += digit * scale
                scale /= 10
                end += 1
            }
        }
        return (hour, minute, second, nanosecond, end)
    }

    private func fixedDigits(at start: Int, _ count: Int) -> Int? {
        var value = 0
        for index in start..<start + count {
            guard let byte = byte(at: index), let digit = Self.digit(byte, radix: 10) else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    // MARK: Blanks and comments

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 { position += 1 }
    }

    private mutating func skipComment() throws(TOMLSyntaxError) {
        guard peek() == UInt8(ascii: "#") else { return }
        position += 1
        while let byte = peek(), byte != 0x0a {
            if Self.isControl(byte, newlineAllowed: false) { throw error(.controlCharacter(byte)) }
            position += 1
        }
    }

    /// Inside a list: spaces, newlines and comments.
    private mutating func skipBlankAndComments() throws(TOMLSyntaxError) {
        while true {
            let before = position
            while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0a { position += 1 }
            try skipComment()
            if position == before { return }
        }
    }

    /// ASCII control characters other than tab (and newline where a text may span lines).
    static func isControl(_ byte: UInt8, newlineAllowed: Bool) -> Bool {
        (byte < 0x20 && byte != 0x09 && !(newlineAllowed && byte == 0x0a)) || byte == 0x7f
    }

    // MARK: Reading

    private func peek(_ offset: Int = 0) -> UInt8? { byte(at: position + offset) }

    private func byte(at index: Int) -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private func starts(with word: String) -> Bool {
        let word = Array(word.utf8)
        return position + word.count <= bytes.count && bytes[position..<position + word.count].elementsEqual(word)
    }

    private func text(_ start: Int, _ end: Int) -> String { String(decoding: bytes[start..<end], as: UTF8.self) }

    private func error(_ reason: TOMLSyntaxError.Reason, at index: Int? = nil) -> TOMLSyntaxError {
        let index = min(index ?? position, bytes.count)
        let line = lines.line(at: index)
        let lineStart = bytes[..<index].lastIndex(of: 0x0a).map { $0 + 1 } ?? 0
        // Columns in characters, as an editor shows them.
        let column = String(decoding: bytes[lineStart..<index], as: UTF8.self).count + 1
        return TOMLSyntaxError(line: line, column: column, reason: reason)
    }

    /// A rule broken by a statement is said at the statement's start.
    private func at(_ start: Int, _ body: () throws(TOMLSyntaxError.Reason) -> Void) throws(TOMLSyntaxError) {
        do { try body() } catch { throw self.error(error, at: start) }
    }
}

extension TOMLSyntaxError.Reason: Error {}

/// The line of a byte of the document, counted on from the last one asked for (statements come in order).
private final class LineCounter {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func line(at target: Int) -> Int {
        if target < index { (index, line) = (0, 1) }
        let end = min(target, bytes.count)
        guard index < end else { return line }
        bytes.withUnsafeBufferPointer { buffer in
            for at in index..<end where buffer[at] == 0x0a { line += 1 }
        }
        index = end
        return line
    }
}

/// The tables as the document builds them, and what may still be added to each.
private final class TableBuilder {
    final class Node {
        enum Slot {
            case value(TOMLValue)
            case table(Node)
            case tables(TableList)
        }

        let line: Int?
        var order: [String] = []
        var lines: [String: Int] = [:]
        // By bytes: two keys Swift's String deems equal ("é" and "e" + U+0301) are two keys in TOML.
        var slots: [[UInt8]: Slot] = [:]

        init(line: Int?) { self.line = line }

        subscript(key: String) -> Slot? { slots[Array(key.utf8)] }

        func insert(_ key: String, _ slot: Slot, line: Int) {
            order.append(key)
            slots[Array(key.utf8)] = slot
            lines[key] = line
        }

        func table() -> TOMLTable {
            var table = TOMLTable()
            table.line = line
            for key in order {
                let line = lines[key]!
                switch self[key]! {
                case .value(let value): table.append(key, value, line: line)
                case .table(let node): table.append(key, .table(node.table()), line: line)
                case .tables(let list): table.append(key, .array(list.items.map { .table($0.table()) }), line: line)
                }
            }
            return table
        }
    }

    final class TableList {
        var items: [Node]
        init(_ items: [Node]) { self.items = items }
    }

    let root: Node
    let flags = KeyFlags()
    let inline: Bool

    init(inline: Bool = false, line: Int? = nil) {
        self.inline = inline
        root = Node(line: line)
    }

    static func name(_ key: [String]) -> String { key.map { DisplayText.escaped($0) }.joined(separator: ".") }

    /// The table a path leads to, made where missing (on `line`); the last table of an array of tables stands for it.
    func table(at path: [String], line: Int) throws(TOMLSyntaxError.Reason) -> Node {
        var node = root
        for (index, part) in path.enumerated() {
            switch node[part] {
            case nil:
                let child = Node(line: line)
                node.insert(part, .table(child), line: line)
                node = child
            case .table(let child): node = child
            case .tables(let list) where !inline: node = list.items[list.items.count - 1]
            default: throw .notATable(Self.name(Array(path[...index])))
            }
        }
        return node
    }

    /// `key = value`: `full` is the key under the current header, of which the last `relative` parts were written.
    func set(_ full: [String], _ value: TOMLValue, relative: Int, line: Int) throws(TOMLSyntaxError.Reason) {
        let parent = Array(full.dropLast())
        if inline {
            if flags.has(full, .closed) { throw .tableClosed(Self.name(full)) }
        } else {
            // Tables made by dotted keys cannot be reopened by a later header or by dotted keys in another section.
            for count in (full.count - relative + 1)..<full.count {
                let path = Array(full[..<count])
                if flags.has(path, .defined) { throw .tableDefinedTwice(Self.name(path)) }
                flags.pending.append(path)
            }
            if flags.has(parent, .closed) { throw .tableClosed(Self.name(parent)) }
        }
        let node = try table(at: parent, line: line)
        guard node[full[full.count - 1]] == nil else { throw .duplicateKey(Self.name(full)) }
        switch value {
        case .array, .table: flags.set(full, .closed, recursive: true)
        default: break
        }
        node.insert(full[full.count - 1], .value(value), line: line)
    }

    /// `[a.b]`.
    func defineTable(_ key: [String], line: Int) throws(TOMLSyntaxError.Reason) {
        if flags.has(key, .defined) { throw .tableDefinedTwice(Self.name(key)) }
        if flags.has(key, .closed) { throw .tableClosed(Self.name(key)) }
        flags.set(key, .defined, recursive: false)
        _ = try table(at: key, line: line)
    }

    /// `[[a.b]]`.
    func appendTable(_ key: [String], line: Int) throws(TOMLSyntaxError.Reason) {
        if flags.has(key, .closed) { throw .tableClosed(Self.name(key)) }
        // A new element: what was said of the previous one's contents no longer holds.
        flags.clear(key)
        flags.set(key, .defined, recursive: false)
        let parent = try table(at: Array(key.dropLast()), line: line)
        let last = key[key.count - 1]
        switch parent[last] {
        case nil: parent.insert(last, .tables(TableList([Node(line: line)])), line: line)
        case .tables(let list): list.items.append(Node(line: line))
        default: throw .notATable(Self.name(key))
        }
    }
}

/// What each key path may still receive, kept by path as the rules are written: `defined` (by a header, or by dotted
/// keys once their section is over) and `closed` (an inline table or a list, with everything under it).
private final class KeyFlags {
    struct Flag: OptionSet {
        let rawValue: UInt8
        static let closed = Flag(rawValue: 1)
        static let defined = Flag(rawValue: 2)
    }

    final class Node {
        var flags: Flag = []
        var recursive: Flag = []
        var children: [[UInt8]: Node] = [:]
    }

    let root = Node()
    /// Tables made by dotted keys in the current section: defined when the next header comes.
    var pending: [[String]] = []

    func finishPending() {
        for path in pending { set(path, .defined, recursive: false) }
        pending.removeAll()
    }

    func set(_ path: [String], _ flag: Flag, recursive: Bool) {
        var node = root
        for part in path {
            if let child = node.children[Array(part.utf8)] {
                node = child
            } else {
                let child = Node()
                node.children[Array(part.utf8)] = child
                node = child
            }
        }
        if recursive { node.recursive.insert(flag) } else { node.flags.insert(flag) }
    }

    func clear(_ path: [String]) {
        var node = root
        for part in path.dropLast() {
            guard let child = node.children[Array(part.utf8)] else { return }
            node = child
        }
        node.children[Array(path[path.count - 1].utf8)] = nil
    }

    func has(_ path: [String], _ flag: Flag) -> Bool {
        guard !path.isEmpty else { return false }
        var node = root
        for part in path.dropLast() {
            guard let child = node.children[Array(part.utf8)] else { return false }
            if child.recursive.contains(flag) { return true }
            node = child
        }
        guard let last = node.children[Array(path[path.count - 1].utf8)] else { return false }
        return last.flags.contains(flag) || last.recursive.contains(flag)
    }
}
