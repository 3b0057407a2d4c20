import ArdoiseCore

/// Text for an HTML page: every value that comes from a journal (an account, a session, a detail) is first made safe to
/// show as `ardoise journal list` does (control and bidi characters escaped, cut), then escaped for HTML.
enum HTML {
    static func text(_ value: some StringProtocol, limit: Int = DisplayText.limit) -> String {
        DisplayText.markup(DisplayText.escaped(value, limit: limit))
    }
}

/// The console's pages: one layout, French or English.
struct ConsolePage {
    var language: Language
    var staff: String?
    var title: String
    var body: String
    /// A fleet's console has a page of its kiosks.
    var fleet = false

    var fr: Bool { language == .french }

    var html: String {
        var header = "<header><strong>ardoise</strong> · " + HTML.text(title)
        if let staff {
            header += """
                <nav><a href="/events">\(fr ? "Événements" : "Events")</a> <a href="/stats">\(fr ? "Chiffres" : "Figures")</a>\(fleet ? " <a href=\"/kiosks\">" + (fr ? "Bornes" : "Kiosks") + "</a>" : "") <a href="/integrity">\(fr ? "Intégrité" : "Integrity")</a></nav>\
                <form method="post" action="/sign-out" class="out"><span>\(HTML.text(staff))</span> \
                <button type="submit">\(fr ? "Se déconnecter" : "Sign out")</button></form>
                """
        }
        header += "</header>"
        return """
            <!DOCTYPE html>
            <html lang="\(language.rawValue)"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">\
            <title>\(HTML.text(title)) · ardoise</title><link rel="stylesheet" href="/style.css"></head>
            <body>\(header)<main>\(body)</main></body></html>

            """
    }

    static let style = """
        body{font-family:sans-serif;margin:0;color:#1b1b1b}header{background:#23395d;color:#fff;padding:.6em 1em;display:flex;gap:1.5em;align-items:center;flex-wrap:wrap}
        header a{color:#fff;margin-right:1em}header form.out{margin-left:auto}main{padding:1em}table{border-collapse:collapse;font-size:.9em}
        th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#eef}p.error{color:#a00;font-weight:bold}p.clear{color:#060;font-weight:bold}
        form.filter label{margin-right:1em}input,select,button{font-size:1em}.note{color:#555}

        """
}

extension Language {
    /// The browser's preferred language among French and English (`Accept-Language`); French when it names neither.
    static func fromAcceptLanguage(_ header: String?) -> Language {
        var best: (language: Language, quality: Double)?
        for item in (header ?? "").split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimming(.whitespaces) }
            guard let tag = parts.first?.lowercased() else { continue }
            let language: Language
            if tag.hasPrefix("fr") { language = .french } else if tag.hasPrefix("en") { language = .english } else { continue }
            let quality = parts.dropFirst().compactMap { $0.hasPrefix("q=") ? Double($0.dropFirst(2)) : nil }.first ?? 1
            if quality > (best?.quality ?? 0) { best = (language, quality) }
        }
        return best?.language ?? .french
    }
}
