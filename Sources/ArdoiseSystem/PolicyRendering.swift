import ArdoiseCore
import FoundationEssentials
import Glibc

extension BrowserPolicies.PlaceStatus {
    /// One line: the browser, and whether it is protected or what is wrong, in plain words.
    public func line(_ language: Language) -> String {
        let fr = language == .french
        let name = "\(browser) (\(packaging.rawValue))"
        guard installed else { return fr ? "  -  \(name) : non installé" : "  -  \(name): not installed" }
        guard supported else {
            return fr ? "  ✗  \(name) : ce navigateur ne lit aucune règle imposée ici ; il peut proposer d'enregistrer des mots de passe (ses traces sont tout de même effacées). Désinstallez-le, ou installez Firefox ou Chromium (paquet Debian)."
                      : "  ✗  \(name): this browser reads no managed policy here; it may offer to save passwords (its traces are still wiped). Uninstall it, or install Firefox or Chromium (Debian package)."
        }
        var problems: [String] = []
        for file in files {
            let path = DisplayText.escaped(file.path)
            switch file.state {
            case .current: break
            case .absent: problems.append(fr ? "\(path) absent : lancez « ardoise policies install »" : "\(path) missing: run \"ardoise policies install\"")
            case .outdated: problems.append(fr ? "\(path) ne suit plus la configuration : lancez « ardoise policies install »" : "\(path) no longer follows the configuration: run \"ardoise policies install\"")
            case .changed: problems.append(fr ? "\(path) modifié à la main : lancez « ardoise policies install »" : "\(path) changed by hand: run \"ardoise policies install\"")
            case .foreign: problems.append(fr ? "\(path) n'est pas d'ardoise (celui d'un administrateur ?) : lancez « ardoise policies install », qui y ajoute ses règles ou dit pourquoi il ne le peut pas" : "\(path) is not ardoise's (an administrator's?): run \"ardoise policies install\", which adds its policies to it or says why it cannot")
            case .broken: problems.append(fr ? "\(path) ne se lit pas (JSON invalide) : le navigateur n'applique aucune de ses règles ; corrigez-le ou déplacez-le" : "\(path) does not parse (invalid JSON): the browser applies none of its policies; fix it or move it away")
            case .refused: problems.append(fr ? "\(path) n'est pas un fichier ordinaire (un lien ?) : remplacez-le par un fichier" : "\(path) is not a regular file (a link?): replace it with a file")
            }
            if !file.conflicts.isEmpty {
                let list = file.conflicts.map { DisplayText.escaped($0) }.joined(separator: ", ")
                problems.append(fr ? "dans le même dossier, réglé autrement : \(list)" : "set otherwise in the same folder: \(list)")
            }
            for neighbour in file.brokenNeighbours {
                problems.append(fr ? "\(DisplayText.escaped(neighbour)) ne se lit pas (ignoré par le navigateur)" : "\(DisplayText.escaped(neighbour)) does not parse (ignored by the browser)")
            }
        }
        let checked = verified ? "" : (fr ? " (emplacement donné par l'empaqueteur)" : " (place given by the packager)")
        if problems.isEmpty { return fr ? "  ✓  \(name) : règles en place\(checked)" : "  ✓  \(name): policies in place\(checked)" }
        return "  ✗  \(name)\(fr ? " : " : ": ")" + problems.joined(separator: " ; ")
    }
}

extension BrowserPolicies.FileChange {
    public func line(_ language: Language) -> String {
        let fr = language == .french
        let path = DisplayText.escaped(path)
        let who = browsers.isEmpty ? "" : " (\(browsers.joined(separator: ", ")))"
        switch outcome {
        case .written: return fr ? "  ✓  écrit : \(path)\(who)" : "  ✓  written: \(path)\(who)"
        case .merged: return fr ? "  ✓  ajouté au fichier de l'administrateur : \(path)\(who)" : "  ✓  added to the administrator's file: \(path)\(who)"
        case .unchanged: return fr ? "  ✓  déjà en place : \(path)\(who)" : "  ✓  already in place: \(path)\(who)"
        case .removed: return fr ? "  ✓  retiré : \(path)\(who)" : "  ✓  removed: \(path)\(who)"
        case .restored: return fr ? "  ✓  rendu à l'administrateur tel qu'il était : \(path)\(who)" : "  ✓  given back to the administrator as it was: \(path)\(who)"
        case .refused: return "  ✗  \(path)\(who)\(fr ? " : " : ": ")\(DisplayText.escaped(reason(language) ?? ""))"
        }
    }
}
