/// The languages of what the person at the computer reads (the notice, the warnings, the countdown), chosen from the
/// session's locale; French when unknown. The EPN public includes people whose French is weak: besides French and
/// English, the languages most spoken by the people these places welcome. (Commands for administrators: `Language`.)
public enum PublicLanguage: String, Sendable, CaseIterable, Codable {
    case french = "fr"
    case english = "en"
    case arabic = "ar"
    case spanish = "es"
    case portuguese = "pt"
    case romanian = "ro"
    case turkish = "tr"
    case ukrainian = "uk"

    /// From a locale such as `ar_MA.UTF-8`; French when unknown, unset, `C` or `POSIX`.
    public init(locale: String?) {
        self = PublicLanguage(rawValue: String((locale ?? "").lowercased().prefix(2))) ?? .french
    }

    /// The session's language from `LC_ALL`, `LC_MESSAGES`, then `LANG`.
    public static func fromEnvironment(_ environment: [String: String]) -> PublicLanguage {
        PublicLanguage(locale: Language.messagesLocale(environment))
    }

    /// The language the service answers in (its messages are in French or English).
    public var language: Language { self == .french ? .french : .english }
}

/// Every sentence the person at the computer reads, per language. Written in the style of "facile à lire et à comprendre":
/// one idea per sentence, everyday words, the person addressed directly, no jargon.
struct PublicTexts: Sendable {
    var title: String
    var acknowledge: String
    var decline: String
    /// What the person may type to decline on a text session.
    var declineWords: [String]
    var recorded: String
    var network: String
    var kept: @Sendable (String) -> String
    var readers: String
    var mirrored: String
    var erased: String
    var adviceTitle: String
    var advice: [String]
    var contact: String
    var pressEnter: @Sendable (String) -> String
    var passwordSaved: (String, String)
    var downloaded: @Sendable (Int) -> (String, String)
    var idleCountdown: @Sendable (Int) -> (String, String)
    var timeLimitSoon: @Sendable (Int) -> (String, String)
    var timeLimitCountdown: @Sendable (Int) -> (String, String)
    var staffCountdown: @Sendable (Int) -> (String, String)
    var continues: (String, String)
    var ending: (String, String)
    var duration: @Sendable (_ years: Int?, _ months: Int?, _ days: Int) -> String

    static func of(_ language: PublicLanguage) -> PublicTexts {
        switch language {
        case .french: french
        case .english: english
        case .arabic: arabic
        case .spanish: spanish
        case .portuguese: portuguese
        case .romanian: romanian
        case .turkish: turkish
        case .ukrainian: ukrainian
        }
    }

    /// Singular or plural, as in French, English, Spanish, Portuguese.
    static func plural(_ count: Int, _ one: String, _ many: String) -> String { "\(count) \(count == 1 ? one : many)" }

    /// Romanian: 1 oră, 2–19 ore, 20 de ore (and every number whose last two digits are 00 or 20–99).
    static func romanian(_ count: Int, _ one: String, _ few: String) -> String {
        if count == 1 { return "1 \(one)" }
        let rest = count % 100
        return rest >= 1 && rest <= 19 ? "\(count) \(few)" : "\(count) de \(few)"
    }

    /// Ukrainian: 1 (21, 31…) хвилина, 2–4 (22–24…) хвилини, 5–20 (and 11–14) хвилин.
    static func ukrainian(_ count: Int, _ one: String, _ few: String, _ many: String) -> String {
        let last = count % 10, lastTwo = count % 100
        if last == 1 && lastTwo != 11 { return "\(count) \(one)" }
        if (2...4).contains(last) && !(12...14).contains(lastTwo) { return "\(count) \(few)" }
        return "\(count) \(many)"
    }

    /// Arabic, after a preposition: واحدة (1), the dual (2), the plural (3–10), the singular (11 and more; 11–99 in the accusative).
    static func arabic(_ count: Int, one: String, two: String, plural: String, tamyiz: String, hundred: String) -> String {
        switch count {
        case 1: one
        case 2: two
        case 3...10: "\(count) \(plural)"
        case 11...99: "\(count) \(tamyiz)"
        default: "\(count) \(hundred)"
        }
    }

    static let french = PublicTexts(
        title: "Information : ce poste est public", acknowledge: "J'ai compris", decline: "Je refuse", declineWords: ["non", "no", "n"],
        recorded: "Pour la sécurité, ce poste note le nom du compte, le poste, l'heure de connexion et l'heure de déconnexion.",
        network: "Le réseau peut aussi noter les sites visités.",
        kept: { "Ces informations restent \($0). Ensuite, elles sont effacées." },
        readers: "Seuls les responsables de ce lieu peuvent les lire. La justice aussi, si la loi le demande.",
        mirrored: "L'animatrice ou l'animateur peut voir votre écran, pour vous aider.",
        erased: "Quand vous fermez la session, le poste efface tout : l'historique, les cookies, les mots de passe, les fichiers téléchargés, les documents.",
        adviceTitle: "Trois conseils :",
        advice: ["Avant de partir, déconnectez-vous de vos comptes (CAF, impôts, messagerie...).",
                 "Le navigateur propose d'enregistrer un mot de passe ? Répondez « Jamais ».",
                 "Emportez vos fichiers : sur votre clé USB, ou envoyez-les-vous par courriel."],
        contact: "Contact : ",
        pressEnter: { "Appuyez sur Entrée pour « \($0) », ou tapez « non » pour refuser : " },
        passwordSaved: ("Un mot de passe a été enregistré", "Ce poste public vient d'enregistrer un mot de passe. Il sera effacé quand vous fermerez la session. La prochaine fois, répondez « Jamais » quand le navigateur propose de l'enregistrer."),
        downloaded: { count in (count > 1 ? "\(count) fichiers téléchargés" : "Fichier téléchargé", "Les fichiers téléchargés seront effacés quand vous fermerez la session. Enregistrez-les sur votre clé USB ou envoyez-les-vous par courriel.") },
        idleCountdown: { ("Vous êtes toujours là ?", "Sans action de votre part, la session se fermera dans \(plural($0, "seconde", "secondes")). Tout ce qu'elle contient sera effacé. Touchez la souris ou le clavier pour continuer. Pensez à reprendre votre clé USB et vos impressions.") },
        timeLimitSoon: { ("Plus que \(plural($0, "minute", "minutes"))", "La session se fermera dans \(plural($0, "minute", "minutes")). Tout ce qu'elle contient sera effacé. Enregistrez vos documents maintenant. Pensez à reprendre votre clé USB et vos impressions.") },
        timeLimitCountdown: { ("Le temps est écoulé", "La session se fermera dans \(plural($0, "seconde", "secondes")). Tout ce qu'elle contient sera effacé. Pensez à reprendre votre clé USB et vos impressions.") },
        staffCountdown: { ("La session va se fermer", "Un membre de l'équipe ferme cette session. Elle se fermera dans \(plural($0, "seconde", "secondes")). Tout ce qu'elle contient sera effacé. Pensez à reprendre votre clé USB et vos impressions.") },
        continues: ("La session continue", "Merci. Vous pouvez continuer."),
        ending: ("La session se ferme", "La session se ferme maintenant. Tout ce qu'elle contient va être effacé."),
        duration: { years, months, days in
            if let years { return "\(years) an\(years > 1 ? "s" : "")" }
            if let months { return "\(months) mois" }
            return plural(days, "jour", "jours")
        })

    static let english = PublicTexts(
        title: "Please read: this is a public computer", acknowledge: "I understand", decline: "I decline", declineWords: ["no", "n", "non"],
        recorded: "For security, this computer notes the account name, the computer, and when the session starts and ends.",
        network: "The network may also note the websites you visit.",
        kept: { "This information is kept \($0). Then it is erased." },
        readers: "Only the people in charge of this place may read it. The courts too, if the law requires it.",
        mirrored: "The staff member who is here to help you can see your screen.",
        erased: "When you close the session, the computer erases everything: history, cookies, passwords, downloaded files, documents.",
        adviceTitle: "Three pieces of advice:",
        advice: ["Before you leave, log out of your accounts (benefits, taxes, email...).",
                 "The browser offers to save a password? Answer \"Never\".",
                 "Take your files with you: on your USB key, or email them to yourself."],
        contact: "Contact: ",
        pressEnter: { "Press Enter for \"\($0)\", or type \"no\" to decline: " },
        passwordSaved: ("A password was saved", "This public computer has just saved a password. It will be erased when you close the session. Next time, answer \"Never\" when the browser offers to save it."),
        downloaded: { count in (count > 1 ? "\(count) files downloaded" : "File downloaded", "Downloaded files will be erased when you close the session. Save them on your USB key or email them to yourself.") },
        idleCountdown: { ("Are you still there?", "If you do nothing, the session will close in \(plural($0, "second", "seconds")). Everything in it will be erased. Touch the mouse or the keyboard to go on. Remember to take your USB key and your printed pages.") },
        timeLimitSoon: { ("\(plural($0, "minute", "minutes")) left", "The session will close in \(plural($0, "minute", "minutes")). Everything in it will be erased. Save your documents now. Remember to take your USB key and your printed pages.") },
        timeLimitCountdown: { ("Time is up", "The session will close in \(plural($0, "second", "seconds")). Everything in it will be erased. Remember to take your USB key and your printed pages.") },
        staffCountdown: { ("The session is closing", "A member of staff is closing this session. It will close in \(plural($0, "second", "seconds")). Everything in it will be erased. Remember to take your USB key and your printed pages.") },
        continues: ("The session goes on", "Thank you. You can go on."),
        ending: ("The session is closing", "The session is closing now. Everything in it will be erased."),
        duration: { years, months, days in
            if let years { return plural(years, "year", "years") }
            if let months { return plural(months, "month", "months") }
            return plural(days, "day", "days")
        })

    static let spanish = PublicTexts(
        title: "Información: este ordenador es público", acknowledge: "Entendido", decline: "No acepto", declineWords: ["no", "n"],
        recorded: "Por seguridad, este ordenador anota el nombre de la cuenta, el ordenador y la hora de inicio y de fin de la sesión.",
        network: "La red también puede anotar los sitios web que usted visita.",
        kept: { "Esta información se guarda \($0). Después, el ordenador la borra." },
        readers: "Solo los responsables de este lugar pueden leerla. También la justicia, si la ley lo pide.",
        mirrored: "La persona que le ayuda puede ver su pantalla.",
        erased: "Cuando usted cierra la sesión, el ordenador lo borra todo: el historial, las cookies, las contraseñas, los archivos descargados, los documentos.",
        adviceTitle: "Tres consejos:",
        advice: ["Antes de irse, cierre la sesión de sus cuentas (ayudas sociales, impuestos, correo...).",
                 "¿El navegador propone guardar una contraseña? Responda «Nunca».",
                 "Llévese sus archivos: en su memoria USB, o envíeselos por correo."],
        contact: "Contacto: ",
        pressEnter: { "Pulse Intro para «\($0)», o escriba «no» para rechazar: " },
        passwordSaved: ("Se ha guardado una contraseña", "Este ordenador público acaba de guardar una contraseña. Se borrará cuando usted cierre la sesión. La próxima vez, responda «Nunca» cuando el navegador proponga guardarla."),
        downloaded: { count in (count > 1 ? "\(count) archivos descargados" : "Archivo descargado", "Los archivos descargados se borrarán cuando usted cierre la sesión. Guárdelos en su memoria USB o envíeselos por correo.") },
        idleCountdown: { ("¿Sigue ahí?", "Si no hace nada, la sesión se cerrará dentro de \(plural($0, "segundo", "segundos")). Todo lo que contiene se borrará. Toque el ratón o el teclado para continuar. No olvide su memoria USB ni sus impresiones.") },
        timeLimitSoon: { ("Queda\($0 == 1 ? "" : "n") \(plural($0, "minuto", "minutos"))", "La sesión se cerrará dentro de \(plural($0, "minuto", "minutos")). Todo lo que contiene se borrará. Guarde sus documentos ahora. No olvide su memoria USB ni sus impresiones.") },
        timeLimitCountdown: { ("Se acabó el tiempo", "La sesión se cerrará dentro de \(plural($0, "segundo", "segundos")). Todo lo que contiene se borrará. No olvide su memoria USB ni sus impresiones.") },
        staffCountdown: { ("La sesión se va a cerrar", "Una persona del equipo cierra esta sesión. Se cerrará dentro de \(plural($0, "segundo", "segundos")). Todo lo que contiene se borrará. No olvide su memoria USB ni sus impresiones.") },
        continues: ("La sesión continúa", "Gracias. Puede continuar."),
        ending: ("La sesión se cierra", "La sesión se cierra ahora. Todo lo que contiene se va a borrar."),
        duration: { years, months, days in
            if let years { return plural(years, "año", "años") }
            if let months { return plural(months, "mes", "meses") }
            return plural(days, "día", "días")
        })

    static let portuguese = PublicTexts(
        title: "Informação: este computador é público", acknowledge: "Compreendi", decline: "Recuso", declineWords: ["não", "nao", "n", "no"],
        recorded: "Por segurança, este computador anota o nome da conta, o computador e a hora de início e de fim da sessão.",
        network: "A rede também pode anotar os sites que visita.",
        kept: { "Estas informações ficam guardadas \($0). Depois, o computador apaga-as." },
        readers: "Só os responsáveis deste local as podem ler. A justiça também, se a lei o pedir.",
        mirrored: "A pessoa que o ajuda pode ver o seu ecrã.",
        erased: "Quando fecha a sessão, o computador apaga tudo: o histórico, os cookies, as palavras-passe, os ficheiros descarregados, os documentos.",
        adviceTitle: "Três conselhos:",
        advice: ["Antes de sair, termine a sessão nas suas contas (apoios sociais, impostos, e-mail...).",
                 "O navegador propõe guardar uma palavra-passe? Responda «Nunca».",
                 "Leve os seus ficheiros: na sua pen USB, ou envie-os para o seu e-mail."],
        contact: "Contacto: ",
        pressEnter: { "Carregue em Enter para «\($0)», ou escreva «não» para recusar: " },
        passwordSaved: ("Foi guardada uma palavra-passe", "Este computador público acabou de guardar uma palavra-passe. Vai ser apagada quando fechar a sessão. Da próxima vez, responda «Nunca» quando o navegador propuser guardá-la."),
        downloaded: { count in (count > 1 ? "\(count) ficheiros descarregados" : "Ficheiro descarregado", "Os ficheiros descarregados vão ser apagados quando fechar a sessão. Guarde-os na sua pen USB ou envie-os para o seu e-mail.") },
        idleCountdown: { ("Ainda está aí?", "Se não fizer nada, a sessão vai fechar dentro de \(plural($0, "segundo", "segundos")). Tudo o que contém vai ser apagado. Toque no rato ou no teclado para continuar. Não se esqueça da sua pen USB e das suas impressões.") },
        timeLimitSoon: { ("Falta\($0 == 1 ? "" : "m") \(plural($0, "minuto", "minutos"))", "A sessão vai fechar dentro de \(plural($0, "minuto", "minutos")). Tudo o que contém vai ser apagado. Guarde os seus documentos agora. Não se esqueça da sua pen USB e das suas impressões.") },
        timeLimitCountdown: { ("O tempo acabou", "A sessão vai fechar dentro de \(plural($0, "segundo", "segundos")). Tudo o que contém vai ser apagado. Não se esqueça da sua pen USB e das suas impressões.") },
        staffCountdown: { ("A sessão vai fechar", "Uma pessoa da equipa fecha esta sessão. Vai fechar dentro de \(plural($0, "segundo", "segundos")). Tudo o que contém vai ser apagado. Não se esqueça da sua pen USB e das suas impressões.") },
        continues: ("A sessão continua", "Obrigado. Pode continuar."),
        ending: ("A sessão vai fechar", "A sessão fecha agora. Tudo o que contém vai ser apagado."),
        duration: { years, months, days in
            if let years { return plural(years, "ano", "anos") }
            if let months { return plural(months, "mês", "meses") }
            return plural(days, "dia", "dias")
        })

    static let romanian = PublicTexts(
        title: "Informare: acest calculator este public", acknowledge: "Am înțeles", decline: "Refuz", declineWords: ["nu", "n", "no"],
        recorded: "Pentru siguranță, acest calculator notează numele contului, calculatorul și ora de început și de sfârșit a sesiunii.",
        network: "Rețeaua poate nota și site-urile pe care le vizitați.",
        kept: { "Aceste informații se păstrează \($0). Apoi, calculatorul le șterge." },
        readers: "Doar responsabilii acestui loc le pot citi. Și justiția, dacă legea o cere.",
        mirrored: "Persoana care vă ajută vă poate vedea ecranul.",
        erased: "Când închideți sesiunea, calculatorul șterge tot: istoricul, cookie-urile, parolele, fișierele descărcate, documentele.",
        adviceTitle: "Trei sfaturi:",
        advice: ["Înainte să plecați, ieșiți din conturile dumneavoastră (ajutoare sociale, impozite, e-mail...).",
                 "Browserul propune să salveze o parolă? Răspundeți „Niciodată”.",
                 "Luați-vă fișierele: pe stickul USB, sau trimiteți-le pe e-mail."],
        contact: "Contact: ",
        pressEnter: { "Apăsați Enter pentru „\($0)”, sau scrieți „nu” ca să refuzați: " },
        passwordSaved: ("O parolă a fost salvată", "Acest calculator public tocmai a salvat o parolă. Ea va fi ștearsă când închideți sesiunea. Data viitoare, răspundeți „Niciodată” când browserul propune să o salveze."),
        downloaded: { count in (count > 1 ? "\(romanian(count, "fișier", "fișiere")) descărcate" : "Fișier descărcat", "Fișierele descărcate vor fi șterse când închideți sesiunea. Salvați-le pe stickul USB sau trimiteți-le pe e-mail.") },
        idleCountdown: { ("Mai sunteți aici?", "Dacă nu faceți nimic, sesiunea se va închide în \(romanian($0, "secundă", "secunde")). Tot ce conține va fi șters. Atingeți mouse-ul sau tastatura ca să continuați. Nu uitați stickul USB și foile tipărite.") },
        timeLimitSoon: { ("Mai aveți \(romanian($0, "minut", "minute"))", "Sesiunea se va închide în \(romanian($0, "minut", "minute")). Tot ce conține va fi șters. Salvați-vă documentele acum. Nu uitați stickul USB și foile tipărite.") },
        timeLimitCountdown: { ("Timpul s-a terminat", "Sesiunea se va închide în \(romanian($0, "secundă", "secunde")). Tot ce conține va fi șters. Nu uitați stickul USB și foile tipărite.") },
        staffCountdown: { ("Sesiunea se va închide", "O persoană din echipă închide această sesiune. Ea se va închide în \(romanian($0, "secundă", "secunde")). Tot ce conține va fi șters. Nu uitați stickul USB și foile tipărite.") },
        continues: ("Sesiunea continuă", "Mulțumim. Puteți continua."),
        ending: ("Sesiunea se închide", "Sesiunea se închide acum. Tot ce conține va fi șters."),
        duration: { years, months, days in
            if let years { return years == 1 ? "1 an" : romanian(years, "an", "ani") }
            if let months { return romanian(months, "lună", "luni") }
            return romanian(days, "zi", "zile")
        })

    static let turkish = PublicTexts(
        title: "Bilgi: bu bilgisayar herkese açıktır", acknowledge: "Anladım", decline: "Kabul etmiyorum", declineWords: ["hayır", "hayir", "h", "no"],
        recorded: "Güvenlik için bu bilgisayar hesap adını, bilgisayarı, oturumun başlama ve bitiş saatini kaydeder.",
        network: "Ağ, ziyaret ettiğiniz siteleri de kaydedebilir.",
        kept: { "Bu bilgiler \($0) saklanır. Sonra bilgisayar onları siler." },
        readers: "Bu bilgileri yalnızca bu yerin sorumluları okuyabilir. Yasa isterse, adalet de okuyabilir.",
        mirrored: "Size yardım eden kişi ekranınızı görebilir.",
        erased: "Oturumu kapattığınızda bilgisayar her şeyi siler: geçmişi, çerezleri, parolaları, indirilen dosyaları, belgeleri.",
        adviceTitle: "Üç öneri:",
        advice: ["Ayrılmadan önce hesaplarınızdan çıkış yapın (sosyal yardım, vergi, e-posta...).",
                 "Tarayıcı bir parolayı kaydetmeyi mi öneriyor? «Asla» deyin.",
                 "Dosyalarınızı yanınıza alın: USB belleğinize kaydedin ya da kendinize e-postayla gönderin."],
        contact: "İletişim: ",
        pressEnter: { "«\($0)» için Enter tuşuna basın, reddetmek için «hayır» yazın: " },
        passwordSaved: ("Bir parola kaydedildi", "Bu ortak bilgisayar az önce bir parola kaydetti. Parola, oturumu kapattığınızda silinecek. Bir dahaki sefere, tarayıcı kaydetmeyi önerdiğinde «Asla» deyin."),
        downloaded: { count in (count > 1 ? "\(count) dosya indirildi" : "Dosya indirildi", "İndirilen dosyalar, oturumu kapattığınızda silinecek. Onları USB belleğinize kaydedin ya da kendinize e-postayla gönderin.") },
        idleCountdown: { ("Hâlâ orada mısınız?", "Hiçbir şey yapmazsanız oturum \($0) saniye içinde kapanacak. İçindeki her şey silinecek. Devam etmek için fareye ya da klavyeye dokunun. USB belleğinizi ve çıktılarınızı almayı unutmayın.") },
        timeLimitSoon: { ("\($0) dakika kaldı", "Oturum \($0) dakika içinde kapanacak. İçindeki her şey silinecek. Belgelerinizi şimdi kaydedin. USB belleğinizi ve çıktılarınızı almayı unutmayın.") },
        timeLimitCountdown: { ("Süre doldu", "Oturum \($0) saniye içinde kapanacak. İçindeki her şey silinecek. USB belleğinizi ve çıktılarınızı almayı unutmayın.") },
        staffCountdown: { ("Oturum kapanacak", "Bir görevli bu oturumu kapatıyor. Oturum \($0) saniye içinde kapanacak. İçindeki her şey silinecek. USB belleğinizi ve çıktılarınızı almayı unutmayın.") },
        continues: ("Oturum devam ediyor", "Teşekkürler. Devam edebilirsiniz."),
        ending: ("Oturum kapanıyor", "Oturum şimdi kapanıyor. İçindeki her şey silinecek."),
        duration: { years, months, days in
            if let years { return "\(years) yıl" }
            if let months { return "\(months) ay" }
            return "\(days) gün"
        })

    static let ukrainian = PublicTexts(
        title: "Інформація: цей комп'ютер загальнодоступний", acknowledge: "Зрозуміло", decline: "Відмовляюся", declineWords: ["ні", "ni", "н", "no"],
        recorded: "Для безпеки цей комп'ютер записує назву облікового запису, комп'ютер, а також час початку й кінця сеансу.",
        network: "Мережа також може записувати сайти, які ви відвідуєте.",
        kept: { "Ці дані зберігаються \($0). Потім комп'ютер їх видаляє." },
        readers: "Читати їх можуть лише відповідальні за це місце. А також суд, якщо цього вимагає закон.",
        mirrored: "Людина, яка вам допомагає, бачить ваш екран.",
        erased: "Коли ви закриваєте сеанс, комп'ютер видаляє все: історію, файли cookie, паролі, завантажені файли, документи.",
        adviceTitle: "Три поради:",
        advice: ["Перед тим як піти, вийдіть зі своїх облікових записів (соціальні виплати, податки, пошта...).",
                 "Браузер пропонує зберегти пароль? Відповідайте «Ніколи».",
                 "Заберіть свої файли: на USB-флешку, або надішліть їх собі поштою."],
        contact: "Контакт: ",
        pressEnter: { "Натисніть Enter — «\($0)», або напишіть «ні», щоб відмовитися: " },
        passwordSaved: ("Пароль збережено", "Цей загальнодоступний комп'ютер щойно зберіг пароль. Його буде видалено, коли ви закриєте сеанс. Наступного разу відповідайте «Ніколи», коли браузер запропонує його зберегти."),
        downloaded: { count in (count > 1 ? "Завантажено \(ukrainian(count, "файл", "файли", "файлів"))" : "Файл завантажено", "Завантажені файли буде видалено, коли ви закриєте сеанс. Збережіть їх на USB-флешку або надішліть собі поштою.") },
        idleCountdown: { ("Ви ще тут?", "Якщо ви нічого не зробите, сеанс закриється через \(ukrainian($0, "секунду", "секунди", "секунд")). Усе, що в ньому є, буде видалено. Торкніться миші або клавіатури, щоб продовжити. Не забудьте свою USB-флешку й роздруківки.") },
        timeLimitSoon: { ("Ще \(ukrainian($0, "хвилина", "хвилини", "хвилин"))", "Сеанс закриється через \(ukrainian($0, "хвилину", "хвилини", "хвилин")). Усе, що в ньому є, буде видалено. Збережіть свої документи зараз. Не забудьте свою USB-флешку й роздруківки.") },
        timeLimitCountdown: { ("Час вичерпано", "Сеанс закриється через \(ukrainian($0, "секунду", "секунди", "секунд")). Усе, що в ньому є, буде видалено. Не забудьте свою USB-флешку й роздруківки.") },
        staffCountdown: { ("Сеанс буде закрито", "Працівник закриває цей сеанс. Він закриється через \(ukrainian($0, "секунду", "секунди", "секунд")). Усе, що в ньому є, буде видалено. Не забудьте свою USB-флешку й роздруківки.") },
        continues: ("Сеанс триває", "Дякуємо. Можете продовжувати."),
        ending: ("Сеанс закривається", "Сеанс закривається зараз. Усе, що в ньому є, буде видалено."),
        duration: { years, months, days in
            if let years { return ukrainian(years, "рік", "роки", "років") }
            if let months { return ukrainian(months, "місяць", "місяці", "місяців") }
            return ukrainian(days, "день", "дні", "днів")
        })

    static let arabic = PublicTexts(
        title: "معلومات: هذا الحاسوب عمومي", acknowledge: "فهمت", decline: "أرفض", declineWords: ["لا", "la", "no"],
        recorded: "من أجل الأمان، يسجّل هذا الحاسوب اسم الحساب، والحاسوب، ووقت بداية الجلسة ونهايتها.",
        network: "قد تسجّل الشبكة أيضًا المواقع التي تزورها.",
        kept: { "تُحفظ هذه المعلومات لمدة \($0). ثم يمحوها الحاسوب." },
        readers: "لا يقرؤها إلا المسؤولون عن هذا المكان. والقضاء أيضًا، إذا طلب القانون ذلك.",
        mirrored: "يستطيع الشخص الذي يساعدك أن يرى شاشتك.",
        erased: "عندما تغلق الجلسة، يمحو الحاسوب كل شيء: السجل، وملفات تعريف الارتباط، وكلمات المرور، والملفات التي نزّلتها، والمستندات.",
        adviceTitle: "ثلاث نصائح:",
        advice: ["قبل أن تغادر، اخرج من حساباتك (المساعدات الاجتماعية، الضرائب، البريد الإلكتروني...).",
                 "هل يعرض المتصفح حفظ كلمة مرور؟ أجب «أبدًا».",
                 "خذ ملفاتك معك: على مفتاح USB، أو أرسلها إلى بريدك الإلكتروني."],
        contact: "للتواصل: ",
        pressEnter: { "اضغط Enter لـ «\($0)»، أو اكتب «لا» للرفض: " },
        passwordSaved: ("تم حفظ كلمة مرور", "حفظ هذا الحاسوب العمومي كلمة مرور الآن. ستُمحى عندما تغلق الجلسة. في المرة القادمة، أجب «أبدًا» عندما يعرض المتصفح حفظها."),
        downloaded: { count in (count > 1 ? "تم تنزيل \(arabic(count, one: "ملف واحد", two: "ملفين", plural: "ملفات", tamyiz: "ملفًا", hundred: "ملف"))" : "تم تنزيل ملف",
                                "ستُمحى الملفات التي نزّلتها عندما تغلق الجلسة. احفظها على مفتاح USB أو أرسلها إلى بريدك الإلكتروني.") },
        idleCountdown: { ("هل ما زلت هنا؟", "إذا لم تفعل شيئًا، ستُغلق الجلسة بعد \(arabicSeconds($0)). سيُمحى كل ما فيها. المس الفأرة أو لوحة المفاتيح للمتابعة. لا تنسَ مفتاح USB وأوراقك المطبوعة.") },
        timeLimitSoon: { ("ستنتهي الجلسة قريبًا", "ستُغلق الجلسة بعد \(arabic($0, one: "دقيقة واحدة", two: "دقيقتين", plural: "دقائق", tamyiz: "دقيقة", hundred: "دقيقة")). سيُمحى كل ما فيها. احفظ مستنداتك الآن. لا تنسَ مفتاح USB وأوراقك المطبوعة.") },
        timeLimitCountdown: { ("انتهى الوقت", "ستُغلق الجلسة بعد \(arabicSeconds($0)). سيُمحى كل ما فيها. لا تنسَ مفتاح USB وأوراقك المطبوعة.") },
        staffCountdown: { ("ستُغلق الجلسة", "أحد العاملين يغلق هذه الجلسة. ستُغلق بعد \(arabicSeconds($0)). سيُمحى كل ما فيها. لا تنسَ مفتاح USB وأوراقك المطبوعة.") },
        continues: ("الجلسة مستمرة", "شكرًا. يمكنك المتابعة."),
        ending: ("الجلسة تُغلق", "تُغلق الجلسة الآن. سيُمحى كل ما فيها."),
        duration: { years, months, days in
            if let years { return arabic(years, one: "سنة واحدة", two: "سنتين", plural: "سنوات", tamyiz: "سنة", hundred: "سنة") }
            if let months { return arabic(months, one: "شهر واحد", two: "شهرين", plural: "أشهر", tamyiz: "شهرًا", hundred: "شهر") }
            return arabic(days, one: "يوم واحد", two: "يومين", plural: "أيام", tamyiz: "يومًا", hundred: "يوم")
        })

    static func arabicSeconds(_ count: Int) -> String {
        arabic(count, one: "ثانية واحدة", two: "ثانيتين", plural: "ثوانٍ", tamyiz: "ثانية", hundred: "ثانية")
    }
}
