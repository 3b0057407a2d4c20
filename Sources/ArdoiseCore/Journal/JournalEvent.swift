import CLinux
import FoundationEssentials
import Glibc

/// What happened, as the access journal records it.
public enum EventKind: String, CaseIterable, Sendable, Codable {
    case daemonStart = "daemon-start"
    case daemonStop = "daemon-stop"
    case configLoaded = "config-loaded"
    case configRejected = "config-rejected"
    case sessionStart = "session-start"
    case noticeShown = "notice-shown"
    case noticeAcknowledged = "notice-acknowledged"
    case noticeDeclined = "notice-declined"
    case sessionEnd = "session-end"
    case wipeStarted = "wipe-started"
    case wipeFinished = "wipe-finished"
    case wipeFailed = "wipe-failed"
    case bootSweep = "boot-sweep"
    case retentionPurge = "retention-purge"
    case adminQuery = "admin-query"
    case integrityCheck = "integrity-check"
    case journalRecovered = "journal-recovered"
    case baselineCaptured = "baseline-captured"
    case incidentAcknowledged = "incident-acknowledged"
    /// A wipe begun and never seen to end (a crash, a power cut, a kill), found at the next start; it is then done again.
    case wipeInterrupted = "wipe-interrupted"
    /// A Firefox profile that ran in the session without its managed policies (a broken `policies.json` turns them all off).
    case policyNotApplied = "policy-not-applied"

    /// A stable identifier per kind for the system journal (`journalctl MESSAGE_ID=...`).
    public var messageID: String {
        let suffix: String
        switch self {
        case .daemonStart: suffix = "01"
        case .daemonStop: suffix = "02"
        case .configLoaded: suffix = "03"
        case .configRejected: suffix = "04"
        case .sessionStart: suffix = "05"
        case .noticeShown: suffix = "06"
        case .noticeAcknowledged: suffix = "07"
        case .noticeDeclined: suffix = "08"
        case .sessionEnd: suffix = "09"
        case .wipeStarted: suffix = "0a"
        case .wipeFinished: suffix = "0b"
        case .wipeFailed: suffix = "0c"
        case .bootSweep: suffix = "0d"
        case .retentionPurge: suffix = "0e"
        case .adminQuery: suffix = "0f"
        case .integrityCheck: suffix = "10"
        case .journalRecovered: suffix = "11"
        case .baselineCaptured: suffix = "12"
        case .incidentAcknowledged: suffix = "13"
        case .wipeInterrupted: suffix = "14"
        case .policyNotApplied: suffix = "15"
        }
        return "a7d0153e0b2c4c1f9a3e6d52f1c8b4" + suffix
    }

    public func label(_ language: Language) -> String {
        let fr = language == .french
        switch self {
        case .daemonStart: return fr ? "démarrage du service" : "service started"
        case .daemonStop: return fr ? "arrêt du service" : "service stopped"
        case .configLoaded: return fr ? "configuration chargée" : "configuration loaded"
        case .configRejected: return fr ? "configuration refusée" : "configuration rejected"
        case .sessionStart: return fr ? "début de session" : "session start"
        case .noticeShown: return fr ? "information affichée" : "notice shown"
        case .noticeAcknowledged: return fr ? "information acceptée" : "notice acknowledged"
        case .noticeDeclined: return fr ? "information refusée" : "notice declined"
        case .sessionEnd: return fr ? "fin de session" : "session end"
        case .wipeStarted: return fr ? "effacement commencé" : "wipe started"
        case .wipeFinished: return fr ? "effacement terminé" : "wipe finished"
        case .wipeFailed: return fr ? "effacement en échec" : "wipe failed"
        case .bootSweep: return fr ? "nettoyage au démarrage" : "boot sweep"
        case .retentionPurge: return fr ? "purge (durée de conservation)" : "retention purge"
        case .adminQuery: return fr ? "consultation du journal" : "journal query"
        case .integrityCheck: return fr ? "vérification d'intégrité" : "integrity check"
        case .journalRecovered: return fr ? "incident du journal" : "journal incident"
        case .baselineCaptured: return fr ? "référence enregistrée" : "baseline captured"
        case .incidentAcknowledged: return fr ? "incident pris en compte" : "incident acknowledged"
        case .wipeInterrupted: return fr ? "effacement interrompu" : "wipe interrupted"
        case .policyNotApplied: return fr ? "règles du navigateur non appliquées" : "browser policies not applied"
        }
    }
}

/// A small structured detail: counts, durations, outcomes. Never a URL, a file name or a page title:
/// values are numbers, booleans, or words from a closed list (kinds, outcomes, triggers, commands, filters).
public enum DetailValue: Sendable, Equatable {
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case text(String)
    case object([String: DetailValue])

    /// Compact JSON with sorted keys, as the journal stores an event's detail.
    public static func json(_ fields: [String: DetailValue]) -> String {
        var out = ""
        DetailValue.object(fields).writeJSON(to: &out)
        return out
    }

    func writeJSON(to out: inout String) {
        switch self {
        case .int(let value): out += String(value)
        case .double(let value): out += value.isFinite ? "\(value)" : "null"
        case .bool(let value): out += value ? "true" : "false"
        case .text(let value): Self.writeString(value, to: &out)
        case .object(let fields):
            out += "{"
            for (index, key) in fields.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                Self.writeString(key, to: &out)
                out += ":"
                fields[key]!.writeJSON(to: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ value: String, to out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(cFormat: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    public var summary: String {
        switch self {
        case .int(let value): "\(value)"
        case .double(let value): String(cFormat: "%.3f", value)
        case .bool(let value): value ? "yes" : "no"
        case .text(let value): value
        case .object(let value): "{" + value.keys.sorted().map { "\($0)=\(value[$0]!.summary)" }.joined(separator: " ") + "}"
        }
    }
}

/// One event of the access journal.
public struct JournalEvent: Sendable, Equatable {
    /// Sequence number, assigned when the event is written.
    public var sequence: Int64 = 0
    /// UTC time in microseconds since 1970.
    public var time: Int64
    public var kind: EventKind
    public var host: String
    public var seat: String?
    public var session: String?
    public var uid: UInt32?
    public var user: String?
    /// Session length (session end) or wipe duration (wipe finished), in microseconds.
    public var duration: Int64?
    /// `ok`, `failed`, `refused`, `left-overs`...
    public var outcome: String?
    public var detail: [String: DetailValue]

    public init(time: Int64 = JournalClock.now(), kind: EventKind, host: String = JournalClock.hostName, seat: String? = nil, session: String? = nil,
                uid: UInt32? = nil, user: String? = nil, duration: Int64? = nil, outcome: String? = nil, detail: [String: DetailValue] = [:]) {
        self.time = time
        self.kind = kind
        self.host = host
        self.seat = seat
        self.session = session
        self.uid = uid
        self.user = user
        self.duration = duration
        self.outcome = outcome
        self.detail = detail
    }

    /// Compact JSON with sorted keys (deterministic: the seal covers these bytes).
    var detailJSON: String { DetailValue.json(detail) }

    public static func detail(fromJSON text: String) -> [String: DetailValue] {
        var copy = text
        return copy.withUTF8 { detail(fromJSON: UnsafeRawBufferPointer($0)) }
    }

    /// Reads back the compact JSON `detailJSON` writes (objects, integers, numbers, booleans, strings); `[:]` if it is not that.
    static func detail(fromJSON bytes: UnsafeRawBufferPointer) -> [String: DetailValue] {
        var parser = DetailParser(bytes: bytes)
        guard case .object(let fields)? = parser.value(), parser.atEnd else { return [:] }
        return fields
    }
}

/// A small JSON reader for the journal's own details: a year of events is read back in well under a second.
struct DetailParser {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    var atEnd: Bool { index == bytes.count }

    mutating func value() -> DetailValue? {
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var fields: [String: DetailValue] = [:]
            if index < bytes.count && bytes[index] == UInt8(ascii: "}") { index += 1; return .object(fields) }
            while true {
                guard let key = string(), index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                guard let item = value() else { return nil }
                fields[key] = item
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(fields) }
                return nil
            }
        case UInt8(ascii: "\""):
            return string().map(DetailValue.text)
        case UInt8(ascii: "t"):
            return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"):
            return literal("false") ? .bool(false) : nil
        default:
            let start = index
            var isInteger = true
            while index < bytes.count, let byte = Optional(bytes[index]), byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
                    || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || (byte >= 48 && byte <= 57) {
                if !(byte >= 48 && byte <= 57) && !(byte == UInt8(ascii: "-") && index == start) { isInteger = false }
                index += 1
            }
            guard index > start else { return nil }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if isInteger, let number = Int64(text) { return .int(number) }
            return Double(text).map(DetailValue.double)
        }
    }

    private mutating func literal(_ word: String) -> Bool {
        let expected = Array(word.utf8)
        guard index + expected.count <= bytes.count, bytes[index..<index + expected.count].elementsEqual(expected) else { return false }
        index += expected.count
        return true
    }

    private mutating func string() -> String? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        let start = index
        var plain = true
        while index < bytes.count && bytes[index] != UInt8(ascii: "\"") {
            if bytes[index] == UInt8(ascii: "\\") { plain = false; index += 1 }
            index += 1
        }
        guard index < bytes.count else { return nil }
        let raw = bytes[start..<index]
        index += 1
        if plain { return String(decoding: raw, as: UTF8.self) }
        // Rare: escaped characters; the JSON reader reads them.
        return JSONValue.parse([UInt8(ascii: "\"")] + Array(raw) + [UInt8(ascii: "\"")])?.textValue
    }
}

public enum JournalClock {
    public static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000
    }

    public static let hostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count - 1)
        return String(cString: buffer)
    }()

    public static let microsecondsPerDay: Int64 = 86_400_000_000
}

extension WipeReport {
    /// What the journal keeps of a wipe: per kind, counts and bytes only; never a path.
    public var journalDetail: [String: DetailValue] {
        var kinds: [String: DetailValue] = [:]
        for kind in self.kinds {
            kinds[kind.kind.rawValue] = .object([
                "removed": .int(Int64(kind.removed.files + kind.removed.directories)),
                "bytes": .int(Int64(kind.removed.bytes)),
                "left": .int(Int64(kind.left)),
            ])
        }
        // Why something stayed, as codes from a closed list (immutable, mount-point...), counted: never the path.
        var reasons: [String: Int64] = [:]
        for kind in self.kinds { for problem in kind.problems { reasons[problem.code, default: 0] += 1 } }
        var detail: [String: DetailValue] = [
            "kinds": .object(kinds),
            "reasons": .object(reasons.mapValues { .int($0) }),
            "removed": .int(Int64(removed.files + removed.directories)),
            "bytes": .int(Int64(removed.bytes)),
            "left": .int(Int64(left)),
            "problems": .int(Int64(problemCount)),
            "mode": .text(mode),
        ]
        if let printJobs {
            // A count: never a document's name.
            detail["print_jobs"] = .int(Int64(printJobs.removed))
            if printJobs.failure != nil { detail["print_jobs_failed"] = .bool(true) }
        }
        if let outside {
            // Counts only: the folders' names are the visitor's to choose.
            detail["outside_catalogue"] = .object(["known": .bool(outside.known),
                                                   "added": .int(Int64(outside.folders.reduce(0) { $0 + $1.added })),
                                                   "changed": .int(Int64(outside.folders.reduce(0) { $0 + $1.changed }))])
        }
        return detail
    }
}
