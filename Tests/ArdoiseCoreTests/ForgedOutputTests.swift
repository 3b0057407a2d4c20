@testable import ArdoiseCore
import Foundation
import Glibc
import Testing

/// What an administrator reads cannot be forged by a visitor: escape sequences, bells, carriage returns, C1 codes and
/// bidi overrides from a user's files show as visible escapes, long values are cut, spreadsheet formulas are neutralised.
@Suite struct ForgedOutputTests {
    static let forged = "Downloads\u{1b}[2J\u{1b}]0;pwned\u{07}\rOK\u{9b}31m\u{202e}fdp.exe"

    @Test func controlAndBidiCharactersAreShownEscaped() {
        let shown = DisplayText.escaped(Self.forged)
        #expect(shown == "Downloads\\x1b[2J\\x1b]0;pwned\\x07\\rOK\\u{009b}31m\\u{202e}fdp.exe")
        #expect(!shown.unicodeScalars.contains { $0.value < 0x20 || (0x80...0x9f).contains($0.value) || $0.value == 0x202e })
        #expect(DisplayText.escaped(bytes: [0x61, 0xff, 0x1b, 0x5c]) == "a\\xff\\x1b\\\\")
        let long = DisplayText.escaped(String(repeating: "a", count: 1_000_000))
        #expect(long.count == DisplayText.limit + 1 && long.hasSuffix("…"), "a 1,000,000-character value is cut")
    }

    @Test func aForgedUserDirsValueReachesTheReportEscapedAndCut() throws {
        let sandbox = try Sandbox()
        let value = "/etc/" + Self.forged + String(repeating: "x", count: 100_000)
        try sandbox.write(".config/user-dirs.dirs", "XDG_DOWNLOAD_DIR=\"\(value)\"\n")
        let report = try sandbox.wipe()
        #expect(!report.isClean, "a refused value is a problem")
        for language in Language.allCases {
            let table = report.table(language)
            #expect(!table.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || (0x80...0x9f).contains($0.value) || $0.value == 0x202e })
            #expect(table.contains("\\x1b[2J") && table.contains("\\u{202e}"))
            #expect(table.count < 5_000, "the 100,000-character value is cut")
        }
    }

    @Test(.enabled(if: isRoot, "a bind mount needs root")) func aForgedNameInAFileNameReachesTheReportEscaped() throws {
        let sandbox = try Sandbox()
        try sandbox.write(".config/user-dirs.dirs", "XDG_DOWNLOAD_DIR=\"$HOME/Downloads\"\n")
        try sandbox.mkdir("Downloads")
        let name = "x\u{1b}]0;title\u{07}\u{202e}gpj.exe"
        try sandbox.mkdir("Downloads/" + name)
        try sandbox.bindMount(sandbox.outside, on: sandbox.home + "/Downloads/" + name)
        let table = try sandbox.wipe().table(.english)
        #expect(table.contains("x\\x1b]0;title\\x07\\u{202e}gpj.exe"), "\(table)")
        #expect(!table.unicodeScalars.contains { $0.value == 0x1b || $0.value == 0x07 || $0.value == 0x202e })
    }

    @Test func journalTablesAreEscapedAndCSVCellsCannotBeFormulas() throws {
        let event = JournalEvent(time: monday, kind: .sessionStart, host: "epn-1", seat: "seat0\u{1b}[31m", session: "=HYPERLINK(\"http://x\")",
                                 uid: 2001, user: "@SUM(1+1)\u{202e}")
        let table = [event].rendered(.table, language: .french)
        #expect(table.contains("seat0\\x1b[31m") && table.contains("\\u{202e}"))
        #expect(!table.unicodeScalars.contains { $0.value == 0x1b || $0.value == 0x202e })
        let csv = [event].rendered(.csv, language: .english)
        #expect(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\"") && csv.contains("'@SUM(1+1)"), "\(csv)")
        #expect(!csv.contains(",=") && !csv.contains(",@") && !csv.contains(",+") && !csv.contains(",-"))
        #expect(DisplayText.spreadsheetCell("-2+3") == "'-2+3" && DisplayText.spreadsheetCell("kiosque") == "kiosque")
    }
}
