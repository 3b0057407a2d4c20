import ArdoiseCore
import ArdoiseSystem
import Foundation
import Testing

@Suite struct SystemJournalMirrorTests {
    @Test func fieldsCarryTheEventAndAStableMessageIDButNoDetail() {
        var event = JournalEvent(time: 1_800_000_000_000_000, kind: .wipeFinished, host: "epn-3", seat: "seat0", session: "c7", uid: 2001,
                                 user: "kiosque", duration: 250_000, outcome: "ok", detail: ["removed": .int(214), "secret": .text("never-sent")])
        event.sequence = 42
        let fields = SystemJournalMirror.fields(of: event)
        #expect(fields.contains("MESSAGE_ID=a7d0153e0b2c4c1f9a3e6d52f1c8b40b"))
        #expect(fields.contains("ARDOISE_EVENT=wipe-finished"))
        #expect(fields.contains("ARDOISE_SEQUENCE=42"))
        #expect(fields.contains("ARDOISE_USER=kiosque") && fields.contains("ARDOISE_SEAT=seat0") && fields.contains("ARDOISE_SESSION=c7"))
        #expect(fields.contains("ARDOISE_OUTCOME=ok") && fields.contains("ARDOISE_DURATION_US=250000"))
        #expect(fields.contains("SYSLOG_IDENTIFIER=ardoise"))
        #expect(!fields.joined().contains("never-sent"))
        #expect(fields.allSatisfy { $0.contains("=") && !$0.contains("\n") })
    }

    @Test func everyKindHasItsOwnIdentifier() {
        let identifiers = EventKind.allCases.map(\.messageID)
        #expect(Set(identifiers).count == EventKind.allCases.count)
        #expect(identifiers.allSatisfy { $0.count == 32 && $0.allSatisfy(\.isHexDigit) })
    }

    /// libsystemd drops messages silently when no journal daemon listens: a kiosk without journald keeps working.
    @Test func sendingNeverFailsTheCaller() {
        #expect(SystemJournalMirror.send(["MESSAGE=ardoise test", "SYSLOG_IDENTIFIER=ardoise-test"]) == 0)
    }
}
