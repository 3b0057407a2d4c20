import FoundationEssentials
import Glibc

/// Writes the events of what must never go unjournaled (a wipe): retried while another program holds the journal,
/// kept in the spool beside it when it still cannot be written (merged at the next successful write), and counted,
/// so that the command says so in its exit code.
public final class JournalRecorder: @unchecked Sendable {
    public enum Notice: Sendable, Equatable {
        /// The journal is busy: waiting before trying again.
        case retrying(JournalError, seconds: Int)
        /// Not written now; kept in the spool, to be written at the next successful write.
        case spooled(JournalError)
        /// Neither written nor kept (the spool could not be written either).
        case lost(JournalError, String)

        public func message(_ language: Language) -> String {
            let fr = language == .french
            switch self {
            case .retrying(let error, let seconds):
                return error.message(language) + (fr ? " Nouvel essai dans \(seconds) s…" : " Trying again in \(seconds) s…")
            case .spooled(let error):
                return error.message(language) + (fr ? " L'événement est gardé en attente et sera inscrit au journal à la prochaine écriture réussie."
                                                     : " The event is kept waiting and will be written to the journal at the next successful write.")
            case .lost(let error, let why):
                return error.message(language) + (fr ? " Il n'a pas pu non plus être gardé en attente (\(why)) : cet événement manque au journal."
                                                     : " It could not be kept waiting either (\(why)): this event is missing from the journal.")
            }
        }
    }

    public let journal: AccessJournal?
    let directory: String
    let openFailure: JournalError?
    let onNotice: (Notice) -> Void
    /// The waits before each new try of a busy journal.
    var retryDelays: [Duration]
    public private(set) var spooled = 0
    public private(set) var lost = 0

    public init(journal: AccessJournal, retryDelays: [Duration] = [.seconds(1), .seconds(3)], onNotice: @escaping (Notice) -> Void = { _ in }) {
        self.journal = journal
        self.directory = journal.directory
        self.openFailure = nil
        self.retryDelays = retryDelays
        self.onNotice = onNotice
    }

    /// Opens the state folder's journal; when it cannot be opened, every event goes to the spool.
    public init(directory: String, mirror: JournalMirror? = nil, retryDelays: [Duration] = [.seconds(1), .seconds(3)],
                onNotice: @escaping (Notice) -> Void = { _ in }) {
        var opened: AccessJournal?
        var failure: JournalError?
        for delay in [Duration.zero] + retryDelays {
            if delay > .zero, let failure { Self.wait(delay, after: failure, onNotice) }
            do {
                opened = try AccessJournal(directory: directory, mirror: mirror)
                failure = nil
                break
            } catch {
                failure = error
                guard case .busy = error else { break }
            }
        }
        self.journal = opened
        self.directory = directory
        self.openFailure = failure
        self.retryDelays = retryDelays
        self.onNotice = onNotice
    }

    /// What the exit code stands for when not every event reached the journal.
    public func summary(_ language: Language) -> String {
        let fr = language == .french
        if lost > 0 {
            return fr ? "\(lost) événement(s) de cet effacement manquent au journal, \(spooled) en attente : l'effacement est fait, mais il n'est pas entièrement inscrit."
                      : "\(lost) event(s) of this wipe are missing from the journal, \(spooled) waiting: the wipe is done, but it is not fully journaled."
        }
        return fr ? "\(spooled) événement(s) de cet effacement sont en attente d'inscription au journal (\(JournalSpool.path(directory))) : ils y seront écrits à la prochaine écriture réussie."
                  : "\(spooled) event(s) of this wipe are waiting to be written to the journal (\(JournalSpool.path(directory))): they will be written at the next successful write."
    }

    /// Says that the journal is busy and waits before the next try.
    static func wait(_ delay: Duration, after failure: JournalError, _ onNotice: (Notice) -> Void) {
        onNotice(.retrying(failure, seconds: Int(delay.components.seconds)))
        DetachedThread.sleep(seconds: delay.seconds)
    }

    /// Every event was written to the journal itself.
    public var allWritten: Bool { spooled == 0 && lost == 0 }

    public func record(_ event: JournalEvent) {
        var failure = openFailure ?? .writeFailed("")
        if let journal {
            // Once one event had to wait, the next ones try once: the wipe is not held up twice.
            for delay in [Duration.zero] + (spooled > 0 ? [] : retryDelays) {
                if delay > .zero { Self.wait(delay, after: failure, onNotice) }
                do {
                    try journal.append(event)
                    return
                } catch {
                    failure = error
                    guard case .busy = error else { break }
                }
            }
        }
        if let why = JournalSpool.keep([event], directory: directory) {
            lost += 1
            onNotice(.lost(failure, why))
        } else {
            spooled += 1
            onNotice(.spooled(failure))
        }
    }
}
