import ArdoiseCore
import ArdoiseSystem
import ArgumentParser
import FoundationEssentials
import Glibc

/// One report on the whole kiosk: the service, the hooks, the kiosk accounts and their references, printing, the
/// notices, the journal and its key, the sessions' limits. Exit 0 when all is well, 1 with a fix for each problem.
struct CheckCommand: ParsableCommand, RelayedJournalCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Vérifie que le poste est bien préparé (administrateurs). / Checks that the kiosk is set up right (administrators)."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "table | json") var format: QueryFormat = .table

    func run() throws {
        let language = global.language
        guard geteuid() == 0 else { throw CommandFailure.adminOnly(language) }
        let findings = KioskCheck(configPath: global.configPath, stateDirectory: global.stateDirectoryPath, language: language).run()
        if format == .table {
            print(findings.rendered(language))
        } else {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: (try? encoder.encode(findings)) ?? Data("[]".utf8), as: UTF8.self))
        }
        if let journal = try? AccessJournal(directory: global.stateDirectoryPath) {
            global.record(adminQuery("check", ["problems": .int(Int64(findings.problems))]), in: journal)
        }
        if findings.problems > 0 { throw CommandFailure(message: "", code: 1) }
    }
}
