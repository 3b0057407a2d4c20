import FoundationEssentials
import Glibc

public enum ReportFormat: String, Sendable, CaseIterable {
    case table, json
}

extension WipeReport {
    public func rendered(_ format: ReportFormat, language: Language) -> String {
        switch format {
        case .table: table(language)
        case .json: json()
        }
    }

    /// One JSON document for scripts; field names are stable, texts are in the report's language.
    public func json() -> String {
        struct Document: Encodable {
            var home: String
            var owner: UInt32
            var dryRun: Bool
            var startedAt: Date
            var durationSeconds: Double
            var clean: Bool
            var found: RemovalTally
            var removed: RemovalTally
            var left: Int
            var kinds: [KindReport]
            var printJobs: PrintJobsPurged?
            var firefoxPolicies: FirefoxPolicyProof?
        }
        let document = Document(home: home, owner: owner, dryRun: dryRun, startedAt: startedAt, durationSeconds: duration,
                                clean: isClean, found: found, removed: removed, left: left, kinds: kinds, printJobs: printJobs,
                                firefoxPolicies: firefoxPolicies)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = (try? encoder.encode(document)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    public func table(_ language: Language) -> String {
        let fr = language == .french
        var lines: [String] = []
        let seconds = Self.decimal(duration, digits: 2, language)
        let shownHome = DisplayText.escaped(home, limit: 4096)
        if dryRun {
            lines.append(fr ? "Simulation pour \(shownHome) : voici ce qui serait effacé (rien n'a été touché)."
                            : "Dry run for \(shownHome): this is what would be erased (nothing was touched).")
        } else {
            lines.append(fr ? "Effacement de \(shownHome), fait en \(seconds) s." : "Wipe of \(shownHome), done in \(seconds) s.")
        }
        lines.append("")
        let header = dryRun
            ? [fr ? "Type de trace" : "Kind of trace", fr ? "Fichiers" : "Files", fr ? "Taille" : "Size"]
            : [fr ? "Type de trace" : "Kind of trace", fr ? "Effacés" : "Erased", fr ? "Taille" : "Size", fr ? "Restants" : "Left"]
        var rows: [[String]] = []
        for kind in kinds where !(kind.found.isEmpty && kind.left == 0 && kind.problems.isEmpty) {
            let tally = dryRun ? kind.found : kind.removed
            var row = [kind.kind.label(language), "\(tally.files)", Self.size(tally.bytes, language)]
            if !dryRun { row.append("\(kind.left)") }
            rows.append(row)
        }
        if rows.isEmpty {
            lines.append(fr ? "Aucune trace trouvée." : "No trace found.")
        } else {
            let total = dryRun ? found : removed
            var totalRow = ["Total", "\(total.files)", Self.size(total.bytes, language)]
            if !dryRun { totalRow.append("\(left)") }
            lines += Self.columns([header] + rows + [totalRow])
        }
        if let outside {
            lines.append("")
            lines.append(fr ? "Mode catalogue : seules les traces que le catalogue connaît sont effacées ; ce que d'autres programmes écrivent reste."
                            : "Catalogue mode: only the traces the catalogue knows are erased; what other programs write stays.")
            if !outside.known {
                lines.append(fr ? "Aucun état antérieur de ce dossier n'est enregistré : impossible de dire ce que la session a changé ailleurs."
                                : "No earlier state of this home is recorded: what the session changed elsewhere cannot be told.")
            } else if outside.total > 0 {
                lines.append(fr ? "Hors catalogue, depuis le dernier effacement (restent en place) :" : "Outside the catalogue, since the last wipe (still there):")
                for folder in outside.folders {
                    lines.append(fr ? "  \(folder.name) : \(folder.added) ajouté(s), \(folder.changed) modifié(s)"
                                    : "  \(folder.name): \(folder.added) added, \(folder.changed) changed")
                }
            }
        }
        if let printJobs, printJobs.removed > 0 || printJobs.failure != nil {
            lines.append("")
            lines.append(fr ? "Impressions de ce compte effacées de CUPS (en attente, retenues, terminées) : \(printJobs.removed)."
                            : "This account's print jobs erased from CUPS (pending, held, done): \(printJobs.removed).")
            if let failure = printJobs.failure {
                lines.append(fr ? "  CUPS n'a pas tout effacé : \(DisplayText.escaped(failure))" : "  CUPS did not erase them all: \(DisplayText.escaped(failure))")
            }
        }
        if let firefoxPolicies, firefoxPolicies.notApplied > 0 {
            lines.append("")
            lines.append(fr ? "Firefox a tourné sans ses règles (\(firefoxPolicies.notApplied) profil(s) sur \(firefoxPolicies.ran)) : il a pu proposer d'enregistrer des mots de passe. Lancez « ardoise policies show » pour voir ce qui ne va pas."
                            : "Firefox ran without its policies (\(firefoxPolicies.notApplied) profile(s) of \(firefoxPolicies.ran)): it may have offered to save passwords. Run \"ardoise policies show\" to see what is wrong.")
        }
        let problems = kinds.flatMap { kind in kind.problems.map { (kind.kind, $0) } }
        if !problems.isEmpty {
            lines.append("")
            lines.append(fr ? "Problèmes :" : "Problems:")
            for (kind, problem) in problems {
                lines.append("  - [\(kind.label(language))] \(problem.location) : \(problem.message(language))")
            }
        }
        lines.append("")
        if dryRun {
            lines.append(fr ? "Pour effacer pour de bon, relancez la commande sans --dry-run." : "To erase for real, run the command again without --dry-run.")
        } else if isClean {
            lines.append(fr ? "Résultat : plus rien ne reste de la session (vérifié par une seconde lecture)."
                            : "Result: nothing of the session is left (checked by a second scan).")
        } else if left > 0 {
            lines.append(fr ? "Résultat : \(left) élément(s) restent ; la liste des problèmes ci-dessus dit pourquoi."
                            : "Result: \(left) item(s) are left; the problems above say why.")
        } else if refusedPaths > 0 {
            lines.append(fr ? "Résultat : ce qui a été trouvé est effacé, mais \(refusedPaths) chemin(s) lu(s) dans les fichiers de la session ont été "
                              + "refusés (voir les problèmes ci-dessus) : ce qu'ils désignaient n'a pas été vérifié."
                            : "Result: what was found is erased, but \(refusedPaths) path(s) read from the session's files were refused "
                              + "(see the problems above): what they named was not checked.")
        } else if let outside, outside.known {
            lines.append(fr ? "Résultat : les traces connues sont effacées, mais \(outside.total) fichier(s) hors catalogue restent (voir ci-dessus) ; "
                              + "une référence (mode « auto » ou « baseline ») les effacerait."
                            : "Result: the known traces are erased, but \(outside.total) file(s) outside the catalogue stay (see above); "
                              + "a baseline (mode \"auto\" or \"baseline\") would erase them.")
        } else {
            lines.append(fr ? "Résultat : les traces connues sont effacées ; ce que la session a pu laisser ailleurs n'est pas connu."
                            : "Result: the known traces are erased; what the session may have left elsewhere is not known.")
        }
        return lines.joined(separator: "\n")
    }

    /// Rows as aligned columns: the first on the left, numbers on the right (or every column on the left).
    static func columns(_ rows: [[String]], numbersRight: Bool = true) -> [String] {
        let count = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        return rows.map { row in
            row.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return index == 0 || !numbersRight ? cell + pad : pad + cell
            }.joined(separator: "  ").trimming(.whitespaces)
        }
    }

    public static func size(_ bytes: UInt64, _ language: Language) -> String {
        let units = language == .french ? ["o", "Ko", "Mo", "Go"] : ["B", "KB", "MB", "GB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) \(units[0])" : "\(decimal(value, digits: 1, language)) \(units[unit])"
    }

    static func decimal(_ value: Double, digits: Int, _ language: Language) -> String {
        let text = String(cFormat: "%.\(digits)f", value)
        return language == .french ? text.replacing(".", with: ",") : text
    }
}
