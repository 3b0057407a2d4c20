import CSQLite
import FoundationEssentials
import Glibc

public enum StatisticsPeriod: String, Sendable, CaseIterable {
    case hour, day, week, month
}

/// The figures staff put in their activity reports, for one period.
public struct PeriodStatistics: Sendable, Equatable {
    /// Local start of the period, UTC microseconds.
    public var start: Int64
    public var label: String
    public var sessions = 0
    public var users = 0
    public var medianSessionSeconds: Double?
    public var meanSessionSeconds: Double?
    public var wipes = 0
    public var wipesFailed = 0
    /// Wipes begun and never seen to end (a crash, a power cut): done again at the next start.
    public var wipesInterrupted = 0
    /// Sessions ended by ardoise or staff rather than by a logout, per reason.
    public var endedBy: [SessionEndReason: Int] = [:]

    /// People who walked away without logging out: sessions ended for idleness or a locked screen.
    public var forgotten: Int { (endedBy[.idle] ?? 0) + (endedBy[.locked] ?? 0) }
}

/// Counts events into periods (hour, day, week, month of local time) and gives each period's figures: the one way the
/// statistics are made, from this computer's journal (with its summary) or from the fleet's events.
public struct PeriodTally: Sendable {
    public let period: StatisticsPeriod
    var buckets: [Int64: ActivityCounts] = [:]
    var offsets = LocalOffsets()
    /// Accounts met in events given by name, numbered here (negative: apart from the journal's own numbering).
    private var names: [String: Int64] = [:]

    public init(_ period: StatisticsPeriod) { self.period = period }

    /// Adds one event; the kinds the statistics do not count add nothing. `who` tells accounts apart (on a fleet, an
    /// account name is only one account on one kiosk): by default the event's account.
    public mutating func add(_ event: JournalEvent, who: String? = nil) {
        var id: Int64?
        if event.kind == .sessionStart, let name = who ?? event.user {
            if let known = names[name] { id = known } else {
                id = -Int64(names.count) - 1
                names[name] = id
            }
        }
        add(time: event.time, kind: event.kind, user: id, duration: event.duration, outcome: event.outcome)
    }

    mutating func add(time: Int64, kind: EventKind, user: Int64?, duration: Int64?, outcome: String?) {
        buckets[period.key(of: offsets.local(time)), default: ActivityCounts()].count(kind, user: user, duration: duration, outcome: outcome)
    }

    /// The periods that counted anything, in order.
    public func figures(language: Language) -> [PeriodStatistics] {
        buckets.keys.sorted().map { key in
            var bucket = buckets[key]!
            var figures = PeriodStatistics(start: period.start(ofKey: key), label: period.label(ofKey: key, language: language))
            figures.sessions = bucket.sessions
            figures.users = bucket.users.count
            figures.wipes = bucket.wipes
            figures.wipesFailed = bucket.failed
            figures.wipesInterrupted = bucket.interrupted
            for (index, reason) in QuarterSummary.endReasons.enumerated() where bucket.endedBy[index] > 0 { figures.endedBy[reason] = bucket.endedBy[index] }
            if !bucket.lengths.isEmpty {
                figures.medianSessionSeconds = AccessJournal.median(&bucket.lengths) / 1e6
                figures.meanSessionSeconds = Double(bucket.lengths.reduce(0, +)) / Double(bucket.lengths.count) / 1e6
            }
            return figures
        }
    }
}

extension AccessJournal {
    /// Sessions, distinct users, median and mean session length, wipes done and failed, per local hour, day, week or month.
    public func statistics(by period: StatisticsPeriod, since: Int64? = nil, until: Int64? = nil, language: Language = .french) throws(JournalError) -> [PeriodStatistics] {
        var tally = PeriodTally(period)
        let from = since ?? Int64.min, to = until ?? Int64.max
        // Whole quarters of an hour come from the summary; the minutes before the first and after the last, from the events.
        let first = QuarterSummary.quarter(atOrAfter: from), last = QuarterSummary.quarter(of: to)
        try read { db in
            var users = try KnownUsers(db)
            func countEvents(from: Int64, to: Int64) throws {
                guard from < to else { return }
                try QuarterSummary.forEachCountedEvent(in: db, from: from, to: to) { time, kind, name, duration, outcome in
                    let user = kind == .sessionStart ? name.map { users.id(of: $0) } : nil
                    tally.add(time: time, kind: kind, user: user, duration: duration, outcome: outcome)
                }
            }
            guard first < last else { return try countEvents(from: from, to: to) }
            let statement = try db.makeStatement(sql: """
                SELECT quarter, sessions, users, lengths, wipes, wipes_failed, wipes_interrupted, \(QuarterSummary.endColumns)
                FROM quarter_summary WHERE quarter >= ? AND quarter < ?
                """)
            try statement.setArguments([first, last])
            let raw = statement.handle
            defer { statement.reset() }
            // Quarters come in order: one period is filled at a time.
            var key: Int64?
            var bucket = ActivityCounts()
            while try statement.step() {
                let quarterKey = period.key(of: tally.offsets.local(sqlite3_column_int64(raw, 0)))
                if quarterKey != key {
                    if let key { tally.buckets[key] = bucket }
                    key = quarterKey
                    bucket = tally.buckets.removeValue(forKey: quarterKey) ?? ActivityCounts()
                }
                bucket.sessions += Int(sqlite3_column_int64(raw, 1))
                if let users = AccessJournal.text(raw, 2) { QuarterSummary.forEachInteger(in: users) { bucket.users.insert($0) } }
                if let lengths = AccessJournal.text(raw, 3) { QuarterSummary.forEachInteger(in: lengths) { bucket.lengths.append($0) } }
                bucket.wipes += Int(sqlite3_column_int64(raw, 4))
                bucket.failed += Int(sqlite3_column_int64(raw, 5))
                bucket.interrupted += Int(sqlite3_column_int64(raw, 6))
                for index in QuarterSummary.endReasons.indices { bucket.endedBy[index] += Int(sqlite3_column_int64(raw, Int32(7 + index))) }
            }
            if let key { tally.buckets[key] = bucket }
            try countEvents(from: from, to: first)
            try countEvents(from: last, to: to)
        }
        return tally.figures(language: language)
    }
}

extension AccessJournal {
    /// The middle value (the mean of the two middle ones for an even count), found without sorting everything:
    /// the values are partitioned around a pivot until the middle position holds the value a sort would put there.
    static func median(_ values: inout [Int64]) -> Double {
        let middle = values.count / 2
        select(middle, in: &values)
        guard values.count % 2 == 0 else { return Double(values[middle]) }
        // Everything before `middle` is now at most values[middle]: the other middle value is the largest of them.
        return (Double(values[..<middle].max()!) + Double(values[middle])) / 2
    }

    /// Reorders `values` so that position `k` holds what it would hold once sorted, smaller ones before it, larger after.
    static func select(_ k: Int, in values: inout [Int64]) {
        var low = 0, high = values.count - 1
        while low < high {
            // Median of three as the pivot: already sorted or reversed input stays linear.
            let mid = low + (high - low) / 2
            let pivot = Swift.max(Swift.min(values[low], values[mid]), Swift.min(Swift.max(values[low], values[mid]), values[high]))
            var i = low, j = high
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { high = j } else if k >= i { low = i } else { return }
        }
    }
}

/// The local time zone's offset, computed once per UTC hour.
struct LocalOffsets {
    private var cache: [Int64: Int64] = [:]

    mutating func local(_ time: Int64) -> Int64 {
        let hour = time >= 0 ? time / 3_600_000_000 : (time + 1) / 3_600_000_000 - 1
        if let offset = cache[hour] { return time + offset }
        var seconds = time_t(hour * 3600)
        var parts = tm()
        localtime_r(&seconds, &parts)
        let offset = Int64(parts.tm_gmtoff) * 1_000_000
        cache[hour] = offset
        return time + offset
    }
}

extension StatisticsPeriod {
    static let hourLength: Int64 = 3_600_000_000
    static let dayLength: Int64 = 86_400_000_000

    /// A number per period from a local time (microseconds since 1970 in local wall-clock terms).
    func key(of local: Int64) -> Int64 {
        let floorDiv = { (value: Int64, by: Int64) -> Int64 in value >= 0 ? value / by : (value + 1) / by - 1 }
        switch self {
        case .hour: return floorDiv(local, Self.hourLength)
        case .day: return floorDiv(local, Self.dayLength)
        // 1970-01-01 was a Thursday: shift so weeks start on Monday.
        case .week: return floorDiv(floorDiv(local, Self.dayLength) + 3, 7)
        case .month:
            let (year, month, _) = Self.civil(fromDays: floorDiv(local, Self.dayLength))
            return year * 12 + month - 1
        }
    }

    /// The first local day of the period, in days since 1970.
    private func firstDay(ofKey key: Int64) -> (days: Int64, hour: Int64) {
        switch self {
        case .hour: return (key >= 0 ? key / 24 : (key + 1) / 24 - 1, ((key % 24) + 24) % 24)
        case .day: return (key, 0)
        case .week: return (key * 7 - 3, 0)
        case .month: return (Self.days(fromCivil: key / 12, key % 12 + 1, 1), 0)
        }
    }

    func start(ofKey key: Int64) -> Int64 {
        let (days, hour) = firstDay(ofKey: key)
        return days * Self.dayLength + hour * Self.hourLength
    }

    func label(ofKey key: Int64, language: Language) -> String {
        let (days, hour) = firstDay(ofKey: key)
        let (year, month, day) = Self.civil(fromDays: days)
        let date = String(cFormat: "%04lld-%02lld-%02lld", year, month, day)
        switch self {
        case .hour: return date + String(cFormat: " %02lldh", hour)
        case .day: return date
        case .week: return (language == .french ? "semaine du " : "week of ") + date
        case .month: return String(cFormat: "%04lld-%02lld", year, month)
        }
    }

    /// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

extension Array where Element == PeriodStatistics {
    public func rendered(_ format: QueryFormat, language: Language) -> String {
        let fr = language == .french
        func minutes(_ seconds: Double?) -> String {
            guard let seconds else { return "" }
            return String(cFormat: "%.1f", seconds / 60)
        }
        switch format {
        case .table:
            if isEmpty { return fr ? "Aucune session sur cette période." : "No session in this period." }
            let header = [fr ? "Période" : "Period", "Sessions", fr ? "Personnes" : "People", fr ? "Durée médiane (min)" : "Median length (min)",
                          fr ? "Durée moyenne (min)" : "Mean length (min)", fr ? "Effacements" : "Wipes", fr ? "dont en échec" : "of which failed",
                          fr ? "Interrompus" : "Interrupted", fr ? "Oublis (inactivité)" : "Left open (idle)",
                          fr ? "Temps écoulé" : "Time limit", fr ? "Fermées par l'équipe" : "Ended by staff"]
            let rows = map { [$0.label, "\($0.sessions)", "\($0.users)", minutes($0.medianSessionSeconds), minutes($0.meanSessionSeconds), "\($0.wipes)", "\($0.wipesFailed)",
                              "\($0.wipesInterrupted)", "\($0.forgotten)", "\($0.endedBy[.timeLimit] ?? 0)", "\($0.endedBy[.staff] ?? 0)"] }
            let text = WipeReport.columns([header] + rows).joined(separator: "\n")
            return language == .french ? text.replacing(".", with: ",") : text
        case .json:
            return JournalRendering.json(map { figures -> JSONValue in
                var object: [String: JSONValue] = [
                    "period": .text(figures.label), "start": .text(TimeArgument.utc(figures.start)), "sessions": .number(Double(figures.sessions)),
                    "users": .number(Double(figures.users)), "wipes": .number(Double(figures.wipes)), "wipes_failed": .number(Double(figures.wipesFailed)),
                    "wipes_interrupted": .number(Double(figures.wipesInterrupted)),
                    "sessions_ended": .object(Dictionary(uniqueKeysWithValues: QuarterSummary.endReasons.map { ($0.rawValue, .number(Double(figures.endedBy[$0] ?? 0))) })),
                ]
                if let median = figures.medianSessionSeconds { object["median_session_s"] = .number(median) }
                if let mean = figures.meanSessionSeconds { object["mean_session_s"] = .number(mean) }
                return .object(object)
            })
        case .csv:
            let header = ["period", "sessions", "users", "median_session_min", "mean_session_min", "wipes", "wipes_failed", "wipes_interrupted"]
                + QuarterSummary.endReasons.map(QuarterSummary.endColumn)
            return JournalRendering.csv([header] + map { figures in
                [figures.label, "\(figures.sessions)", "\(figures.users)", minutes(figures.medianSessionSeconds), minutes(figures.meanSessionSeconds),
                 "\(figures.wipes)", "\(figures.wipesFailed)", "\(figures.wipesInterrupted)"]
                    + QuarterSummary.endReasons.map { reason in "\(figures.endedBy[reason] ?? 0)" }
            })
        }
    }

    /// A bar chart of sessions per period, with the number of people, readable in any browser.
    public func svg(title: String, language: Language) -> String {
        let fr = language == .french
        let barWidth = 28.0, gap = 8.0, chartHeight = 260.0, left = 56.0, top = 48.0, bottom = 110.0
        let width = Swift.max(480, left + Double(count) * (barWidth + gap) + 24)
        let height = top + chartHeight + bottom
        let highest = Swift.max(1, self.map(\.sessions).max() ?? 1)
        var parts = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<text x=\"\(left)\" y=\"28\" font-size=\"18\" fill=\"#222\">\(DisplayText.markup(title))</text>",
            "<line x1=\"\(left)\" y1=\"\(top + chartHeight)\" x2=\"\(width - 16)\" y2=\"\(top + chartHeight)\" stroke=\"#444\"/>",
            "<text x=\"12\" y=\"\(top + 12)\" font-size=\"12\" fill=\"#444\">\(highest)</text>",
            "<text x=\"12\" y=\"\(top + chartHeight)\" font-size=\"12\" fill=\"#444\">0</text>",
        ]
        for (index, figures) in enumerated() {
            let x = left + Double(index) * (barWidth + gap)
            let barHeight = chartHeight * Double(figures.sessions) / Double(highest)
            let y = top + chartHeight - barHeight
            let people = fr ? "\(figures.users) personne(s)" : "\(figures.users) people"
            parts.append("<rect x=\"\(x)\" y=\"\(y)\" width=\"\(barWidth)\" height=\"\(barHeight)\" fill=\"#2f6db5\"><title>\(DisplayText.markup(figures.label)): \(figures.sessions) sessions, \(people)</title></rect>")
            parts.append("<text x=\"\(x + barWidth / 2)\" y=\"\(y - 4)\" font-size=\"11\" text-anchor=\"middle\" fill=\"#222\">\(figures.sessions)</text>")
            parts.append("<text transform=\"translate(\(x + barWidth / 2), \(top + chartHeight + 10)) rotate(60)\" font-size=\"11\" fill=\"#222\">\(DisplayText.markup(figures.label))</text>")
        }
        parts.append("<text x=\"\(left)\" y=\"\(height - 12)\" font-size=\"12\" fill=\"#444\">\(fr ? "Nombre de sessions par période" : "Sessions per period")</text>")
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }
}
