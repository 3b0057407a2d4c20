import ArdoiseCore
import FoundationEssentials
import Hummingbird
import Logging

/// `/events` (filtered, the most recent first), `/events.csv` (all of them, as `ardoise journal list --format csv`),
/// `/stats` (the figures per day, week or month).
struct JournalController {
    let console: ConsoleApplication

    func addRoutes(to group: RouterGroup<ConsoleRequestContext>) {
        group.get("events") { request, context in try await events(request, context, csv: false) }
        group.get("events.csv") { request, context in try await events(request, context, csv: true) }
        group.get("stats") { request, context in try await statistics(request, context) }
        group.get("kiosks") { request, context in try await kiosks(request, context) }
        group.get("integrity") { request, context in try await integrity(request, context) }
    }

    func integrity(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        let language = context.language, fr = language == .french
        let staff = context.staff ?? "?"
        let report: IntegrityReport
        do { report = try await console.store.integrity(language) } catch {
            console.logger.error("console: the journal cannot be checked: \(error)")
            throw HTTPError(.serviceUnavailable, message: fr ? "Le journal ne peut pas être vérifié pour l'instant." : "The journal cannot be checked just now.")
        }
        console.logger.notice("console: \(staff) checked the journal's integrity: \(report.clear ? "clear" : "NOT clear")")
        var body = report.clear
            ? "<p class=\"clear\">\(fr ? "Rien n'a été modifié ni perdu dans ce qui a été vérifié." : "Nothing was changed or lost in what was checked.")</p>"
            : "<p class=\"error\">\(fr ? "Le journal a été modifié, abîmé ou a perdu des événements : voir ci-dessous, et le signaler." : "The journal was changed, damaged or lost events: see below, and report it.")</p>"
        body += "<ul>" + report.lines.map { "<li>\(HTML.text($0, limit: 2000))</li>" }.joined() + "</ul>"
        return ConsolePage.response(page: ConsolePage(language: language, staff: staff, title: fr ? "Intégrité du journal" : "Journal integrity",
                                                      body: body, fleet: isFleet))
    }

    /// A kiosk that has sent nothing for this long is shown as silent: its timer, its network or the kiosk itself needs a look.
    static let silentAfter: Int64 = 2 * JournalClock.microsecondsPerDay

    func kiosks(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        let language = context.language, fr = language == .french
        let staff = context.staff ?? "?"
        guard let list = console.store.kiosks else { throw HTTPError(.notFound) }
        let kiosks: [KioskSummary]
        do { kiosks = try await list() } catch {
            console.logger.error("console: the store cannot be read: \(error)")
            throw HTTPError(.serviceUnavailable, message: fr ? "La base ne peut pas être lue pour l'instant." : "The store cannot be read just now.")
        }
        console.logger.notice("console: \(staff) read the kiosks' state")
        let now = JournalClock.now()
        let headers = fr ? ["Borne", "Événements dans la base", "Dernier envoi", "Dernier événement", "État"]
                         : ["Kiosk", "Events in the store", "Last upload", "Last event", "State"]
        var body = "<table><tr>" + headers.map { "<th>\($0)</th>" }.joined() + "</tr>"
        for kiosk in kiosks {
            let silent = kiosk.lastReceived.map { now - $0 > Self.silentAfter } ?? true
            let state = silent ? (fr ? "<strong>silencieuse</strong> : rien reçu depuis plus de 2 jours" : "<strong>silent</strong>: nothing received for over 2 days")
                               : (fr ? "envoie" : "sending")
            let link = "/events?kiosk=" + FormEncoding.encoded(kiosk.name)
            body += "<tr><td><a href=\"\(HTML.text(link))\">\(HTML.text(kiosk.name))</a></td><td>\(kiosk.events)</td>"
                + "<td>\(kiosk.lastReceived.map(TimeArgument.local) ?? (fr ? "jamais" : "never"))</td>"
                + "<td>\(kiosk.lastEvent.map(TimeArgument.local) ?? "–")</td><td>\(state)</td></tr>"
        }
        body += "</table>"
        if kiosks.isEmpty { body = "<p>\(fr ? "Aucune borne inscrite (ardoise-fleet enroll)." : "No kiosk enrolled (ardoise-fleet enroll).")</p>" }
        return ConsolePage.response(page: ConsolePage(language: language, staff: staff, title: fr ? "Bornes de la flotte" : "The fleet's kiosks", body: body, fleet: true))
    }

    struct Query {
        var since = "", until = "", kiosk = "", user = "", event = ""
        var filter = JournalFilter()
        var problem: String?

        init(_ request: Request, _ language: Language) {
            let parameters = request.uri.queryParameters
            func value(_ key: String) -> String { parameters.get(key).map { String($0.prefix(200)) } ?? "" }
            since = value("since")
            until = value("until")
            kiosk = value("kiosk")
            user = value("user")
            event = value("event")
            do {
                filter.since = since.isEmpty ? nil : try TimeArgument.parse(since)
                filter.until = until.isEmpty ? nil : try TimeArgument.parse(until)
            } catch {
                problem = error.message(language)
            }
            filter.user = user.isEmpty ? nil : user
            if !event.isEmpty {
                if let kind = EventKind(rawValue: event) { filter.kinds = [kind] } else { problem = (language == .french ? "Type d'événement inconnu : " : "Unknown event kind: ") + event }
            }
        }

        var queryString: String {
            let fields: [(String, String)] = [("since", since), ("until", until), ("kiosk", kiosk), ("user", user), ("event", event)]
            return fields.filter { !$0.1.isEmpty }.map { "\($0.0)=\(FormEncoding.encoded($0.1))" }.joined(separator: "&")
        }
    }

    var isFleet: Bool { console.store.kiosks != nil }

    func store(for query: Query) -> any JournalStore {
        guard !query.kiosk.isEmpty, let kiosk = console.store.kiosk else { return console.store.all }
        return kiosk(query.kiosk)
    }

    func events(_ request: Request, _ context: ConsoleRequestContext, csv: Bool) async throws -> Response {
        let language = context.language, fr = language == .french
        let query = Query(request, language)
        let staff = context.staff ?? "?"
        if let problem = query.problem {
            return ConsolePage.response(status: .badRequest, page: page(language, staff, query, body: "<p class=\"error\">\(HTML.text(problem))</p>"))
        }
        let events: [StoredEvent]
        do { events = try await store(for: query).storedEvents(query.filter) } catch {
            console.logger.error("console: the journal cannot be read: \(error)")
            let message = fr ? "Le journal ne peut pas être lu pour l'instant ; le journal du service en dit plus."
                             : "The journal cannot be read just now; the service's log says more."
            return ConsolePage.response(status: .serviceUnavailable, page: page(language, staff, query, body: "<p class=\"error\">\(message)</p>"))
        }
        // Who looked at what: the service's own log (systemd's journal), the filters and the count, never the events.
        console.logger.notice("console: \(staff) \(csv ? "exported" : "listed") \(events.count) events (\(query.queryString))")
        if csv {
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"journal.csv\""],
                            body: .init(byteBuffer: ByteBuffer(string: events.rendered(.csv, language: language))))
        }
        let shown = events.suffix(console.pageRows).reversed()
        let fleet = console.store.kiosk != nil
        var body = "<p>" + (fr ? "\(events.count) événement(s)" : "\(events.count) event(s)")
        if events.count > shown.count { body += fr ? ", les \(shown.count) plus récents affichés (précisez les dates, ou le CSV les a tous)" : ", the \(shown.count) most recent shown (narrow the dates, or the CSV has them all)" }
        body += ". <a href=\"/events.csv?\(HTML.text(query.queryString))\">CSV</a></p>"
        if !events.isEmpty {
            let headers = (fleet ? [fr ? "Borne" : "Kiosk"] : []) + [fr ? "Date et heure" : "Date and time", fr ? "Événement" : "Event", fr ? "Compte" : "Account",
                                                                     fr ? "Poste" : "Seat", "Session", fr ? "Résultat" : "Outcome", fr ? "Détail" : "Detail"]
            body += "<table><tr>" + headers.map { "<th>\(HTML.text($0))</th>" }.joined() + "</tr>"
            for stored in shown {
                let event = stored.event
                let cells = (fleet ? [stored.kiosk ?? ""] : []) + [TimeArgument.local(event.time), event.kind.label(language), event.user ?? "", event.seat ?? "",
                                                                 event.session ?? "", event.outcome ?? "", event.detailSummary]
                body += "<tr>" + cells.map { "<td>\(HTML.text($0))</td>" }.joined() + "</tr>"
            }
            body += "</table>"
        }
        return ConsolePage.response(page: page(language, staff, query, body: body))
    }

    func page(_ language: Language, _ staff: String, _ query: Query, body: String) -> ConsolePage {
        let fr = language == .french
        var form = "<form class=\"filter\" method=\"get\" action=\"/events\">"
        form += "<label>\(fr ? "Depuis" : "Since") <input name=\"since\" value=\"\(HTML.text(query.since))\" placeholder=\"7d, 2026-11-01\"></label>"
        form += "<label>\(fr ? "Jusqu'à" : "Until") <input name=\"until\" value=\"\(HTML.text(query.until))\"></label>"
        if console.store.kiosk != nil { form += "<label>\(fr ? "Borne" : "Kiosk") <input name=\"kiosk\" value=\"\(HTML.text(query.kiosk))\"></label>" }
        form += "<label>\(fr ? "Compte" : "Account") <input name=\"user\" value=\"\(HTML.text(query.user))\"></label>"
        form += "<label>\(fr ? "Événement" : "Event") <select name=\"event\"><option value=\"\">\(fr ? "tous" : "all")</option>"
        for kind in EventKind.allCases {
            form += "<option value=\"\(kind.rawValue)\"\(kind.rawValue == query.event ? " selected" : "")>\(HTML.text(kind.label(language)))</option>"
        }
        form += "</select></label> <button type=\"submit\">\(fr ? "Afficher" : "Show")</button></form>"
        return ConsolePage(language: language, staff: staff, title: fr ? "Journal des accès" : "Access journal", body: form + body, fleet: isFleet)
    }

    func statistics(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        let language = context.language, fr = language == .french
        let staff = context.staff ?? "?"
        let query = Query(request, language)
        let period = request.uri.queryParameters.get("by").flatMap { StatisticsPeriod(rawValue: String($0)) } ?? .day
        var form = "<form class=\"filter\" method=\"get\" action=\"/stats\"><label>\(fr ? "Par" : "By") <select name=\"by\">"
        for option in StatisticsPeriod.allCases {
            let label = fr ? ["hour": "heure", "day": "jour", "week": "semaine", "month": "mois"][option.rawValue]! : option.rawValue
            form += "<option value=\"\(option.rawValue)\"\(option == period ? " selected" : "")>\(label)</option>"
        }
        form += "</select></label><label>\(fr ? "Depuis" : "Since") <input name=\"since\" value=\"\(HTML.text(query.since))\" placeholder=\"30d\"></label>"
        form += "<label>\(fr ? "Jusqu'à" : "Until") <input name=\"until\" value=\"\(HTML.text(query.until))\"></label>"
        if console.store.kiosk != nil { form += "<label>\(fr ? "Borne" : "Kiosk") <input name=\"kiosk\" value=\"\(HTML.text(query.kiosk))\"></label>" }
        form += " <button type=\"submit\">\(fr ? "Afficher" : "Show")</button></form>"
        let title = fr ? "Chiffres d'activité" : "Activity figures"
        if let problem = query.problem {
            return ConsolePage.response(status: .badRequest, page: ConsolePage(language: language, staff: staff, title: title, body: form + "<p class=\"error\">\(HTML.text(problem))</p>", fleet: isFleet))
        }
        let figures: [PeriodStatistics]
        do { figures = try await store(for: query).statistics(by: period, since: query.filter.since, until: query.filter.until, language: language) } catch {
            console.logger.error("console: the journal cannot be read: \(error)")
            throw HTTPError(.serviceUnavailable, message: fr ? "Le journal ne peut pas être lu pour l'instant." : "The journal cannot be read just now.")
        }
        console.logger.notice("console: \(staff) read the figures by \(period.rawValue) (\(query.queryString))")
        let headers = fr ? ["Période", "Sessions", "Personnes (comptes)", "Durée médiane", "Effacements", "dont en échec", "Sessions oubliées (inactivité, écran verrouillé)"]
                         : ["Period", "Sessions", "People (accounts)", "Median length", "Wipes", "of which failed", "Forgotten sessions (idle, locked screen)"]
        var body = "<table><tr>" + headers.map { "<th>\($0)</th>" }.joined() + "</tr>"
        for row in figures {
            let median = row.medianSessionSeconds.map { String(cFormat: "%.0f min", $0 / 60) } ?? "–"
            body += "<tr><td>\(HTML.text(row.label))</td><td>\(row.sessions)</td><td>\(row.users)</td><td>\(median)</td><td>\(row.wipes)</td><td>\(row.wipesFailed)</td><td>\(row.forgotten)</td></tr>"
        }
        body += "</table>"
        if figures.isEmpty { body = "<p>\(fr ? "Rien sur cette période." : "Nothing in this period.")</p>" }
        return ConsolePage.response(page: ConsolePage(language: language, staff: staff, title: title, body: form + body, fleet: isFleet))
    }
}
