import ArdoiseCore
import FoundationEssentials
import Glibc

func complain(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

// ardoise-journal-bench generate DIR EVENTS   a year of 50 kiosks into a fresh journal; prints inserts per second
// ardoise-journal-bench append DIR EVENTS        opens the journal, appends EVENTS events one transaction each, printing each sequence
// ardoise-journal-bench append-forever DIR     appends one event per transaction, printing each sequence once durable
// ardoise-journal-bench queries DIR           times list (one user, one month), stats by day (a year), purge (one day), verify (all)

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    complain("usage: ardoise-journal-bench generate|append-forever|queries DIR [EVENTS]")
    exit(2)
}
let directory = arguments[2]
let day = JournalClock.microsecondsPerDay
/// The bench's year ends now; it starts 365 days earlier.
let yearStart = JournalClock.now() - 365 * day

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = (ContinuousClock.now - start).components
    return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
}

switch arguments[1] {
case "generate":
    let total = arguments.count > 3 ? Int(arguments[3])! : 5_000_000
    let journal = try AccessJournal(directory: directory)
    // Each session writes 6 events: start, notice shown, notice acknowledged, end, wipe started, wipe finished.
    let sessions = total / 6
    let kiosks = 50
    var generator = SystemRandomNumberGenerator()
    var batch: [JournalEvent] = []
    batch.reserveCapacity(60_000)
    var written = 0
    let elapsed = try seconds {
        for index in 0..<sessions {
            let kiosk = index % kiosks
            let start = yearStart + Int64(index) * (365 * day / Int64(sessions))
            let length = Int64.random(in: 300_000_000...5_400_000_000, using: &generator)
            let user = "kiosque\(kiosk)"
            let seat = "seat0"
            let session = "\(index)"
            let host = "epn-\(kiosk)"
            batch.append(JournalEvent(time: start, kind: .sessionStart, host: host, seat: seat, session: session, uid: 2000, user: user))
            batch.append(JournalEvent(time: start + 1_000_000, kind: .noticeShown, host: host, seat: seat, session: session, uid: 2000, user: user))
            batch.append(JournalEvent(time: start + 9_000_000, kind: .noticeAcknowledged, host: host, seat: seat, session: session, uid: 2000, user: user))
            batch.append(JournalEvent(time: start + length, kind: .sessionEnd, host: host, seat: seat, session: session, uid: 2000, user: user, duration: length))
            batch.append(JournalEvent(time: start + length + 1000, kind: .wipeStarted, host: host, seat: seat, session: session, uid: 2000, user: user))
            let ok = index % 97 != 0
            batch.append(JournalEvent(time: start + length + 300_000, kind: .wipeFinished, host: host, seat: seat, session: session, uid: 2000, user: user,
                                      duration: 299_000, outcome: ok ? "ok" : "left-overs",
                                      detail: ["removed": .int(214), "bytes": .int(15_800_000), "left": .int(ok ? 0 : 1)]))
            if batch.count >= 60_000 {
                written += try journal.append(contentsOf: batch).count
                batch.removeAll(keepingCapacity: true)
            }
        }
        written += try journal.append(contentsOf: batch).count
    }
    print("events \(written)")
    print("insert_seconds \(elapsed)")
    print("insert_per_second \(Int(Double(written) / elapsed))")

case "append":
    // Opens the journal as any command does, writes EVENTS events one transaction each, prints each sequence once durable.
    let total = arguments.count > 3 ? Int(arguments[3])! : 1
    let journal = try AccessJournal(directory: directory)
    for index in 0..<total {
        let event = try journal.append(JournalEvent(kind: .adminQuery, user: "probe", outcome: "ok", detail: ["n": .int(Int64(index)), "pid": .int(Int64(getpid()))]))
        let line = Array("\(event.sequence)\n".utf8)
        _ = line.withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
    }

case "append-forever":
    let journal = try AccessJournal(directory: directory)
    var index = 0
    while true {
        let event = try journal.append(JournalEvent(kind: .adminQuery, user: "probe", outcome: "ok", detail: ["n": .int(Int64(index))]))
        // Written straight to the descriptor: once printed, the event is durable.
        let line = Array("\(event.sequence)\n".utf8)
        _ = line.withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
        index += 1
    }

case "queries":
    let journal = try AccessJournal(directory: directory)
    let monthStart = yearStart + 180 * day
    let filter = JournalFilter(since: monthStart, until: monthStart + 30 * day, user: "kiosque7")
    var listed = 0
    var periods = 0
    var purged = 0
    var verification: AccessJournal.Verification?
    func best(_ body: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<5 { times.append(try seconds(body)) }
        return times.sorted()[times.count / 2]
    }
    let list = try best { listed = try journal.events(filter).count }
    let stats = try best { periods = try journal.statistics(by: .day, since: yearStart, until: yearStart + 366 * day).count }
    // Five purges of one day each (the oldest day, then the next), the median kept: one commit's fsync varies a lot.
    var purges: [(seconds: Double, purged: Int)] = []
    for days in stride(from: 364, to: 359, by: -1) {
        var count = 0
        purges.append((try seconds { count = try journal.purge(retentionDays: days, now: JournalClock.now()).purged }, count))
    }
    let median = purges.sorted { $0.seconds < $1.seconds }[purges.count / 2]
    let purge = median.seconds
    purged = median.purged
    let verify = try seconds { verification = try journal.verify() }
    // The same without SQLite's full check: what verify did before it.
    let chainOnly = try seconds { _ = try journal.verify(fullCheck: false) }
    print("list_seconds \(list) rows \(listed) since_us \(monthStart) until_us \(monthStart + 30 * day)")
    print("stats_seconds \(stats) periods \(periods) since_us \(yearStart) until_us \(yearStart + 366 * day)")
    print("purge_seconds \(purge) purged \(purged)")
    print("verify_seconds \(verify) checked \(verification?.checked ?? 0) intact \(verification?.isIntact ?? false)")
    print("verify_chain_only_seconds \(chainOnly)")

default:
    complain("unknown command \(arguments[1])")
    exit(2)
}
