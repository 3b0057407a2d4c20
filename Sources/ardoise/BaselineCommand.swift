import ArdoiseCore
import ArdoiseSystem
import ArgumentParser
import FoundationEssentials
import Glibc

struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "La copie de référence d'un compte de poste public. / The reference copy of a kiosk account.",
        subcommands: [Capture.self, Show.self, Difference.self]
    )

    struct AccountOptions: ParsableArguments {
        @OptionGroup var global: GlobalOptions
        @Option(help: "Le compte du poste public. / The kiosk account.") var user: String?
        @Option(help: "Ou son dossier personnel. / Or its home folder.") var home: String?

        func validate() throws {
            guard (user == nil) != (home == nil) else {
                throw ValidationError("Donnez --user NOM ou --home DOSSIER (un seul). / Give --user NAME or --home DIR (one of them).")
            }
        }

        /// The account's name, home and uid; root only.
        func resolve() throws -> (store: BaselineStore, account: String, home: String, owner: UInt32) {
            let language = global.language
            guard geteuid() == 0 else {
                throw CommandFailure(message: language == .french ? "Seuls les administrateurs gèrent les références : relancez avec sudo."
                                                                   : "Only administrators manage baselines: run it again with sudo.", code: 3)
            }
            switch user.map({ WipeTarget.forUser($0, callerUID: 0) }) ?? WipeTarget.forHome(home!, callerUID: 0) {
            case .success(let found):
                let account = user ?? Account.withID(found.owner)?.name ?? "\(found.owner)"
                return (BaselineStore(stateDirectory: global.stateDirectoryPath), account, found.home, found.owner)
            case .failure(let refusal):
                throw CommandFailure(message: refusal.message(language), code: refusal.exitCode)
            }
        }
    }

    static func size(_ tally: RemovalTally, _ language: Language) -> String {
        language == .french ? "\(tally.files) fichier(s), \(WipeReport.size(tally.bytes, language))" : "\(tally.files) file(s), \(WipeReport.size(tally.bytes, language))"
    }

    /// What a capture kept, left out, and what in it runs at every login (for every visitor).
    static func captureSummary(_ report: BaselineStore.CaptureReport, account: String, automatic: Bool, _ language: Language) -> String {
        let fr = language == .french
        let name = DisplayText.escaped(account)
        var lines: [String] = []
        if automatic {
            lines.append(fr ? "« \(name) » n'avait pas de référence : ardoise vient d'en enregistrer une, à partir de son dossier actuel nettoyé des traces de navigation. "
                              + "Chaque effacement rendra désormais ce dossier identique à cette référence. Vérifiez-la avec « ardoise baseline show --user \(name) »."
                            : "\"\(name)\" had no baseline: ardoise just captured one, from its current home with the browsing traces removed. "
                              + "Every wipe now returns the home exactly to it. Review it with \"ardoise baseline show --user \(name)\".")
        }
        lines.append(fr ? "Gardé, par dossier :" : "Kept, per folder:")
        for (folder, tally) in report.kept { lines.append("  \(DisplayText.escaped(folder)) : \(size(tally, language))") }
        let leftOut = report.leftOut.kinds.filter { !$0.removed.isEmpty }
        lines.append(leftOut.isEmpty ? (fr ? "Aucune trace de navigation à retirer." : "No browsing trace to leave out.")
                                     : (fr ? "Laissé de côté (traces) :" : "Left out (traces):"))
        for kind in leftOut { lines.append("  \(kind.kind.label(language)) : \(size(kind.removed, language))") }
        for path in report.skipped { lines.append(fr ? "  non copié (fichier spécial ou point de montage) : \(path)" : "  not copied (special file or mount point): \(path)") }
        lines += startupLines(report.startup, language)
        return lines.joined(separator: "\n")
    }

    /// The entries of a reference that run something at every login, one a line, or a line saying there are none.
    static func startupLines(_ entries: [StartupEntries.Entry], _ language: Language) -> [String] {
        let fr = language == .french
        guard !entries.isEmpty else {
            return [fr ? "Rien dans la référence ne se lance à l'ouverture de session." : "Nothing in the baseline runs at login."]
        }
        var lines = [fr ? "À vérifier : ceci se lance ou agit à chaque ouverture de session, pour chaque personne :"
                        : "To review: this runs or acts at every login, for every person:"]
        for entry in entries { lines.append("  ! \(entry.path) — \(entry.reason.label(language))") }
        return lines
    }

    struct Capture: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "capture",
            abstract: "Enregistre le dossier personnel préparé comme référence (nettoyé des traces). / Stores the prepared home as the baseline (traces removed)."
        )
        @OptionGroup var account: AccountOptions

        func run() throws {
            let language = account.global.language
            let fr = language == .french
            let configuration = try account.global.configuration()
            let (store, name, home, owner) = try account.resolve()
            let report: BaselineStore.CaptureReport
            do {
                report = try store.capture(account: name, home: home, owner: owner, settings: configuration.wipe)
            } catch {
                throw CommandFailure(message: error.message(language), code: 1)
            }
            let shownHome = DisplayText.escaped(home)
            print(fr ? "Référence enregistrée pour « \(DisplayText.escaped(name)) » (\(shownHome))." : "Baseline stored for \"\(DisplayText.escaped(name))\" (\(shownHome)).")
            print(BaselineCommand.captureSummary(report, account: name, automatic: false, language))
            var detail = report.journalDetail
            detail["automatic"] = .bool(false)
            detail["by"] = .text(Actor.current().name)
            if let journal = try? AccessJournal(directory: account.global.stateDirectoryPath, mirror: SystemJournalMirror()) {
                do {
                    try journal.append(JournalEvent(kind: .baselineCaptured, uid: owner, user: name, outcome: "ok", detail: detail))
                } catch { printError(error.message(language)) }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Décrit la référence. / Describes the baseline.")
        @OptionGroup var account: AccountOptions

        func run() throws {
            let language = account.global.language
            let (store, name, _, _) = try account.resolve()
            guard store.exists(name), let root = try? OpenedRoot(path: try store.copyPath(name)) else {
                throw CommandFailure(message: BaselineError.missing(name).message(language), code: 1)
            }
            let remover = SafeRemover(root: root)
            var total = RemovalTally()
            if case .success(let entries) = root.list(HomePath()) {
                for entry in entries {
                    let tally = remover.remove(HomePath([entry.name]), .init(dryRun: true)).tally
                    total += tally
                    print("  \(DisplayText.escaped(bytes: entry.name.bytes)) : \(BaselineCommand.size(tally, language))")
                }
            }
            print("Total : \(BaselineCommand.size(total, language))")
            for line in BaselineCommand.startupLines(StartupEntries().find(in: root), language) { print(line) }
        }
    }

    struct Difference: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "diff", abstract: "Ce qui diffère de la référence. / What differs from the baseline.")
        @OptionGroup var account: AccountOptions

        func run() throws {
            let language = account.global.language
            let fr = language == .french
            let (store, name, home, _) = try account.resolve()
            let outcome: TreeMirror.Outcome
            do { outcome = try store.differences(account: name, home: home) } catch {
                throw CommandFailure(message: error.message(language), code: 1)
            }
            let changes = outcome.changes.filter { $0.kind != .skipped }
            if changes.isEmpty && outcome.failures.isEmpty {
                print(fr ? "Le dossier personnel est identique à sa référence." : "The home is identical to its baseline.")
                return
            }
            for change in changes {
                let what: String
                switch change.kind {
                case .removed: what = fr ? "en plus" : "extra"
                case .restored: what = fr ? "modifié" : "changed"
                case .created: what = fr ? "manquant" : "missing"
                case .skipped: continue
                }
                print("  \(what) : \(change.path)")
            }
            for failure in outcome.failures { print("  ! \(failure.location) : \(failure.reasonText(language))") }
            print(fr ? "\(changes.count) différence(s)." : "\(changes.count) difference(s).")
        }
    }
}
