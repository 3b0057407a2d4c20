import ArdoiseSystem
import ArgumentParser
import FoundationEssentials
import Glibc

/// `ardoise purge-print-jobs --user NAME`: the service's helper for a wipe's print jobs (hidden from the help). It runs
/// libcups in a process of its own, so that the service never loads it; the answer is one line of JSON, or `none`.
struct PurgePrintJobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: PrintJobs.helperCommand,
        abstract: "Purge les travaux d'impression d'un compte (pour le service). / Purges an account's print jobs (for the service).",
        shouldDisplay: false
    )

    @Option(help: "Le compte. / The account.") var user: String

    func run() throws {
        guard geteuid() == 0 else { throw CommandFailure(message: "purge-print-jobs : réservé à root. / root only.", code: 3) }
        guard let purge = PrintJobs.purge(user: user) else {
            StandardStreams.output("none\n")
            return
        }
        // A purge made but not told is a failure for the service, never "no CUPS here".
        guard let line = try? JSONEncoder().encode(purge) else {
            throw CommandFailure(message: "purge-print-jobs : réponse impossible à écrire. / the answer cannot be written.", code: 1)
        }
        StandardStreams.output(String(decoding: line, as: UTF8.self) + "\n")
    }
}
