import ArdoiseCore

/// The fleet's events of a period for a lawful request, and what lets a third party check them: each journal's check in
/// the store (with the seals when the keys are given), and the SHA-256 of the CSV as written.
public struct FleetExport: Sendable {
    public var filter: JournalFilter
    public var kiosk: String?
    public var listing: FleetJournals.Listing
    /// The checks of the journals the exported events come from.
    public var checks: [FleetStore.JournalCheck]
    public var createdAt: Int64
    public var actor: Actor

    public var csv: String { listing.events.rendered(.csv, language: .english) }

    public var isClear: Bool { checks.allSatisfy { $0.problem == nil } }

    public func summary(_ language: Language, csvDigest: String) -> String {
        let fr = language == .french
        let range = "\(filter.since.map(TimeArgument.local) ?? "-") → \(filter.until.map(TimeArgument.local) ?? "-")"
        let rangeUTC = "\(filter.since.map(TimeArgument.utc) ?? "-") → \(filter.until.map(TimeArgument.utc) ?? "-")"
        var lines = fr ? [
            "Export de la base des journaux de la flotte — ardoise",
            "Bornes : \(kiosk ?? "toutes")",
            "Période (heure locale) : \(range)",
            "Période (UTC) : \(rangeUTC)",
            "Nombre d'événements : \(listing.events.count)",
        ] : [
            "Fleet store export — ardoise",
            "Kiosks: \(kiosk ?? "all")",
            "Period (local time): \(range)",
            "Period (UTC): \(rangeUTC)",
            "Number of events: \(listing.events.count)",
        ]
        if listing.unknownKinds > 0 {
            lines.append(fr ? "Événements d'un type que cette version ne connaît pas, non exportés : \(listing.unknownKinds)"
                            : "Events of a kind this version does not know, not exported: \(listing.unknownKinds)")
        }
        lines.append(fr ? "Vérification de chaque journal dans la base :" : "Check of each journal in the store:")
        for check in checks {
            lines.append("  \(check.kiosk) \(check.journal) : " + Self.verdict(check, language))
        }
        lines += fr ? [
            "Empreinte SHA-256 du fichier CSV : \(csvDigest)",
            "Produit le \(TimeArgument.local(createdAt)) par \(actor.name).",
            "Contenu : borne, compte, poste, heures de connexion et de déconnexion, résultats des effacements. Ni adresse de site, ni nom de fichier, ni titre de page.",
        ] : [
            "SHA-256 of the CSV file: \(csvDigest)",
            "Made on \(TimeArgument.local(createdAt)) by \(actor.name).",
            "Content: kiosk, account, seat, connection and disconnection times, wipe outcomes. No site address, no file name, no page title.",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// One journal's check, as `ardoise-fleet verify` says it: only what was checked.
    public static func verdict(_ check: FleetStore.JournalCheck, _ language: Language) -> String {
        let fr = language == .french
        switch check.problem {
        case nil where check.checked == 0:
            return fr ? "aucun événement dans la base : rien à vérifier" : "no event in the store: nothing to check"
        case nil:
            var seals: String
            switch (check.sealsChecked, check.sealsUncheckedFrom) {
            case (false, _): seals = fr ? ", sceaux non vérifiés (sans clé)" : ", seals not checked (no key)"
            case (true, let from?): seals = fr ? ", sceaux vérifiés avant l'événement \(from) seulement" : ", seals checked before event \(from) only"
            case (true, nil): seals = fr ? ", sceaux vérifiés" : ", seals checked"
            }
            if check.sealsChecked, let first = check.sealUnchecked {
                seals += fr ? " sauf celui de l'événement \(first) (le précédent n'est pas connu)" : " but event \(first)'s (the one before is not known)"
            }
            return fr ? "intact (\(check.checked) événements\(seals))" : "intact (\(check.checked) events\(seals))"
        case .missing(let expected, let found)?:
            return fr ? "événements \(expected) à \(found - 1) manquants" : "events \(expected) to \(found - 1) missing"
        case .altered(let sequence)?:
            return fr ? "événement \(sequence) modifié" : "event \(sequence) altered"
        case .epochWentBack(let sequence)?:
            return fr ? "événement \(sequence) : période de scellement qui recule" : "event \(sequence): sealing period goes back"
        case .badSeal(let sequence)?:
            return fr ? "événement \(sequence) : sceau faux" : "event \(sequence): bad seal"
        }
    }
}

extension FleetJournals {
    /// The events of the period, and the check of every journal of the kiosks they may come from.
    public func export(_ filter: JournalFilter, keys: [VerificationKey] = [], by actor: Actor) async throws(FleetError) -> FleetExport {
        let listing = try await listing(filter)
        let checks = try await store.verify(keys: keys).filter { kiosk == nil || $0.kiosk == kiosk }
        return FleetExport(filter: filter, kiosk: kiosk, listing: listing, checks: checks, createdAt: JournalClock.now(), actor: actor)
    }
}
