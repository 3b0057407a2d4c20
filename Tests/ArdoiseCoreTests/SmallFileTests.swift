@testable import ArdoiseCore
import Foundation
import Glibc
import Testing

/// The small files of root's: written whole, and what a killed writer left beside them removed where a folder is taken in hand.
@Suite struct SmallFileTests {
    @Test func leftoversOfAKilledWriterGoAndALiveWritersCopyStays() throws {
        let sandbox = try Sandbox()
        let path = sandbox.outside + "/journal.head"
        #expect(SmallFile.replace(path, with: Array("one\n".utf8)) == nil)
        // A writer killed before its rename (its process gone), and one writing right now (this test's parent, alive).
        let dead = path + ".new-999999999-1", alive = path + ".new-\(getppid())-2"
        try Data("half".utf8).write(to: URL(fileURLWithPath: dead))
        try Data("half".utf8).write(to: URL(fileURLWithPath: alive))
        // Replacing the file leaves the folder alone (the journal writes its head at every event).
        #expect(SmallFile.replace(path, with: Array("two\n".utf8)) == nil)
        #expect(FileManager.default.fileExists(atPath: dead))
        SmallFile.removeLeftovers(of: path)
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: alive))
        #expect(SmallFile.contents(path, limit: 64) == Array("two\n".utf8))
    }

    @Test func openingTheJournalRemovesAHeadCopyAKilledWriterLeft() throws {
        let sandbox = try Sandbox()
        let state = sandbox.base + "/state"
        let journal = try AccessJournal(directory: state)
        try journal.append(JournalEvent(kind: .daemonStart))
        let leftover = state + "/journal.head.new-999999999-7"
        try Data("ardoise-head".utf8).write(to: URL(fileURLWithPath: leftover))
        _ = try AccessJournal(directory: state)
        #expect(!FileManager.default.fileExists(atPath: leftover))
    }
}
