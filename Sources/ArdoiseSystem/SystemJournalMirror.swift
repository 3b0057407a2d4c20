import ArdoiseCore
import CSystemd
import Glibc

/// Sends every access-journal event to the system journal too (`sd_journal_sendv`), with a stable MESSAGE_ID per kind
/// and ARDOISE_* fields, so `journalctl MESSAGE_ID=...` and central log collection see them.
public struct SystemJournalMirror: JournalMirror {
    public init() {}

    public func mirror(_ event: JournalEvent) {
        SystemJournalMirror.send(Self.fields(of: event))
    }

    /// The fields sent for one event: what the access journal holds, nothing more.
    public static func fields(of event: JournalEvent) -> [String] {
        var fields = [
            "MESSAGE=ardoise: \(event.kind.label(.english))" + (event.user.map { " (\($0))" } ?? "") + (event.outcome.map { ": \($0)" } ?? ""),
            "MESSAGE_ID=\(event.kind.messageID)",
            "PRIORITY=\(event.kind == .wipeFailed || event.kind == .configRejected || event.kind == .journalRecovered ? 4 : 6)",
            "SYSLOG_IDENTIFIER=ardoise",
            "ARDOISE_EVENT=\(event.kind.rawValue)",
            "ARDOISE_SEQUENCE=\(event.sequence)",
            "ARDOISE_HOST=\(event.host)",
        ]
        if let seat = event.seat { fields.append("ARDOISE_SEAT=\(seat)") }
        if let session = event.session { fields.append("ARDOISE_SESSION=\(session)") }
        if let uid = event.uid { fields.append("ARDOISE_UID=\(uid)") }
        if let user = event.user { fields.append("ARDOISE_USER=\(user)") }
        if let duration = event.duration { fields.append("ARDOISE_DURATION_US=\(duration)") }
        if let outcome = event.outcome { fields.append("ARDOISE_OUTCOME=\(outcome)") }
        return fields
    }

    /// `sd_journal_sendv` with one iovec per `FIELD=value` (the variadic `sd_journal_send` is not callable from Swift).
    @discardableResult
    public static func send(_ fields: [String]) -> Int32 {
        let buffers = fields.map { field -> UnsafeMutableRawBufferPointer in
            let bytes = Array(field.utf8)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
            buffer.copyBytes(from: bytes)
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        let vectors = buffers.map { iovec(iov_base: $0.baseAddress, iov_len: $0.count) }
        return sd_journal_sendv(vectors, Int32(vectors.count))
    }
}
