import CLinux
import FoundationEssentials
import Glibc

/// The files beside `journal.sqlite`: the lock that makes its creation happen once, the head kept outside the
/// database, the journals set aside, the spool of events that could not be written, the pending verification keys.
enum JournalFiles {
    static let lockName = "journal.lock"
    static let headName = "journal.head"
    static let spoolName = "journal.spool"
    static let setAsideMarker = ".set-aside-"
    /// The name an earlier version gave an unreadable journal it moved away.
    static let legacySetAsideMarker = ".unreadable-"

    static func reason(_ code: Int32 = errno) -> String { SmallFile.reason(code) }
}

/// An exclusive `flock` on `journal.lock`: opening, creating, repairing and moving a journal aside happen one process at a time.
struct JournalLock: ~Copyable {
    private let descriptor: Int32

    /// Waits up to `timeout` for the lock (another command or the service may hold it for a moment).
    init(directory: String, timeout: Duration = .seconds(30)) throws(JournalError) {
        let path = directory + "/" + JournalFiles.lockName
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw errno == ENOSPC || errno == EDQUOT ? .diskFull(path) : .cannotOpen(path, JournalFiles.reason())
        }
        let deadline = ContinuousClock.now + timeout
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, ContinuousClock.now < deadline else {
                close(fd)
                throw .busy(path)
            }
            usleep(10_000)
        }
        descriptor = fd
    }

    deinit { close(descriptor) }
}

/// The chain's head (journal, last sequence, its chain hash), written after every commit: a cut tail, a deleted
/// WAL, reused numbers or a replaced database are seen by comparing it with the database.
struct JournalHead: Equatable {
    var journalID: String
    var sequence: Int64
    var chain: [UInt8]

    static let magic = "ardoise-head1"

    var line: String { "\(Self.magic) \(journalID) \(sequence) \(chain.hex)\n" }

    init(journalID: String, sequence: Int64, chain: [UInt8]) {
        self.journalID = journalID
        self.sequence = sequence
        self.chain = chain
    }

    init?(_ text: String) {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == Self.magic, let sequence = Int64(parts[2]),
              let chain = [UInt8](hex: parts[3].trimming(.newlines)), chain.count == 32 else { return nil }
        self.init(journalID: String(parts[1]), sequence: sequence, chain: chain)
    }

    enum Reading: Equatable {
        case missing
        case unreadable
        case head(JournalHead)
    }

    static func read(directory: String) -> Reading {
        let path = directory + "/" + JournalFiles.headName
        guard let bytes = SmallFile.contents(path, limit: 256) else { return errno == ENOENT ? .missing : .unreadable }
        guard let head = JournalHead(String(decoding: bytes, as: UTF8.self)) else { return .unreadable }
        return .head(head)
    }

    /// Written whole beside, then renamed over: a reader sees the old head or the new one. Never moves back within a
    /// journal (two writers may finish in either order); returns the reason when it cannot be written.
    /// `replacing`: after a loss was recorded, the head is set to the journal's real end even if that is lower.
    static func advance(to head: JournalHead, directory: String, replacing: Bool = false) -> String? {
        if !replacing, case .head(let current) = read(directory: directory), current.journalID == head.journalID, current.sequence >= head.sequence { return nil }
        return SmallFile.replace(directory + "/" + JournalFiles.headName, with: Array(head.line.utf8))
    }
}

/// A journal that could not be opened or did not check, kept exactly as it was under a name of its own.
public struct SetAsideJournal: Sendable, Equatable {
    /// The file's name in the state folder.
    public var name: String
    public var size: Int64
    /// When it was set aside (the file's change time: the rename that set it aside sets it), microseconds.
    public var time: Int64

    /// Every set-aside journal of a state folder (this version's names and the earlier `.unreadable-` ones), oldest first.
    static func all(in directory: String) -> [SetAsideJournal] {
        var found: [SetAsideJournal] = []
        for name in SmallFile.names(in: directory) {
            guard name.hasPrefix(AccessJournal.fileName + JournalFiles.setAsideMarker) || name.hasPrefix(AccessJournal.fileName + JournalFiles.legacySetAsideMarker),
                  !name.hasSuffix("-wal"), !name.hasSuffix("-shm") else { continue }
            var info = stat()
            guard lstat(directory + "/" + name, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            found.append(SetAsideJournal(name: name, size: Int64(info.st_size),
                                         time: Int64(info.st_ctim.tv_sec) * 1_000_000 + Int64(info.st_ctim.tv_nsec) / 1000))
        }
        return found.sorted { ($0.time, $0.name) < ($1.time, $1.name) }
    }

    /// Moves the journal (and its `-wal`, `-shm`) to a name no other file has (`RENAME_NOREPLACE`): never over anything.
    static func move(_ path: String, directory: String) throws(JournalError) -> SetAsideJournal {
        var info = stat()
        let size = lstat(path, &info) == 0 ? Int64(info.st_size) : 0
        let stamp = AccessJournal.fileStamp()
        for _ in 0..<100 {
            let name = AccessJournal.fileName + JournalFiles.setAsideMarker + stamp + "-" + String(cFormat: "%08x", UInt32.random(in: 0...UInt32.max))
            let target = directory + "/" + name
            if ardoise_rename_noreplace(AT_FDCWD, path, AT_FDCWD, target) != 0 {
                if errno == EEXIST { continue }
                throw .cannotOpen(path, JournalFiles.reason())
            }
            for suffix in ["-wal", "-shm"] where access(path + suffix, F_OK) == 0 {
                _ = ardoise_rename_noreplace(AT_FDCWD, path + suffix, AT_FDCWD, target + suffix)
            }
            return SetAsideJournal(name: name, size: size, time: JournalClock.now())
        }
        throw .cannotOpen(path, JournalFiles.reason(EEXIST))
    }
}

/// Events that could not be written (journal busy, disk full), one JSON line each, written again at the next
/// successful write: a wipe is never left out of the journal without a word.
enum JournalSpool {
    static func path(_ directory: String) -> String { directory + "/" + JournalFiles.spoolName }

    /// Adds events to the spool; the reason when even that fails (then the caller says so).
    static func keep(_ events: [JournalEvent], directory: String) -> String? {
        var text = ""
        for event in events { text += event.spoolLine + "\n" }
        return SmallFile.write(Array(text.utf8), to: path(directory), flags: O_CREAT | O_APPEND).map { JournalFiles.reason($0.code) }
    }

    /// The events waiting, oldest first; a line that cannot be read back is counted, never guessed.
    static func pending(directory: String) -> (events: [JournalEvent], unreadable: Int) {
        guard let data = FileManager.default.contents(atPath: path(directory)) else { return ([], 0) }
        var events: [JournalEvent] = []
        var unreadable = 0
        for line in data.split(separator: 10) where !line.isEmpty {
            if let event = JournalEvent(spoolLine: line) { events.append(event) } else { unreadable += 1 }
        }
        return (events, unreadable)
    }

    static func clear(directory: String) { unlink(path(directory)) }
}

extension JournalEvent {
    /// One line of the spool: the event's fields, its detail as the journal stores it.
    var spoolLine: String {
        var out = ""
        var fields: [String: DetailValue] = ["time": .int(time), "kind": .text(kind.rawValue), "host": .text(host), "detail": .text(detailJSON)]
        if let seat { fields["seat"] = .text(seat) }
        if let session { fields["session"] = .text(session) }
        if let uid { fields["uid"] = .int(Int64(uid)) }
        if let user { fields["user"] = .text(user) }
        if let duration { fields["duration"] = .int(duration) }
        if let outcome { fields["outcome"] = .text(outcome) }
        DetailValue.object(fields).writeJSON(to: &out)
        return out
    }

    init?(spoolLine: Data.SubSequence) {
        let fields = Data(spoolLine).withUnsafeBytes { JournalEvent.detail(fromJSON: $0) }
        guard case .int(let time)? = fields["time"], case .text(let kindName)? = fields["kind"], let kind = EventKind(rawValue: kindName),
              case .text(let host)? = fields["host"], case .text(let detail)? = fields["detail"] else { return nil }
        func text(_ key: String) -> String? { if case .text(let value)? = fields[key] { return value }; return nil }
        func int(_ key: String) -> Int64? { if case .int(let value)? = fields[key] { return value }; return nil }
        self.init(time: time, kind: kind, host: host, seat: text("seat"), session: text("session"), uid: int("uid").map { UInt32(truncatingIfNeeded: $0) },
                  user: text("user"), duration: int("duration"), outcome: text("outcome"), detail: JournalEvent.detail(fromJSON: detail))
    }
}

/// The verification keys not yet handed over: one file per journal (`verification-key.ID.pending`), so that a new
/// journal never overwrites the key of one set aside.
enum PendingKeys {
    static let legacyName = "verification-key.pending"

    static func name(_ journalID: String) -> String { "verification-key.\(journalID).pending" }

    /// Written once (`O_EXCL`): a key already waiting under that name is never replaced.
    static func save(_ key: VerificationKey, directory: String) throws(JournalError) {
        let file = directory + "/" + name(key.journalID)
        guard let failure = SmallFile.write(Array((key.description + "\n").utf8), to: file, flags: O_CREAT | O_EXCL) else { return }
        // A file this process could not create is not removed: it may be another journal's waiting key.
        if case .write = failure { unlink(file) }
        throw failure.code == ENOSPC || failure.code == EDQUOT ? .diskFull(file) : .writeFailed(file + ": " + JournalFiles.reason(failure.code))
    }

    /// Every key waiting, with its file's name.
    static func all(in directory: String) -> [(file: String, key: VerificationKey)] {
        var found: [(String, VerificationKey)] = []
        for name in SmallFile.names(in: directory) {
            guard name == legacyName || (name.hasPrefix("verification-key.") && name.hasSuffix(".pending")),
                  let bytes = SmallFile.contents(directory + "/" + name, limit: 512),
                  let key = VerificationKey(String(decoding: bytes, as: UTF8.self)) else { continue }
            found.append((name, key))
        }
        return found.sorted { $0.0 < $1.0 }
    }

    /// Overwrites the file, then removes it.
    static func erase(_ file: String, directory: String) {
        let path = directory + "/" + file
        _ = SmallFile.write([UInt8](repeating: 0, count: 512), to: path, flags: 0)
        unlink(path)
    }
}

/// What the head kept outside the database says about the database's end.
public enum HeadProblem: Sendable, Equatable {
    /// The journal has events and its head file is gone.
    case missing
    case unreadable
    /// The database is not the one the head was written for (deleted, replaced, emptied).
    case replaced(previousJournal: String, previousLast: Int64)
    /// Events written and reported are gone from the end (a cut tail, a deleted WAL).
    case tailLost(expectedLast: Int64, foundLast: Int64)
    /// The event the head names is not the one there now (numbers reused after a loss).
    case rewritten(at: Int64)

    /// The word the journal records (`journal-recovered` outcome).
    public var code: String {
        switch self {
        case .missing: "head-missing"
        case .unreadable: "head-unreadable"
        case .replaced: "replaced"
        case .tailLost: "tail-lost"
        case .rewritten: "rewritten"
        }
    }

    var journalDetail: [String: DetailValue] {
        switch self {
        case .missing, .unreadable: [:]
        case .replaced(let journal, let last): ["previous_journal": .text(journal), "previous_last": .int(last)]
        case .tailLost(let expected, let found): ["expected_last": .int(expected), "found_last": .int(found)]
        case .rewritten(let at): ["at": .int(at)]
        }
    }

    public func message(_ language: Language) -> String {
        let fr = language == .french
        switch self {
        case .missing:
            return fr ? "le fichier de tête du journal (journal.head) a disparu : une fin de journal coupée ne peut pas être exclue"
                      : "the journal's head file (journal.head) is gone: a cut end of the journal cannot be ruled out"
        case .unreadable:
            return fr ? "le fichier de tête du journal (journal.head) est illisible" : "the journal's head file (journal.head) cannot be read"
        case .replaced(let journal, let last):
            return fr ? "le journal \(journal), qui comptait \(last) événement(s), a été supprimé ou remplacé par un autre"
                      : "journal \(journal), which held \(last) event(s), was deleted or replaced by another one"
        case .tailLost(let expected, let found):
            return fr ? "les événements n° \(found + 1) à \(expected), écrits auparavant, ont disparu de la fin du journal"
                      : "events #\(found + 1) to #\(expected), written earlier, are gone from the end of the journal"
        case .rewritten(let at):
            return fr ? "l'événement n° \(at) n'est plus celui qui avait été écrit (numéros réutilisés après une perte)"
                      : "event #\(at) is not the one that was written (numbers reused after a loss)"
        }
    }
}
