import FoundationEssentials
import Glibc

/// Which events an admin asks for.
public struct JournalFilter: Sendable, Equatable {
    /// UTC microseconds, inclusive.
    public var since: Int64?
    /// UTC microseconds, exclusive.
    public var until: Int64?
    public var user: String?
    public var seat: String?
    public var session: String?
    public var kinds: [EventKind] = []

    public init(since: Int64? = nil, until: Int64? = nil, user: String? = nil, seat: String? = nil, session: String? = nil, kinds: [EventKind] = []) {
        self.since = since
        self.until = until
        self.user = user
        self.seat = seat
        self.session = session
        self.kinds = kinds
    }

    var sql: (String, SQLiteArguments) {
        var clauses: [String] = []
        var arguments: [(any SQLiteBindable)?] = []
        if let user { clauses.append("user = ?"); arguments.append(user) }
        if !kinds.isEmpty {
            clauses.append("kind IN (" + kinds.map { _ in "?" }.joined(separator: ", ") + ")")
            arguments += kinds.map { $0.rawValue }
        }
        if let since { clauses.append("at >= ?"); arguments.append(since) }
        if let until { clauses.append("at < ?"); arguments.append(until) }
        if let seat { clauses.append("seat = ?"); arguments.append(seat) }
        if let session { clauses.append("session = ?"); arguments.append(session) }
        return (clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND "), SQLiteArguments(arguments))
    }

    /// Whether an event read back is one the filter selects.
    func matches(_ event: JournalEvent) -> Bool {
        (user == nil || event.user == user) && (kinds.isEmpty || kinds.contains(event.kind)) && (since.map { event.time >= $0 } ?? true)
            && (until.map { event.time < $0 } ?? true) && (seat == nil || event.seat == seat) && (session == nil || event.session == session)
    }

    /// What the admin-query event records of the filter: which filters were used, and the account asked about.
    public var journalDetailForQuery: [String: DetailValue] {
        var detail: [String: DetailValue] = [:]
        if let since { detail["since"] = .int(since) }
        if let until { detail["until"] = .int(until) }
        if let user { detail["user"] = .text(user) }
        if let seat { detail["seat"] = .text(seat) }
        if let session { detail["session"] = .text(session) }
        if !kinds.isEmpty { detail["event"] = .text(kinds.map(\.rawValue).joined(separator: ",")) }
        return detail
    }
}

/// `2026-11-01`, `2026-11-01T14:00`, `2026-11-01 14:00:30` (local time), or `7d`, `12h`, `30m`, `2w` (that long ago).
public enum TimeArgument {
    public struct Invalid: Error, Sendable, Equatable {
        public enum Reason: Sendable, Equatable { case unreadable, negative, outOfRange }
        public var text: String
        public var reason = Reason.unreadable
        public func message(_ language: Language) -> String {
            let shown = DisplayText.escaped(text, limit: 64)
            switch (reason, language) {
            case (.unreadable, .french): return "Date illisible : « \(shown) ». Formats acceptés : 2026-11-01, 2026-11-01T14:00, 7d, 12h, 30m, 2w."
            case (.unreadable, .english): return "Unreadable date: \"\(shown)\". Accepted: 2026-11-01, 2026-11-01T14:00, 7d, 12h, 30m, 2w."
            case (.negative, .french): return "« \(shown) » : une durée compte en arrière depuis maintenant ; écrivez-la sans signe moins (7d = il y a 7 jours)."
            case (.negative, .english): return "\"\(shown)\": a duration counts back from now; write it without a minus sign (7d = 7 days ago)."
            case (.outOfRange, .french): return "« \(shown) » est hors des dates possibles (de 1970 à 9999)."
            case (.outOfRange, .english): return "\"\(shown)\" is outside the possible dates (1970 to 9999)."
            }
        }
    }

    public static func parse(_ text: String, now: Int64 = JournalClock.now()) throws(Invalid) -> Int64 {
        let trimmed = text.trimming(.whitespaces)
        let hour: Int64 = 3_600_000_000
        let units: [Character: Int64] = ["m": 60_000_000, "h": hour, "d": 24 * hour, "w": 7 * 24 * hour]
        if let unit = trimmed.last, let size = units[unit], !trimmed.dropLast().isEmpty, trimmed.dropLast().allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-" || $0 == "+") }) {
            guard let amount = Int64(trimmed.dropLast()) else { throw Invalid(text: text, reason: .outOfRange) }
            guard amount >= 0 else { throw Invalid(text: text, reason: .negative) }
            // Before 1970 (or past what a number holds) is no date of this journal: said, never a crash.
            let (back, overflow) = amount.multipliedReportingOverflow(by: size)
            guard !overflow, back <= now else { throw Invalid(text: text, reason: .outOfRange) }
            return now - back
        }
        // YYYY-MM-DD, then optionally T or a space and HH:MM[:SS], in local time.
        let fields = trimmed.split(whereSeparator: { "-T :".contains($0) }).map { Int32($0) }
        let characters = Array(trimmed)
        var separatorsOK = characters.count >= 10 && characters[4] == "-" && characters[7] == "-"
        if separatorsOK && characters.count > 10 { separatorsOK = characters[10] == "T" || characters[10] == " " }
        if separatorsOK, [3, 5, 6].contains(fields.count), fields.allSatisfy({ $0 != nil }) {
            let numbers = fields.map { $0! }
            var parts = tm()
            parts.tm_year = numbers[0] - 1900
            parts.tm_mon = numbers[1] - 1
            parts.tm_mday = numbers[2]
            parts.tm_hour = numbers.count > 3 ? numbers[3] : 0
            parts.tm_min = numbers.count > 4 ? numbers[4] : 0
            parts.tm_sec = numbers.count > 5 ? numbers[5] : 0
            parts.tm_isdst = -1
            guard (1970...9999).contains(numbers[0]) else { throw Invalid(text: text, reason: .outOfRange) }
            let dateOK = (1...12).contains(numbers[1]) && (1...31).contains(numbers[2])
            let timeOK = (0...23).contains(parts.tm_hour) && (0...59).contains(parts.tm_min) && (0...60).contains(parts.tm_sec)
            let valid = dateOK && timeOK
            if valid {
                let requestedDay = parts.tm_mday
                let seconds = mktime(&parts)
                // mktime rolls 2026-02-31 over to March: refuse such dates.
                if seconds != -1 && parts.tm_mday == requestedDay { return Int64(seconds) * 1_000_000 }
            }
        }
        throw Invalid(text: text)
    }

    /// Local time for people: `2026-11-21 14:03:12`.
    public static func local(_ time: Int64) -> String {
        var seconds = time_t(time / 1_000_000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return String(cFormat: "%04d-%02d-%02d %02d:%02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec)
    }

    /// UTC with microseconds for machines: `2026-11-21T13:03:12.123456Z`.
    public static func utc(_ time: Int64) -> String {
        var seconds = time_t(time / 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(cFormat: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                      Int(time % 1_000_000))
    }
}

public enum QueryFormat: String, Sendable, CaseIterable {
    case table, json, csv
}

extension Array where Element == JournalEvent {
    public func rendered(_ format: QueryFormat, language: Language) -> String { rendered(format, language: language, kiosks: nil) }

    /// `kiosks`, one per event: a first column (a `kiosk` field in JSON) says which kiosk each event comes from.
    func rendered(_ format: QueryFormat, language: Language, kiosks: [String]?) -> String {
        switch format {
        case .table:
            let fr = language == .french
            let header = [fr ? "N°" : "#", fr ? "Date et heure" : "Date and time", fr ? "Événement" : "Event", fr ? "Compte" : "Account",
                          fr ? "Poste" : "Seat", "Session", fr ? "Résultat" : "Outcome", fr ? "Détail" : "Detail"]
            let rows = enumerated().map { index, event in
                (kiosks.map { [$0[index]] } ?? []) + [String(event.sequence), TimeArgument.local(event.time), event.kind.label(language), event.user ?? "",
                 event.seat ?? "", event.session ?? "", event.outcome ?? "", JournalRendering.detailSummary(event)].map { DisplayText.escaped($0) }
            }
            if isEmpty { return fr ? "Aucun événement." : "No event." }
            return WipeReport.columns([(kiosks == nil ? [] : [fr ? "Borne" : "Kiosk"]) + header] + rows, numbersRight: false).joined(separator: "\n")
        case .json:
            return JournalRendering.json(enumerated().map { index, event in
                guard let kiosks, case .object(var object) = JournalRendering.jsonObject(event) else { return JournalRendering.jsonObject(event) }
                object["kiosk"] = .text(kiosks[index])
                return .object(object)
            })
        case .csv:
            var lines = [(kiosks == nil ? [] : ["kiosk"]) + JournalRendering.csvHeader]
            for (index, event) in enumerated() { lines.append((kiosks.map { [$0[index]] } ?? []) + JournalRendering.csvRow(event)) }
            return JournalRendering.csv(lines)
        }
    }
}

enum JournalRendering {
    static let csvHeader = ["sequence", "time_utc", "time_local", "event", "host", "seat", "session", "uid", "user", "duration_s", "outcome", "detail"]

    static func csvRow(_ event: JournalEvent) -> [String] {
        [String(event.sequence), TimeArgument.utc(event.time), TimeArgument.local(event.time), event.kind.rawValue, event.host, event.seat ?? "",
         event.session ?? "", event.uid.map(String.init) ?? "", event.user ?? "", event.duration.map { String(cFormat: "%.3f", Double($0) / 1e6) } ?? "",
         event.outcome ?? "", event.detailJSON]
    }

    /// RFC 4180 with a UTF-8 byte-order mark, which spreadsheets use to recognise the encoding.
    static func csv(_ rows: [[String]]) -> String {
        "\u{FEFF}" + rows.map { row in
            row.map { cell in
                let field = DisplayText.spreadsheetCell(cell)
                return field.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" } ? "\"" + field.replacing("\"", with: "\"\"") + "\"" : field
            }.joined(separator: ",")
        }.joined(separator: "\r\n") + "\r\n"
    }

    static func jsonObject(_ event: JournalEvent) -> JSONValue {
        var object: [String: JSONValue] = ["sequence": .number(Double(event.sequence)), "time": .text(TimeArgument.utc(event.time)),
                                           "event": .text(event.kind.rawValue), "host": .text(event.host)]
        if let seat = event.seat { object["seat"] = .text(seat) }
        if let session = event.session { object["session"] = .text(session) }
        if let uid = event.uid { object["uid"] = .number(Double(uid)) }
        if let user = event.user { object["user"] = .text(user) }
        if let duration = event.duration { object["duration_s"] = .number(Double(duration) / 1e6) }
        if let outcome = event.outcome { object["outcome"] = .text(outcome) }
        object["detail"] = JSONValue.parse(Array(event.detailJSON.utf8)) ?? .object([:])
        return .object(object)
    }

    static func json(_ values: [JSONValue]) -> String { JSONValue.array(values).prettyText }

    static func detailSummary(_ event: JournalEvent) -> String {
        var parts: [String] = []
        if let duration = event.duration { parts.append(String(cFormat: "%.1f s", Double(duration) / 1e6)) }
        for key in event.detail.keys.sorted() where key != "kinds" { parts.append("\(key)=\(event.detail[key]!.summary)") }
        return parts.joined(separator: " ")
    }
}
