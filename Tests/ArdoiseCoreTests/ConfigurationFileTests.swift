import ArdoiseTestSupport
import Foundation
import Glibc
import Testing
@testable import ArdoiseCore

/// Reading the configuration refuses anything but a sane regular file, says why, and never hangs, crashes or eats memory.
@Suite struct ConfigurationFileTests {
    static func problem(_ path: String) -> ConfigurationError? {
        do {
            _ = try ArdoiseConfiguration.load(path: path)
            return nil
        } catch {
            return error
        }
    }

    static func file(_ sandbox: Sandbox, _ bytes: [UInt8]) throws -> String {
        let path = sandbox.base + "/ardoise-\(UUID().uuidString).toml"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aFIFOAFolderOrADeviceIsRefusedAtOnce() throws {
        let sandbox = try Sandbox()
        let fifo = sandbox.base + "/fifo.toml"
        #expect(mkfifo(fifo, 0o644) == 0)
        let started = ContinuousClock.now
        #expect(Self.problem(fifo)?.problem == .notARegularFile("FIFO"), "a FIFO with no writer would hang a blocking read")
        #expect(Self.problem(sandbox.base)?.problem == .notARegularFile("directory"))
        #expect(Self.problem("/dev/zero")?.problem == .notARegularFile("device"), "/dev/zero would be read without end")
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(try ArdoiseConfiguration.load(path: "/dev/null") == ArdoiseConfiguration(), "/dev/null: no configuration at all")
    }

    @Test func aMissingOrHugeFileSaysWhy() throws {
        let sandbox = try Sandbox()
        let missing = Self.problem(sandbox.base + "/missing.toml")
        #expect(missing?.problem == .unreadable(String(cString: strerror(ENOENT))))
        #expect(missing?.message(.english).contains("No such file or directory") == true)
        #expect(Self.problem("")?.problem == .unreadable("empty path"))
        let huge = try Self.file(sandbox, Array(repeating: UInt8(ascii: "#"), count: 2 << 20))
        #expect(Self.problem(huge)?.problem == .tooLarge(2 << 20))
    }

    @Test func aNulByteOrInvalidUTF8IsRefusedWithItsLineAndColumn() throws {
        let sandbox = try Sandbox()
        // Once, everything after a NUL was ignored: the kiosk accounts were dropped and logouts no longer wiped.
        let nul = try Self.file(sandbox, Array("[wipe]\nmode = \"auto\"\n[kiosk]\nus".utf8) + [0] + Array("ers = [\"kiosque\"]\n".utf8))
        let refused = try #require(Self.problem(nul))
        #expect(refused.problem == .nulByte(column: 3) && refused.line == 4, "\(refused)")
        #expect(refused.message(.french).contains(":4") && refused.message(.french).contains("colonne 3"))
        let latin1 = try Self.file(sandbox, Array("[notice]\ncontact = \"M".utf8) + [0xe9] + Array("diath\u{e8}que\"\n".utf8))
        let invalid = try #require(Self.problem(latin1))
        #expect(invalid.problem == .notUTF8(column: 13) && invalid.line == 2, "\(invalid)")
    }

    @Test func windowsLineEndsKeepTheirLineNumbers() throws {
        let sandbox = try Sandbox()
        let crlf = try Self.file(sandbox, Array("[kiosk]\r\nusers = [\"kiosque\"]\r\nlogout_grace_seconds = 500\r\n".utf8))
        let refused = try #require(Self.problem(crlf))
        #expect(refused.line == 3 && refused.key == "kiosk.logout_grace_seconds", "\(refused)")
        let good = try Self.file(sandbox, Array("[kiosk]\r\nusers = [\"kiosque\"]\r\n".utf8))
        #expect(try ArdoiseConfiguration.load(path: good).kiosk.users == ["kiosque"])
    }

    @Test func theCommandRefusesAFIFOWithoutHanging() throws {
        let sandbox = try Sandbox()
        let fifo = sandbox.base + "/fifo.toml"
        #expect(mkfifo(fifo, 0o644) == 0)
        let result = try run("/usr/bin/timeout", ["10", Paths.ardoiseBinary, "wipe", "--config", fifo, "--home", sandbox.home, "--dry-run"],
                             environment: ["LANG": "en_GB.UTF-8", "PATH": "/usr/bin:/bin"])
        #expect(result.status == 2, "\(result.status): \(result.error)")
        #expect(result.error.contains(fifo) && result.error.contains("not a regular file (FIFO)"))
    }
}

@Suite struct ConfigurationLineTests {
    @Test func quotedAndDottedKeysAndUnknownSectionsHaveTheirLine() throws {
        for (text, line) in [("[kiosk]\n\"logout_grace_seconds\" = 500\n", 2), ("# top\nkiosk.logout_grace_seconds = 500\n", 2),
                             ("[wipe]\nmode = \"auto\"\n\n[surprise]\nx = 1\n", 4)] {
            do {
                _ = try ArdoiseConfiguration.parse(text, file: "t.toml")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.line == line, "\(text.debugDescription): \(error)")
            }
        }
    }
}

extension ConfigurationLineTests {
    /// The line the reader says is the one that sets the key: the second of two `[[wipe.extra]]`, an inline table, a
    /// table whose header comes after one of its sub-tables, an account's name with a dot in it.
    @Test(arguments: [
        ("[[wipe.extra]]\npath = \"a\"\n\n[[wipe.extra]]\npath = \"/abs\"\n", 5, "wipe.extra.path"),
        ("[[wipe.extra]]\npath = \"a\"\n[[wipe.extra]]\nkind = \"other\"\n", 3, "wipe.extra.path"),
        ("# the kiosk\nkiosk = { users = [\"a\"], logout_grace_seconds = 500 }\n", 2, "kiosk.logout_grace_seconds"),
        ("[wipe.modes]\nk = \"catalogue\"\n[wipe]\nmode = \"fast\"\n", 4, "wipe.mode"),
        ("[sessions.accounts.a]\nidle_minutes = 5\n[sessions.accounts.\"b.c\"]\nidle_minutes = 5000\n", 4, "sessions.accounts.b.c.idle_minutes"),
        ("[wipe]\nkeep = [\n  \"Bureau/*.desktop\",\n  \"/etc/shadow\",\n]\n", 2, "wipe.keep"),
        ("[sessions]\naccounts = 3\n", 2, "sessions.accounts"),
    ])
    func theLineIsTheOneThatSetsTheKey(_ text: String, _ line: Int, _ key: String) {
        do {
            _ = try ArdoiseConfiguration.parse(text, file: "t.toml")
            Issue.record("accepted: \(text.debugDescription)")
        } catch {
            #expect(error.line == line && error.key == key, "\(text.debugDescription): \(error)")
        }
    }
}

/// Dates and durations on the command line: range-checked and explained, never a crash.
@Suite struct TimeArgumentTests {
    static let now: Int64 = 1_796_000_000_000_000

    @Test func durationsAndDatesOutsideTheirRangeAreExplained() {
        for (text, reason) in [("10000000000d", TimeArgument.Invalid.Reason.outOfRange), ("99999999999999999999d", .outOfRange),
                               ("-5d", .negative), ("1969-12-31", .outOfRange), ("10000-01-01", .unreadable), ("7x", .unreadable), ("d", .unreadable)] {
            do {
                let value = try TimeArgument.parse(text, now: Self.now)
                Issue.record("\(text) accepted as \(value)")
            } catch {
                #expect(error.reason == reason, "\(text): \(error)")
                #expect(!error.message(.french).isEmpty)
            }
        }
        #expect((try? TimeArgument.parse("7d", now: Self.now)) == Self.now - 7 * 86_400_000_000)
    }

    @Test func aSeededRandomHundredThousandInputsNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789-+:Tdhmw .x\u{0}é9")
        for _ in 0..<100_000 {
            let text = String((0..<Int.random(in: 0...24, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            if let value = try? TimeArgument.parse(text, now: Self.now) { #expect(value >= 0, "\(text.debugDescription)") }
        }
    }

    @Test func theFleetSectionIsReadForArdoiseFleet() throws {
        let fleet = try ArdoiseConfiguration.parse("""
            [fleet]
            database = "postgresql://ardoise_kiosk_epn_1@journaux.example.org/ardoise"
            password_file = "/etc/ardoise/fleet.password"
            """, file: "t.toml").fleet
        #expect(fleet.database == "postgresql://ardoise_kiosk_epn_1@journaux.example.org/ardoise")
        #expect(fleet.passwordFile == "/etc/ardoise/fleet.password" && fleet.caFile == nil)
        #expect(try ArdoiseConfiguration.parse("", file: "t.toml").fleet == FleetSettings())
    }

    @Test func theCommandExplainsANegativeDurationAndAnEmptyHome() throws {
        let sandbox = try Sandbox()
        let negative = try run(Paths.ardoiseBinary, ["journal", "list", "--state-dir", sandbox.base + "/state", "--since", "-5d"],
                               environment: ["LANG": "en_GB.UTF-8"])
        #expect(negative.status == 2 && negative.error.contains("without a minus sign"), "\(negative.error)")
        let huge = try run(Paths.ardoiseBinary, ["journal", "list", "--state-dir", sandbox.base + "/state", "--since", "10000000000d"],
                           environment: ["LANG": "en_GB.UTF-8"])
        #expect(huge.status == 2 && huge.error.contains("outside the possible dates"), "\(huge.status) \(huge.error)")
        let empty = try run(Paths.ardoiseBinary, ["wipe", "--home", "", "--dry-run"], environment: ["LANG": "en_GB.UTF-8"])
        #expect(empty.status == 2, "\(empty.error)")
        let file = sandbox.base + "/not-a-folder"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        chmod(file, 0o644)
        _ = try run(Paths.ardoiseBinary, ["journal", "list", "--state-dir", file], environment: ["LANG": "en_GB.UTF-8"])
        var info = stat()
        #expect(stat(file, &info) == 0 && info.st_mode & 0o777 == 0o644, "a file named as the state folder is never chmod-ed")
    }
}

/// The configuration reader against random damage of the shipped file: never a crash or a hang, and every rejection
/// names its place.
@Suite struct ConfigurationFuzzTests {
    /// A reader that aborts on a damaged file would take the service down with it on a reload.
    @Test func aHundredThousandDamagedFilesAreEachReadOrRefusedWithALine() async throws {
        try await onItsOwnThread {
            let shipped = Array(try String(contentsOfFile: Paths.packageRoot + "/Config/ardoise.toml", encoding: .utf8).utf8)
            var generator = SeededGenerator(seed: 20261201)
            let pieces: [[UInt8]] = [Array("=".utf8), Array("[".utf8), Array("]".utf8), Array("\"".utf8), Array("\n".utf8), Array("\r\n".utf8),
                                     Array("[kiosk]\nusers = 3\n".utf8), Array("x.y = 1\n".utf8), [0], [0xff], Array("é".utf8), Array("'''".utf8)]
            var withoutLine: [String] = []
            for _ in 0..<100_000 {
                var bytes = shipped
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    let at = Int.random(in: 0..<bytes.count, using: &generator)
                    switch Int.random(in: 0..<4, using: &generator) {
                    case 0: bytes[at] = UInt8.random(in: 0...255, using: &generator)
                    case 1: bytes.insert(contentsOf: pieces.randomElement(using: &generator)!, at: at)
                    case 2: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...40, using: &generator)))
                    default: bytes = Array(bytes[..<max(1, at)])
                    }
                    if bytes.isEmpty { bytes = [0x23] }
                }
                do throws(ConfigurationError) {
                    _ = try ArdoiseConfiguration.configuration(bytes, file: "fuzz.toml")
                } catch {
                    if error.line == nil && withoutLine.count < 5 {
                        withoutLine.append("\(error.message(.english))")
                    }
                }
            }
            #expect(withoutLine.isEmpty, "\(withoutLine)")
        }
    }
}

@Suite struct ConfigurationCrashTests {
    @Test func aHeaderWithoutANameIsRefusedWithItsLine() throws {
        for text in ["[wipe]\nmode = \"auto\"\n[# a note\nx = 1\n", "[ ]\n", "[[ # x\n", "[\u{e9}t\u{e9}]\n"] {
            do {
                _ = try ArdoiseConfiguration.parse(text, file: "t.toml")
                Issue.record("accepted: \(text.debugDescription)")
            } catch {
                #expect(error.line != nil, "\(error)")
            }
        }
        #expect(try ArdoiseConfiguration.parse("[ \"kiosk\" ]\nusers = [\"kiosque\"]\n", file: "t.toml").kiosk.users == ["kiosque"])
    }
}

/// What the commands write and print: never over a file without --force, the reason when they cannot, and a closed
/// standard error never stops a wipe.
@Suite struct CommandOutputTests {
    @Test(.enabled(if: isRoot, "the journal is root's")) func exportNeverOverwritesWithoutForceAndSaysWhy() throws {
        let sandbox = try JournalSandbox()
        try sandbox.open().append(contentsOf: knownEvents())
        let base = (sandbox.directory as NSString).deletingLastPathComponent
        let out = base + "/export.csv"
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: out))
        let arguments = ["journal", "export", "--state-dir", sandbox.directory, "--since", "2026-03-01", "--until", "2026-03-05", "--out"]
        let refused = try run(Paths.ardoiseBinary, arguments + [out], environment: ["LANG": "en_GB.UTF-8"])
        #expect(refused.status == 1 && refused.error.contains("exists already"), "\(refused.error)")
        #expect(FileManager.default.contents(atPath: out) == Data("keep me".utf8))
        let forced = try run(Paths.ardoiseBinary, arguments + [out, "--force"], environment: ["LANG": "en_GB.UTF-8"])
        #expect(forced.status == 0, "\(forced.error)")
        #expect(FileManager.default.contents(atPath: out) != Data("keep me".utf8))
        let missing = try run(Paths.ardoiseBinary, arguments + [base + "/no/such/folder.csv"], environment: ["LANG": "en_GB.UTF-8"])
        #expect(missing.status == 1 && missing.error.contains("No such file or directory"), "\(missing.error)")
    }

    @Test(.enabled(if: isRoot, "a wipe journaled by root")) func aClosedStandardErrorNeverStopsAWipe() throws {
        let sandbox = try Sandbox(fixture: true)
        let state = sandbox.base + "/state"
        let config = try WipeCommandTests.config(sandbox)
        let result = try run("/bin/sh", ["-c", "exec \"$0\" wipe --config \"$1\" --state-dir \"$2\" --home \"$3\" 2>&- >&-", Paths.ardoiseBinary,
                                         config, state, sandbox.home])
        #expect(result.status == 1, "a first catalogue wipe: done, and honest that it knows nothing of before")
        #expect(Markers.carriers(in: sandbox.home) == [])
        let journal = try AccessJournal(directory: state)
        #expect(try journal.events().map(\.kind) == [.wipeStarted, .wipeFinished], "journaled, the database untouched by stray messages")
        #expect(try run(Paths.ardoiseBinary, ["journal", "verify", "--state-dir", state]).status == 0)
    }
}
