import ArdoiseTestSupport
import Foundation
import Testing
@testable import ArdoiseCore

/// The configuration's TOML reader, held against Python's `tomllib` (a TOML 1.0 reader that passes the toml-test
/// suite): the same documents are read by both, and each must be refused by both or read to the same values.
@Suite struct TOMLDocumentTests {
    /// Every value as one line of text both sides can write: strings and keys as UTF-8 in hexadecimal, floats by their
    /// bits, keys sorted.
    static func canonical(_ value: TOMLValue) -> String {
        switch value {
        case .string(let text): return "s" + hex(Array(text.utf8))
        case .integer(let number): return "i\(number)"
        case .float(let number): return number.isNaN ? "fnan" : "f" + String(cFormat: "%016llx", number.bitPattern)
        case .boolean(let flag): return flag ? "b1" : "b0"
        case .array(let elements): return "[" + elements.map(canonical).joined(separator: ",") + "]"
        case .table(let table): return canonical(table)
        case .dateTime(let date):
            let day = String(cFormat: "%04d-%02d-%02d", Int32(date.year), Int32(date.month), Int32(date.day))
            let time = String(cFormat: "%02d:%02d:%02d.%06d", Int32(date.hour), Int32(date.minute), Int32(date.second), Int32(date.nanosecond / 1000))
            switch date.kind {
            case .offsetDateTime: return "odt" + day + "T" + time + String(cFormat: "%+d", Int32(date.offsetMinutes!))
            case .localDateTime: return "ldt" + day + "T" + time
            case .localDate: return "ld" + day
            case .localTime: return "lt" + time
            }
        }
    }

    static func canonical(_ table: TOMLTable) -> String {
        let pairs = table.keys.map { (hex(Array($0.utf8)), canonical(table[$0]!)) }.sorted { $0.0 < $1.0 }
        return "{" + pairs.map { $0.0 + "=" + $0.1 }.joined(separator: ",") + "}"
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(cFormat: "%02x", $0) }.joined() }

    static let python = """
    import sys, tomllib, struct, datetime
    def c(v):
        if isinstance(v, bool): return 'b1' if v else 'b0'
        if isinstance(v, int):
            if not -2**63 <= v < 2**63: raise OverflowError
            return 'i%d' % v
        if isinstance(v, float): return 'fnan' if v != v else 'f' + struct.pack('>d', v).hex()
        if isinstance(v, str): return 's' + v.encode().hex()
        if isinstance(v, list): return '[' + ','.join(c(x) for x in v) + ']'
        if isinstance(v, dict):
            pairs = sorted((k.encode().hex(), c(x)) for k, x in v.items())
            return '{' + ','.join(k + '=' + x for k, x in pairs) + '}'
        t = '%02d:%02d:%02d.%06d'
        if isinstance(v, datetime.datetime):
            d = '%04d-%02d-%02dT' % (v.year, v.month, v.day) + t % (v.hour, v.minute, v.second, v.microsecond)
            if v.tzinfo is None: return 'ldt' + d
            return 'odt' + d + '%+d' % (v.utcoffset() // datetime.timedelta(minutes=1))
        if isinstance(v, datetime.date): return 'ld%04d-%02d-%02d' % (v.year, v.month, v.day)
        if isinstance(v, datetime.time): return 'lt' + t % (v.hour, v.minute, v.second, v.microsecond)
        raise TypeError(type(v))
    for line in sys.stdin:
        text = bytes.fromhex(line.strip()).decode()
        try:
            print('V' + c(tomllib.loads(text)))
        except tomllib.TOMLDecodeError:
            print('E')
        except OverflowError:
            print('R')
    """

    /// What Python makes of each document: `V` and the values, `E` refused, `R` an integer beyond 64 bits.
    static func pythonReads(_ documents: [String]) throws -> [String] {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("toml-\(UUID().uuidString)").path
        try (documents.map { hex(Array($0.utf8)) }.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: input) }
        let result = try run("sh", ["-c", "python3 -c \"$0\" < \"$1\"", python, input])
        #expect(result.status == 0, "\(result.error)")
        return result.output.split(separator: "\n").map(String.init)
    }

    static func oursReads(_ document: String) -> String {
        do {
            return "V" + canonical(try TOMLTable(parsing: document))
        } catch {
            return "E"
        }
    }

    static func compare(_ documents: [String]) throws -> [String] {
        let theirs = try pythonReads(documents)
        try #require(theirs.count == documents.count, "python read \(theirs.count) of \(documents.count)")
        var differences: [String] = []
        for (index, document) in documents.enumerated() {
            let ours = oursReads(document)
            // Beyond 64 bits TOML 1.0 says refuse; Python's integers have no bound.
            let expected = theirs[index] == "R" ? "E" : theirs[index]
            if ours != expected { differences.append("\(document.debugDescription)\n  python: \(theirs[index])\n  ours:   \(ours)") }
        }
        return differences
    }

    /// The specification's own examples and its edge cases, read or refused as Python does.
    static let written: [String] = [
        "", "# only a comment", "a = 1", "a = 1\n", "a=1#c\n", "a = 1 # c\nb = 2", "a = \"x\" \"y\"",
        "key = # no value", "= \"no key\"", "first = \"Tom\" last = \"Preston\"",
        "bare_key = 1\nbare-key = 2\n1234 = 3", "\"127.0.0.1\" = 1\n\"character encoding\" = 2\n\"ʎǝʞ\" = 3\n'key2' = 4\n'quoted \"value\"' = 5",
        "\"\" = 1", "'' = 1", "= 1", "name.first = 1\nname . last = 2\n site.\"google.com\" = true", "3.14159 = \"pi\"",
        "name = 1\nname = 2", "spelling = 1\n\"spelling\" = 2", "fruit.apple = 1\nfruit.apple.smooth = true",
        "fruit.apple.smooth = true\nfruit.orange = 2", "apple.type = 1\norange.type = 2\napple.skin = 3",
        "s = \"I'm a string. \\\"You can quote me\\\". Name\\tJos\\u00E9\\nLocation\\tSF.\"",
        "s = \"\\U0001F600 \\u00e9\"", "s = \"\\uD800\"", "s = \"\\U00110000\"", "s = \"\\x41\"", "s = \"\\u12\"", "s = \"a\\qb\"",
        "s = \"\"\"\nRoses are red\nViolets are blue\"\"\"", "s = \"\"\"\\\n  The quick \\\n\n\n  brown \\\n  fox.\\\n  \"\"\"",
        "s = \"\"\"Here are two quotation marks: \"\". Simple enough.\"\"\"", "s = \"\"\"Here are three quotation marks: \"\"\".\"\"\"",
        "s = \"\"\"Here are fifteen quotation marks: \\\"\"\"\\\"\"\"\\\"\"\"\\\"\"\"\\\"\"\".\"\"\"", "s = \"\"\"\"This,\" she said, \"is just a pointless statement.\"\"\"\"",
        "s = \"\"\"a\"\"\"\"\"", "s = \"\"\"a\"\"\"\"\"\"", "s = \"\"\"a \\   \n  b\"\"\"", "s = \"\"\"a \\  x\n  b\"\"\"", "s = \"\"\"a\\",
        "s = 'C:\\Users\\nodejs\\templates'", "s = '<\\i\\c*\\s*>'", "s = '''\nThe first newline is\ntrimmed in raw strings.\n'''",
        "s = '''Here are fifteen apostrophes: '''''''''''''''''", "s = ''''That,' she said, 'is still pointless.''''", "s = '''a''''''",
        "s = \"tab\there\"", "s = \"bell\u{7}\"", "s = 'del\u{7f}'", "s = \"\"\"cr\r\"\"\"", "# comment \u{1}", "s = \"unterminated",
        "s = 'unterminated\n'", "s = \"\"\"never", "s = '''never''", "s = \"line\nbreak\"",
        "i = +99\nj = 42\nk = 0\nl = -17", "i = 1_000\nj = 5_349_221\nk = 53_49_221\nl = 1_2_3_4_5", "i = 1__000", "i = _1", "i = 1_",
        "i = 0xDEADBEEF\nj = 0xdeadbeef\nk = 0xdead_beef\nl = 0o01234567\nm = 0o755\nn = 0b11010110", "i = 0x", "i = 0xG", "i = +0x1",
        "i = 012", "i = -0", "i = +0", "i = 9223372036854775807", "i = -9223372036854775808", "i = 9223372036854775808",
        "i = 0x7fffffffffffffff", "i = 0x8000000000000000", "i = 0b2", "i = 0o8", "i = 1e",
        "f = +1.0\ng = 3.1415\nh = -0.01\ni = 5e+22\nj = 1e06\nk = -2E-2\nl = 6.626e-34\nm = 224_617.445_991_228",
        "f = .7", "f = 7.", "f = 3.e+20", "f = 1e_2", "f = 1.5e400", "f = 0.0\ng = -0.0\nh = +0.0", "f = 01.5", "f = 0e0",
        "f = inf\ng = +inf\nh = -inf\ni = nan\nj = +nan\nk = -nan", "f = infinity", "f = Inf", "f = 1_.2",
        "b = true\nc = false", "b = True", "b = truee", "b = tru",
        "d = 1979-05-27T07:32:00Z\ne = 1979-05-27T00:32:00-07:00\nf = 1979-05-27T00:32:00.999999-07:00\ng = 1979-05-27 07:32:00Z",
        "d = 1979-05-27T07:32:00\ne = 1979-05-27T00:32:00.999999\nf = 1979-05-27\ng = 07:32:00\nh = 00:32:00.999999",
        "d = 1979-05-27t07:32:00z", "d = 1979-05-27T07:32Z", "d = 07:32", "d = 2000-02-29", "d = 2001-02-29", "d = 1900-02-29",
        "d = 1979-13-27", "d = 1979-05-32", "d = 1979-04-31", "d = 0000-01-01", "d = 1979-05-27T24:00:00", "d = 1979-05-27T07:60:00",
        "d = 1979-05-27T07:32:60", "d = 1979-05-27T07:32:00+24:00", "d = 1979-05-27T07:32:00.", "d = 1979-05-27T07:32:00.1234567891Z",
        "d = 1979-05-27 07:32:00 # space", "d = 1979-05-27 x", "d = [1979-05-27 , 1]", "d = 1979-5-27",
        "a = [ 1, 2, 3 ]\nb = [ \"red\", \"yellow\", \"green\" ]\nc = [ [ 1, 2 ], [3, 4, 5] ]\nd = [ [ 1, 2 ], [\"a\", \"b\", \"c\"] ]",
        "a = [ 0.1, 0.2, 0.5, 1, 2, 5, \"x\", { x = 1, y = 2, z = 3 } ]", "a = [\n  1, 2, 3\n]\nb = [\n  1,\n  2, # this is ok\n]",
        "a = [,]", "a = [1,,2]", "a = [1 2]", "a = [", "a = [1,", "a = [ # c\n ]", "a = []", "a = [[]]",
        "[table]", "[table-1]\nkey1 = \"some string\"\nkey2 = 123\n[table-2]\nkey1 = \"another string\"\nkey2 = 456",
        "[dog.\"tater.man\"]\ntype.name = \"pug\"", "[a.b.c]\n[ d.e.f ]\n[ g .  h  . i ]\n[ j . \"ʞ\" . 'l' ]", "[x.y.z.w]\n[x]",
        "[fruit]\napple = \"red\"\n[fruit]\norange = \"orange\"", "[fruit]\napple = \"red\"\n[fruit.apple]\ntexture = \"smooth\"",
        "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple]", "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple.taste]",
        "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple.texture]\nsmooth = true", "[a.b]\n[a]\nc = 1", "[a]\n[a.b]\n[a]",
        "fruit.apple.color = 1\n[fruit]", "a.b = 1\n[a.c]", "[a]\nb.c = 1\n[a]\nb.d = 2", "[a]\nb.c = 1\nb.d = 2", "[ a ]", "[a ] ]", "[a", "[]", "[ ]",
        "[a] x", "[a]\n[[a]]", "[[a]]\n[a]", "[a.b] # c", "[\"a\"]\n[a]", "['a'.b]\n[a.\"b\"]",
        "name = { first = \"Tom\", last = \"Preston-Werner\" }\npoint = { x = 1, y = 2 }\nanimal = { type.name = \"pug\" }",
        "a = {}", "a = { }", "a = {x=1,}", "a = {x=1\n}", "a = {\nx=1}", "a = {x=1, x=2}", "a = {x.y=1, x.z=2}", "a = {x={y=1}, x.z=2}",
        "a = {x=[1], x.y=1}", "a = {x = 1}\n[a]", "a = {x = 1}\na.y = 2", "[product]\ntype = { name = \"Nail\" }\ntype.edible = false",
        "[product]\ntype.name = \"Nail\"\ntype = { edible = false }", "a = {b = {c = {d = 1}}}", "a = {b.c.d = 1, b.c.e = 2}",
        "[[products]]\nname = \"Hammer\"\nsku = 738594937\n[[products]]\n[[products]]\nname = \"Nail\"\nsku = 284758393\ncolor = \"gray\"",
        "[[fruits]]\nname = \"apple\"\n[fruits.physical]\ncolor = \"red\"\n[[fruits.varieties]]\nname = \"red delicious\"\n[[fruits.varieties]]\nname = \"granny smith\"\n[[fruits]]\nname = \"banana\"\n[[fruits.varieties]]\nname = \"plantain\"",
        "[fruit.physical]\ncolor = \"red\"\n[[fruit]]\nname = \"apple\"", "fruits = []\n[[fruits]]", "[[fruits]]\nname = \"apple\"\n[[fruits.varieties]]\n[fruits.varieties]",
        "[[fruits]]\n[fruits.physical]\n[[fruits.physical]]", "[[a]]\nb.c = 1\n[[a]]\nb.c = 2", "[[a]]\n[a.b]\n[[a]]\n[a.b]", "[[a]]\n[a.b]\n[a.b]",
        "[[ a ]]", "[ [a]]", "[[a] ]", "[[a]", "a = [{b = 1}]\n[[a]]", "a = [{b = 1}]\n[a.c]", "a.b = 1\n[[a]]", "[[a.b]]\n[a]\nc = 1\n[a]",
        "a = 1\n[a]", "a = 1\n[a.b]", "a = 1\na.b = 2", "a.b = 1\na = 2", "[a]\nb = 1\n[a.b]", "x = \"\\u0000\"", "é = 1", "a.é = 1",
        "a = 1\r", "a = 1\r\nb = 2", "\u{feff}a = 1", "a\t=\t1\t#\tx", "  [  a  .  b  ]  \n  c  =  1  ",
        "a = [[1, [2, [3]]], {x = [{y = 1}]}]", "\"a\nb\" = 1", "'a\nb' = 1", "\"\"\"a\"\"\" = 1", "a = \"\"\"\"\"\"", "a = ''''''",
    ]

    @Test func theSpecificationsExamplesAreReadAsPythonReadsThem() throws {
        let differences = try Self.compare(Self.written)
        #expect(differences.isEmpty, "\(differences.count) differences:\n\(differences.prefix(20).joined(separator: "\n"))")
    }

    /// Random documents in every form TOML allows, with names drawn from a few so that tables meet (and clash); then
    /// the same documents damaged. Reading or refusing must agree with Python on each.
    @Test func twentyThousandRandomDocumentsAreReadAsPythonReadsThem() async throws {
        try await onItsOwnThread {
            var writer = RandomTOML(seed: 20261202)
            var documents: [String] = []
            for index in 0..<20_000 {
                let document = writer.document()
                documents.append(index % 2 == 0 ? document : writer.damaged(document))
            }
            let differences = try Self.compare(documents)
            #expect(differences.isEmpty, "\(differences.count) differences:\n\(differences.prefix(20).joined(separator: "\n"))")
            // Both outcomes were exercised: the comparison is not all of one kind.
            let read = documents.filter { Self.oursReads($0) != "E" }.count
            #expect(read > 4_000 && read < 16_000, "\(read) read")
        }
    }

    @Test func theShippedConfigurationIsReadAsPythonReadsIt() throws {
        let shipped = try String(contentsOfFile: Paths.packageRoot + "/Config/ardoise.toml", encoding: .utf8)
        #expect(try Self.compare([shipped]).isEmpty)
        #expect(Self.oursReads(shipped) != "E")
    }

    @Test func errorsSayTheirLineAndColumnInBothLanguages() {
        for (text, line, column) in [("a = 1\nb = \"x\n", 2, 7), ("[a]\n[a]\n", 2, 1), ("a = 1\n\n  b = [1 2]", 3, 10), ("x = \"é\\q\"", 1, 7)] {
            do {
                _ = try TOMLTable(parsing: text)
                Issue.record("accepted: \(text.debugDescription)")
            } catch {
                #expect(error.line == line && error.column == column, "\(text.debugDescription): \(error)")
                #expect(error.message(.french).hasPrefix("ligne \(line), colonne \(column) : "))
                #expect(error.message(.english) != error.message(.french))
            }
        }
    }

    @Test func aDeeplyNestedDocumentIsRefusedWithoutExhaustingTheStack() {
        for text in ["a = " + String(repeating: "[", count: 100_000), "a = " + String(repeating: "{b = ", count: 100_000)] {
            #expect(throws: TOMLSyntaxError.self) { try TOMLTable(parsing: text) }
        }
        let deepest = "a = " + String(repeating: "[", count: TOMLParser.maximumDepth) + String(repeating: "]", count: TOMLParser.maximumDepth)
        #expect((try? TOMLTable(parsing: deepest)) != nil)
    }

    @Test func keysSwiftDeemsEqualAreTwoKeys() throws {
        let table = try TOMLTable(parsing: "\"\u{e9}\" = 1\n\"e\u{301}\" = 2\n")
        #expect(table.keys.count == 2)
    }
}

/// Documents of TOML in every form the specification allows, from a seed.
struct RandomTOML {
    var generator: SeededGenerator

    init(seed: UInt64) { generator = SeededGenerator(seed: seed) }

    mutating func pick<T>(_ choices: [T]) -> T { choices.randomElement(using: &generator)! }
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &generator) < percent }
    mutating func count(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &generator) }

    mutating func space() -> String { pick(["", "", " ", " ", "\t", "  "]) }

    mutating func keyPart() -> String {
        switch count(0...9) {
        case 0: return "\"" + pick(["a", "b c", "é", "a.b", "", "\\u0061", "\\t"]) + "\""
        case 1: return "'" + pick(["a", "b", "x y", "", "\\"]) + "'"
        case 2: return pick(["1", "-", "_", "true", "inf", "0x1"])
        default: return pick(["a", "b", "c", "d"])
        }
    }

    mutating func key() -> String {
        var parts = [keyPart()]
        while chance(30) { parts.append(keyPart()) }
        var text = ""
        for (index, part) in parts.enumerated() { text += (index == 0 ? "" : space() + "." + space()) + part }
        return text
    }

    mutating func string() -> String {
        let pieces = ["a", " ", "é", "😀", "\\\"", "\\\\", "\\n", "\\t", "\\u00e9", "\\U0001F600", "'", "#", "\\b", "\\f", "\\r", "\t"]
        func body(_ generator: inout RandomTOML, _ extra: [String]) -> String {
            (0..<generator.count(0...6)).map { _ in generator.pick(pieces + extra) }.joined()
        }
        switch count(0...4) {
        case 0: return "\"" + body(&self, []) + "\""
        case 1: return "'" + (0..<count(0...5)).map { _ in pick(["a", "\\", "\"", " ", "é", "\\n"]) }.joined() + "'"
        case 2: return "\"\"\"" + pick(["", "\n"]) + body(&self, ["\n", "\"", "\"\"", "\\\n   ", "\\  \n\n  "]) + pick(["", "\"", "\"\""]) + "\"\"\""
        case 3: return "'''" + pick(["", "\n"]) + (0..<count(0...5)).map { _ in pick(["a", "\n", "'", "''", "\\", "\""]) }.joined() + pick(["", "'", "''"]) + "'''"
        default: return "\"" + pick(["", "x", "kiosque"]) + "\""
        }
    }

    mutating func digits(_ alphabet: String, _ length: Int) -> String {
        var text = ""
        for index in 0..<length {
            if index > 0 && chance(15) { text += "_" }
            text.append(pick(Array(alphabet)))
        }
        return text
    }

    mutating func number() -> String {
        let sign = pick(["", "", "+", "-"])
        switch count(0...9) {
        case 0: return "0x" + digits("0123456789abcdefABCDEF", count(1...17))
        case 1: return "0o" + digits("01234567", count(1...22))
        case 2: return "0b" + digits("01", count(1...65))
        case 3: return sign + pick(["9223372036854775807", "9223372036854775808", "0", "00", "1" + String(repeating: "0", count: 19)])
        case 4: return sign + pick(["inf", "nan"])
        case 5: return sign + digits("123456789", 1) + digits("0123456789", count(0...4)) + "." + digits("0123456789", count(1...6))
        case 6: return sign + digits("123456789", 1) + pick(["e", "E"]) + pick(["", "+", "-"]) + digits("0123456789", count(1...3))
        case 7: return sign + "0." + digits("0123456789", count(1...20)) + pick(["", "e-300", "e308", "e309", "E-400"])
        default: return sign + digits("123456789", 1) + digits("0123456789", count(0...8))
        }
    }

    mutating func dateTime() -> String {
        let year = String(cFormat: "%04d", Int32(pick([1979, 2000, 1900, 2024, 2023, 1, 9999])))
        let month = String(cFormat: "%02d", Int32(count(1...12)))
        let day = String(cFormat: "%02d", Int32(pick([1, 15, 28, 29, 30, 31])))
        let time = String(cFormat: "%02d:%02d:%02d", Int32(count(0...23)), Int32(count(0...59)), Int32(count(0...59)))
            + pick(["", "", ".5", ".123456", ".1234567899"])
        let offset = pick(["", "Z", "z", "+01:00", "-07:30", "+23:59"])
        switch count(0...3) {
        case 0: return "\(year)-\(month)-\(day)"
        case 1: return time
        default: return "\(year)-\(month)-\(day)" + pick(["T", "t", " "]) + time + offset
        }
    }

    mutating func value(_ depth: Int = 0) -> String {
        switch count(0...(depth < 3 ? 11 : 8)) {
        case 0, 1, 2: return string()
        case 3, 4, 5: return number()
        case 6: return pick(["true", "false"])
        case 7, 8: return dateTime()
        case 9, 10:
            let elements = (0..<count(0...4)).map { _ in value(depth + 1) }
            let gap = pick(["", " ", "\n", " # note\n  "])
            return "[" + gap + elements.joined(separator: "," + gap) + (chance(30) && !elements.isEmpty ? "," : "") + gap + "]"
        default:
            let pairs = (0..<count(0...3)).map { _ in key() + space() + "=" + space() + value(depth + 1) }
            return "{" + space() + pairs.joined(separator: "," + space()) + space() + "}"
        }
    }

    mutating func document() -> String {
        var lines: [String] = []
        for _ in 0..<count(1...12) {
            switch count(0...9) {
            case 0, 1: lines.append(space() + "[" + space() + key() + space() + "]" + pick(["", " # table"]))
            case 2: lines.append(space() + "[[" + space() + key() + space() + "]]")
            case 3: lines.append(pick(["", "# comment", "#", "  # é 😀"]))
            default: lines.append(space() + key() + space() + "=" + space() + value() + pick(["", "", " # c", "\t#"]))
            }
        }
        return lines.joined(separator: "\n") + pick(["", "\n", "\n\n"])
    }

    /// One to three edits of the characters: the syntax's own characters put in, taken out or repeated.
    mutating func damaged(_ document: String) -> String {
        var characters = Array(document)
        for _ in 0..<count(1...3) where !characters.isEmpty {
            let at = count(0...(characters.count - 1))
            switch count(0...3) {
            case 0: characters.insert(pick(Array("[]{}=,.\"'#\n\\ _+-:eE0x\u{7}\r")), at: at)
            case 1: characters.remove(at: at)
            case 2: characters.insert(contentsOf: characters[at..<min(characters.count, at + count(1...8))], at: at)
            default: characters[at] = pick(Array("a1 .\n\"'"))
            }
        }
        return String(characters)
    }
}
