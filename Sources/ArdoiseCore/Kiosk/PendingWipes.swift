
/// A wipe that was started and not yet seen to finish, kept in the state database (`synchronous=FULL`).
public struct PendingWipe: Sendable, Equatable {
    public var uid: UInt32
    public var user: String
    public var trigger: String
    /// UTC microseconds.
    public var since: Int64
}

extension AccessJournal {
    /// Written before a wipe touches anything: a crash or a power cut in the middle leaves it behind.
    public func addPendingWipe(uid: UInt32, user: String, trigger: String, now: Int64 = JournalClock.now()) throws(JournalError) {
        try write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO pending_wipe (uid, user, trigger, since) VALUES (?, ?, ?, ?)",
                           arguments: [Int64(uid), user, trigger, now])
        }
    }

    public func removePendingWipe(uid: UInt32) throws(JournalError) {
        try write { db in try db.execute(sql: "DELETE FROM pending_wipe WHERE uid = ?", arguments: [Int64(uid)]) }
    }

    public func pendingWipes() throws(JournalError) -> [PendingWipe] {
        do {
            return try database.read { db in
                try SQLiteRow.fetchAll(db, sql: "SELECT uid, user, trigger, since FROM pending_wipe ORDER BY since").map {
                    PendingWipe(uid: UInt32(truncatingIfNeeded: $0[0] as Int64), user: $0[1], trigger: $0[2], since: $0[3])
                }
            }
        } catch {
            throw .readFailed("\(error)")
        }
    }

    private func write(_ change: (SQLiteConnection) throws -> Void) throws(JournalError) {
        do { try database.write(change) } catch { throw .writeFailed("\(error)") }
    }
}
