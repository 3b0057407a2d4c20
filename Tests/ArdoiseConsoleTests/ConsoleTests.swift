import ArdoiseCore
import ArdoiseSystem
import ArdoiseTestSupport
import Foundation
import Glibc
import Testing
@testable import ArdoiseConsole

/// The console served for real on 127.0.0.1 over a real journal (SQLite), and asked by curl as a browser would.
@Suite(.serialized) struct ConsoleTests {
    final class Served: @unchecked Sendable {
        let folder: String
        let journal: AccessJournal
        let port: Int
        let server: Task<Void, any Error>
        let executor = OwnThreadExecutor()

        init(pageRows: Int = 500, fill: (AccessJournal) throws -> Void) async throws {
            folder = NSTemporaryDirectory() + "ardoise-console-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            journal = try AccessJournal(directory: folder + "/state")
            try fill(journal)
            let staffFile = folder + "/staff"
            FileManager.default.createFile(atPath: staffFile, contents: Data((StaffAccounts.line(name: "animatrice", password: "mot de passe long") + "\n").utf8),
                                           attributes: [.posixPermissions: 0o600])
            let console = ConsoleApplication(store: .local(journal), staff: try StaffAccounts.load(path: staffFile), pageRows: pageRows)
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let app = console.application(host: "127.0.0.1", port: 0) { continuation.yield($0) }
            // The server answers on a thread of its own, whatever the other tests do with the task pool.
            server = Task(executorPreference: executor) { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            port = try #require(await iterator.next())
        }

        deinit {
            server.cancel()
            try? FileManager.default.removeItem(atPath: folder)
        }

        struct Answer {
            var status: Int
            var headers: String
            var body: String
            func header(_ name: String) -> String? {
                headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
                    .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
            }
        }

        /// One request with curl: a form's fields URL-encoded, a cookie, extra headers.
        func ask(_ path: String, form: [String: String]? = nil, cookie: String? = nil, headers: [String] = []) async throws -> Answer {
            let id = UUID().uuidString
            var arguments = ["-s", "-o", folder + "/body-" + id, "-D", folder + "/head-" + id, "-w", "%{http_code}", "--max-time", "30"]
            if let form {
                arguments += ["-X", "POST"]
                for (key, value) in form.sorted(by: { $0.key < $1.key }) { arguments += ["--data-urlencode", "\(key)=\(value)"] }
            }
            if let cookie { arguments += ["-H", "Cookie: \(cookie)"] }
            for header in headers { arguments += ["-H", header] }
            arguments.append("http://127.0.0.1:\(port)\(path)")
            let outcome = try await onItsOwnThread { Subprocess.run("/usr/bin/curl", arguments) }
            let body = (try? String(contentsOfFile: folder + "/body-" + id, encoding: .utf8)) ?? ""
            let head = (try? String(contentsOfFile: folder + "/head-" + id, encoding: .utf8)) ?? ""
            return Answer(status: Int(outcome.output) ?? -1, headers: head, body: body)
        }

        /// Signs in; the session's cookie.
        func signIn() async throws -> String {
            let answer = try await ask("/sign-in", form: ["name": "animatrice", "password": "mot de passe long"])
            #expect(answer.status == 303 && answer.header("Location") == "/events")
            let cookie = try #require(answer.header("Set-Cookie"))
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Secure"))
            return String(cookie.split(separator: ";")[0])
        }
    }

    static func sessions(_ journal: AccessJournal, count: Int, user: String = "kiosque") throws {
        let start = JournalClock.now() - 3_600_000_000
        _ = try journal.append(contentsOf: (0..<count).flatMap { index -> [JournalEvent] in
            let at = start + Int64(index) * 1_000_000
            return [JournalEvent(time: at, kind: .sessionStart, seat: "seat0", session: "c\(index)", uid: 2001, user: user),
                    JournalEvent(time: at + 500_000, kind: .sessionEnd, seat: "seat0", session: "c\(index)", uid: 2001, user: user,
                                 duration: 500_000, outcome: "logout")]
        })
    }

    @Test func aStrangerSeesOnlyTheSignInPageAndAWrongPasswordOpensNothing() async throws {
        let served = try await Served { try Self.sessions($0, count: 2) }
        let events = try await served.ask("/events")
        #expect(events.status == 303 && events.header("Location") == "/sign-in" && !events.body.contains("kiosque"))
        #expect(try await served.ask("/stats").status == 303)
        #expect(try await served.ask("/events.csv").status == 303)
        let page = try await served.ask("/sign-in")
        #expect(page.status == 200 && page.body.contains("Mot de passe") && page.body.contains("<html lang=\"fr\">"))
        // The page's own protections, on every answer.
        #expect(page.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
        #expect(page.header("X-Frame-Options") == "DENY" && page.header("Cache-Control") == "no-store" && page.header("Referrer-Policy") == "no-referrer")
        let wrong = try await served.ask("/sign-in", form: ["name": "animatrice", "password": "devine"])
        #expect(wrong.status == 401 && wrong.body.contains("Nom ou mot de passe incorrect") && wrong.header("Set-Cookie") == nil)
        let nobody = try await served.ask("/sign-in", form: ["name": "personne", "password": "mot de passe long"])
        #expect(nobody.status == 401 && nobody.header("Set-Cookie") == nil)
        // A made-up cookie opens nothing.
        #expect(try await served.ask("/events", cookie: "ardoise_console=" + String(repeating: "0", count: 64)).status == 303)
        // A sign-in sent from another site's page is refused.
        let foreign = try await served.ask("/sign-in", form: ["name": "animatrice", "password": "mot de passe long"], headers: ["Origin: https://evil.example"])
        #expect(foreign.status == 403 && foreign.header("Set-Cookie") == nil)
    }

    @Test func fiveWrongPasswordsLockTheNameEvenForTheRightOne() async throws {
        let served = try await Served { _ in }
        for _ in 0..<5 { #expect(try await served.ask("/sign-in", form: ["name": "animatrice", "password": "faux-\(UUID())"]).status == 401) }
        let locked = try await served.ask("/sign-in", form: ["name": "animatrice", "password": "mot de passe long"])
        #expect(locked.status == 429 && locked.body.contains("bloqué") && locked.header("Set-Cookie") == nil)
    }

    @Test func signedInStaffReadTheEventsFilteredEscapedAndAsCSVThenSignOut() async throws {
        let served = try await Served(pageRows: 3) { journal in
            try Self.sessions(journal, count: 2)
            // A hostile account name: shown as text, never as markup.
            _ = try journal.append(JournalEvent(kind: .sessionStart, seat: "seat0", session: "c9", uid: 2002, user: "<script>alert(1)</script>\u{202E}"))
        }
        let cookie = try await served.signIn()
        let page = try await served.ask("/events", cookie: cookie)
        #expect(page.status == 200)
        #expect(page.body.contains("5 événement(s), les 3 plus récents affichés"))
        #expect(!page.body.contains("<script>") && page.body.lowercased().contains("&lt;script&gt;alert(1)&lt;/script&gt;\\u{202e}"))
        #expect(page.body.contains("animatrice") && page.body.contains("Se déconnecter"))
        // The most recent first: the hostile session, then c1's end.
        let rows = page.body.components(separatedBy: "<tr>").dropFirst(2)
        #expect(rows.first?.contains("c9") == true && rows.dropFirst().first?.contains("c1") == true)

        let ends = try await served.ask("/events?event=session-end&user=kiosque", cookie: cookie)
        #expect(ends.body.contains("2 événement(s)") && !ends.body.contains("c9"))
        let english = try await served.ask("/events?event=session-end", cookie: cookie, headers: ["Accept-Language: en-GB,en;q=0.9,fr;q=0.5"])
        #expect(english.body.contains("2 event(s)") && english.body.contains("Sign out") && english.body.contains("<html lang=\"en\">"))
        let badDate = try await served.ask("/events?since=hier", cookie: cookie)
        #expect(badDate.status == 400 && badDate.body.contains("Date illisible"))

        let csv = try await served.ask("/events.csv?event=session-start", cookie: cookie)
        #expect(csv.status == 200 && csv.header("Content-Type")?.hasPrefix("text/csv") == true)
        #expect(csv.header("Content-Disposition")?.contains("attachment") == true)
        let lines = csv.body.split(separator: "\r\n")
        #expect(lines.count == 4 && lines[0].contains("sequence,time_utc") && lines[3].contains("<script>"), "the CSV has them all, as journal list writes them")

        let figures = try await served.ask("/stats?by=day", cookie: cookie)
        #expect(figures.status == 200 && figures.body.contains("<td>3</td>"), "three sessions today")

        let out = try await served.ask("/sign-out", form: [:], cookie: cookie)
        #expect(out.status == 303 && out.header("Set-Cookie")?.contains("Max-Age=0") == true)
        #expect(try await served.ask("/events", cookie: cookie).status == 303, "the old cookie opens nothing any more")
    }

    @Test func theIntegrityPageSaysWhetherTheJournalWasChanged() async throws {
        let served = try await Served { try Self.sessions($0, count: 3) }
        let cookie = try await served.signIn()
        #expect(try await served.ask("/integrity").status == 303)
        let clear = try await served.ask("/integrity", cookie: cookie)
        #expect(clear.status == 200 && clear.body.contains("Rien n'a été modifié ni perdu") && !clear.body.contains("class=\"error\""))
        // Someone with the disk in hand edits an event: the page says so.
        let edited = Subprocess.run("/usr/bin/sqlite3", [served.folder + "/state/journal.sqlite", "UPDATE event SET user = 'autre' WHERE seq = 2"])
        #expect(edited.code == 0, "\(edited.error)")
        let broken = try await served.ask("/integrity", cookie: cookie)
        #expect(broken.status == 200 && broken.body.contains("Le journal a été modifié") && !broken.body.contains("Rien n'a été modifié"))
    }

    @Test func theStaffFileIsRefusedWhenOthersCanReadItOrALineIsWrong() throws {
        let folder = NSTemporaryDirectory() + "ardoise-staff-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let line = StaffAccounts.line(name: "accueil", password: "un mot de passe")
        FileManager.default.createFile(atPath: folder + "/open", contents: Data((line + "\n").utf8), attributes: [.posixPermissions: 0o644])
        #expect(throws: StaffAccounts.Problem.self) { try StaffAccounts.load(path: folder + "/open") }
        FileManager.default.createFile(atPath: folder + "/bad", contents: Data("# staff\n\(line)\naccueil2:motdepasse\n".utf8), attributes: [.posixPermissions: 0o600])
        #expect(throws: StaffAccounts.Problem(path: folder + "/bad", line: 3, reason: "expected name:bcrypt-hash (ardoise-console add-staff writes them)")) {
            try StaffAccounts.load(path: folder + "/bad")
        }
        symlink(folder + "/bad", folder + "/link")
        #expect(throws: StaffAccounts.Problem.self) { try StaffAccounts.load(path: folder + "/link") }
        FileManager.default.createFile(atPath: folder + "/good", contents: Data("# staff\n\(line)\n".utf8), attributes: [.posixPermissions: 0o600])
        let staff = try StaffAccounts.load(path: folder + "/good")
        #expect(staff.names == ["accueil"] && staff.verify(name: "accueil", password: "un mot de passe") && !staff.verify(name: "accueil", password: "un mot de pass"))
    }

    @Test func theBrowsersLanguageChoosesThePagesLanguage() {
        #expect(Language.fromAcceptLanguage(nil) == .french)
        #expect(Language.fromAcceptLanguage("en-US,en;q=0.9") == .english)
        #expect(Language.fromAcceptLanguage("de-DE, en;q=0.3, fr;q=0.7") == .french)
        #expect(Language.fromAcceptLanguage("uk, ar") == .french)
    }
}
