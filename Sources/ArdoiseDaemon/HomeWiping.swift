import ArdoiseCore
import ArdoiseSystem
import CLinux
import FoundationEssentials
import Glibc
import Logging

/// How one wipe ended, as the daemon reports it to the hook and in its status line.
public enum WipeOutcome: Sendable, Equatable {
    case clean
    case leftOvers(Int)
    case failed(String)
    /// Not done now: the account opened another session before the wipe began.
    case postponed

    /// The session-end hook's exit code.
    public var exitCode: Int32 {
        switch self {
        case .clean, .postponed: 0
        case .leftOvers, .failed: 1
        }
    }

    public var word: String {
        switch self {
        case .clean: "ok"
        case .leftOvers: "left-overs"
        case .failed: "failed"
        case .postponed: "postponed"
        }
    }
}

/// Wipes one kiosk home; the supervisor's tests count calls, the daemon journals through `RecordedWipe`.
public protocol HomeWiping: Sendable {
    func wipe(_ account: Account, settings: WipeSettings, trigger: String, session: String?, seat: String?) async -> WipeOutcome
}

/// The real wipe, on a thread of its own (file work blocks), journaled.
public struct JournaledHomeWiper: HomeWiping {
    let journal: AccessJournal
    let stateDirectory: String
    let logger: Logger

    public init(journal: AccessJournal, stateDirectory: String, logger: Logger) {
        self.journal = journal
        self.stateDirectory = stateDirectory
        self.logger = logger
    }

    public func wipe(_ account: Account, settings: WipeSettings, trigger: String, session: String?, seat: String?) async -> WipeOutcome {
        var recorded = RecordedWipe(account: account, settings: settings, stateDirectory: stateDirectory, trigger: trigger, session: session, seat: seat)
        // At the service's start (or when a reload names it), a kiosk account without a reference gets one before its sweep.
        recorded.captureIfMissing = ["boot-sweep", "pending", "reload"].contains(trigger)
        recorded.addSystemSteps(printJobsHelper: JournalRelay.siblingExecutable())
        let wipe = recorded
        let journal = self.journal, logger = self.logger
        // A thread of its own: a wipe blocks on the disk for as long as it takes, outside Swift's task pool.
        return await DetachedThread.run(name: "wipe \(account.name)") {
            // What the wipe allocated (plans, trees, reports) goes back to the system, not kept for the next one.
            defer { malloc_trim(0) }
            let recorder = JournalRecorder(journal: journal, onNotice: { logger.error("journal: \($0.message(.english))") })
            let result = wipe.run(recorder: recorder, onCapture: { captured in
                switch captured {
                case .success(let capture):
                    logger.notice("\(account.name): no baseline yet; one was captured (\(capture.startup.count) entries run at login: review with ardoise baseline show)")
                case .failure(let error):
                    logger.error("\(account.name): no baseline could be captured: \(error.message(.english))")
                }
            })
            switch result {
            case .success(let report):
                // Codes only: a path could name a user's file, and the system log is read by more people than the journal.
                for kind in report.kinds where !kind.problems.isEmpty {
                    logger.warning("\(account.name): \(kind.kind.rawValue): \(Set(kind.problems.map(\.code)).sorted().joined(separator: ", "))")
                }
                logger.info("\(account.name): wiped (\(trigger)) in \(String(cFormat: "%.3f", report.duration)) s, \(report.left) left")
                return report.isClean ? .clean : .leftOvers(report.left)
            case .failure(let error):
                logger.error("\(account.name): wipe failed: \(error.message(.english))")
                return .failed(error.code)
            }
        }
    }
}
