@testable import ArdoiseCore
import Foundation
import Testing

/// The print jobs purged with a wipe, as the report and the journal say them (CUPS itself is in the end-to-end test).
@Suite struct PrintJobsReportTests {
    static func wipe(purged: WipeReport.PrintJobsPurged?) throws -> (WipeReport, JournalEvent) {
        let sandbox = try Sandbox(fixture: false)
        let state = sandbox.base + "/state"
        var recorded = RecordedWipe(home: sandbox.home, owner: testOwner, account: "kiosque", settings: sandbox.settings, stateDirectory: state, trigger: "manual")
        recorded.purgePrintJobs = { user in user == "kiosque" ? purged : nil }
        let journal = try AccessJournal(directory: state)
        let report = try recorded.run(recorder: JournalRecorder(journal: journal)).get()
        let finished = try #require(try journal.events(JournalFilter(kinds: [.wipeFinished])).first)
        return (report, finished)
    }

    @Test func purgedJobsAreCountedNeverNamed() throws {
        let (report, event) = try Self.wipe(purged: .init(removed: 3, failure: nil))
        #expect(report.printJobs?.removed == 3)
        #expect(event.detail["print_jobs"] == .int(3) && event.detail["print_jobs_failed"] == nil)
        #expect(report.table(.french).contains("Impressions de ce compte effacées de CUPS (en attente, retenues, terminées) : 3."))
        #expect(report.json().contains("\"removed\" : 3"))
    }

    @Test func jobsCupsDidNotPurgeMakeTheWipeNotClean() throws {
        let (report, event) = try Self.wipe(purged: .init(removed: 2, failure: "client-error-not-authorized"))
        #expect(!report.isClean, "a job that stays is a trace that stays")
        #expect(event.detail["print_jobs_failed"] == .bool(true) && event.outcome == "left-overs")
        #expect(report.table(.english).contains("CUPS did not erase them all: client-error-not-authorized"))
    }

    @Test func withoutCupsNothingIsSaid() throws {
        let (report, event) = try Self.wipe(purged: nil)
        #expect(report.printJobs == nil && event.detail["print_jobs"] == nil)
        #expect(!report.table(.english).contains("print jobs"))
    }
}
