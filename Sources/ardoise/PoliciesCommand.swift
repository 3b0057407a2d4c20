import ArdoiseCore
import ArdoiseSystem
import ArgumentParser
import FoundationEssentials
import Glibc

/// The managed policies that keep the kiosk's browsers from saving passwords, form data and accounts.
struct PoliciesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policies",
        abstract: "Les règles imposées aux navigateurs du poste. / The policies the kiosk's browsers are given.",
        subcommands: [Install.self, Remove.self, Show.self]
    )

    struct Options: ParsableArguments {
        @OptionGroup var global: GlobalOptions
        @Option(help: .hidden) var root = "/"
        @Option(help: "table | json") var format: QueryFormat = .table

        func policies(_ settings: PolicySettings = PolicySettings()) -> BrowserPolicies {
            BrowserPolicies(root: root, stateDirectory: global.stateDirectoryPath, settings: settings)
        }

        func requireRoot() throws {
            guard geteuid() == 0 else {
                throw CommandFailure(message: global.language == .french ? "Seuls les administrateurs gèrent les règles des navigateurs : relancez avec sudo."
                                                                         : "Only administrators manage the browsers' policies: run it again with sudo.", code: 3)
            }
        }

        /// What was done to each file, in French or English (or JSON); exit 1 when one was refused.
        func report(_ changes: [BrowserPolicies.FileChange], header: (String, String), none: (String, String)) throws {
            let language = global.language
            let pick = { (text: (String, String)) in language == .french ? text.0 : text.1 }
            print(changes, lines: [pick(header)] + (changes.isEmpty ? ["  " + pick(none)] : changes.map { $0.line(language) }))
            if changes.contains(where: { $0.outcome == .refused }) { throw CommandFailure(message: "", code: 1) }
        }

        func print<T: Encodable>(_ value: T, lines: [String]) {
            if format == .json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                Swift.print(String(decoding: (try? encoder.encode(value)) ?? Data("[]".utf8), as: UTF8.self))
            } else {
                Swift.print(lines.joined(separator: "\n"))
            }
        }
    }

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Écrit les règles pour chaque navigateur installé. / Writes the policies for every installed browser.")
        @OptionGroup var options: Options
        @Flag(help: "Aussi pour les navigateurs pas encore installés. / Also for browsers not installed yet.") var all = false

        func run() throws {
            try options.requireRoot()
            try options.report(options.policies(try options.global.configuration().policies).install(all: all),
                               header: ("Règles des navigateurs :", "Browser policies:"),
                               none: ("Aucun navigateur connu n'est installé : rien à écrire.", "No known browser is installed: nothing to write."))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retire les règles écrites par ardoise. / Takes out the policies ardoise wrote.")
        @OptionGroup var options: Options

        func run() throws {
            try options.requireRoot()
            try options.report(options.policies().remove(), header: ("Règles des navigateurs retirées :", "Browser policies taken out:"),
                               none: ("ardoise n'avait rien écrit.", "ardoise had written nothing."))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Dit, navigateur par navigateur, si les règles sont en place. / Says, browser by browser, whether the policies are in place.")
        @OptionGroup var options: Options

        func run() throws {
            // The record of what ardoise wrote is root's: without it every file would look like an administrator's.
            try options.requireRoot()
            let language = options.global.language
            let places = options.policies(try options.global.configuration().policies).show()
            let header = language == .french ? "Règles des navigateurs :" : "Browser policies:"
            options.print(places, lines: [header] + places.map { $0.line(language) })
            if places.contains(where: { $0.installed && !$0.protected }) { throw CommandFailure(message: "", code: 1) }
        }
    }
}
