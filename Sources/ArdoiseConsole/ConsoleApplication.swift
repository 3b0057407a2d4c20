import ArdoiseCore
import FoundationEssentials
import Hummingbird
import Logging

/// What a request knows once through the console's middleware: who is signed in, and the language of the page.
public struct ConsoleRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var staff: String?
    public var language: Language = .french

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

/// Where the console reads: every event of the store, and (for a fleet) one kiosk's, and what the store holds of each.
public struct ConsoleStore: Sendable {
    public var all: any JournalStore
    /// nil: one computer's journal, no kiosk to choose.
    public var kiosk: (@Sendable (String) -> any JournalStore)?
    /// The fleet's kiosks (nil: one computer's journal).
    public var kiosks: (@Sendable () async throws -> [KioskSummary])?
    /// The journal's check, or each journal's in the store, in the language asked.
    public var integrity: @Sendable (Language) async throws -> IntegrityReport

    public init(all: any JournalStore, kiosk: (@Sendable (String) -> any JournalStore)? = nil,
                kiosks: (@Sendable () async throws -> [KioskSummary])? = nil,
                integrity: @escaping @Sendable (Language) async throws -> IntegrityReport) {
        self.all = all
        self.kiosk = kiosk
        self.kiosks = kiosks
        self.integrity = integrity
    }

    /// This computer's journal: its events, its figures, its check (without the verification key, which is kept away
    /// from the computer: the chain is checked, the seals are not, and the report says so).
    public static func local(_ journal: AccessJournal) -> ConsoleStore {
        ConsoleStore(all: journal, integrity: { language in
            let verification = try journal.verify()
            return IntegrityReport(clear: verification.isClear, lines: verification.report(language).split(separator: "\n").map(String.init))
        })
    }
}

/// What a check found, for the integrity page: all well or not, and its lines as the command says them.
public struct IntegrityReport: Sendable, Equatable {
    public var clear: Bool
    public var lines: [String]

    public init(clear: Bool, lines: [String]) {
        self.clear = clear
        self.lines = lines
    }
}

/// One kiosk as the fleet's store knows it.
public struct KioskSummary: Sendable, Equatable {
    public var name: String
    public var events: Int
    /// When the store last received something from it (the server's clock), UTC microseconds; nil: never.
    public var lastReceived: Int64?
    /// The time of the last event it sent (the kiosk's clock).
    public var lastEvent: Int64?

    public init(name: String, events: Int, lastReceived: Int64?, lastEvent: Int64?) {
        self.name = name
        self.events = events
        self.lastReceived = lastReceived
        self.lastEvent = lastEvent
    }
}

/// The staff web console: sign-in, the journal's events (filtered, and as CSV), its figures. Read only: nothing in the
/// journal can be changed from here.
public struct ConsoleApplication: Sendable {
    public let store: ConsoleStore
    public let staff: StaffAccounts
    public let sessions: StaffSessions
    public let throttle: SignInThrottle
    public let logger: Logger
    /// Rows a page shows at most (the most recent); the CSV has them all.
    public let pageRows: Int

    public init(store: ConsoleStore, staff: StaffAccounts, sessions: StaffSessions = StaffSessions(), throttle: SignInThrottle = SignInThrottle(),
                logger: Logger = Logger(label: "ardoise-console"), pageRows: Int = 500) {
        self.store = store
        self.staff = staff
        self.sessions = sessions
        self.throttle = throttle
        self.logger = logger
        self.pageRows = pageRows
    }

    public func router() -> Router<ConsoleRequestContext> {
        let router = Router(context: ConsoleRequestContext.self)
        router.add(middleware: PageHeaders())
        router.get("style.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: ConsolePage.style)))
        }
        SignInController(console: self).addRoutes(to: router)
        JournalController(console: self).addRoutes(to: router.group().add(middleware: StaffOnly(sessions: sessions)))
        return router
    }

    /// Listens on `host:port` (loopback: staff reach it through a TLS proxy, or on the machine itself).
    public func application(host: String, port: Int, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(router: router(), configuration: .init(address: .hostname(host, port: port), serverName: nil),
                    onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }

    static let cookie = "ardoise_console"
}

/// On every response: the page is not cached, framed, sniffed or sent on as a referrer, and only loads its own style.
struct PageHeaders: RouterMiddleware {
    typealias Context = ConsoleRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.language = Language.fromAcceptLanguage(request.headers[.acceptLanguage])
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError {
            response = ConsolePage.response(status: error.status, page: ConsolePage(language: context.language, staff: nil,
                title: error.status.reasonPhrase, body: "<p class=\"error\">\(HTML.text(error.body ?? error.status.reasonPhrase))</p>"))
        }
        response.headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        response.headers[.cacheControl] = "no-store"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        return response
    }
}

/// The journal's pages are for staff signed in; anyone else is sent to the sign-in page.
struct StaffOnly: RouterMiddleware {
    typealias Context = ConsoleRequestContext
    let sessions: StaffSessions

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = request.cookies[ConsoleApplication.cookie]?.value, let name = await sessions.name(for: token) else {
            return Response(status: .seeOther, headers: [.location: "/sign-in"])
        }
        var context = context
        context.staff = name
        return try await next(request, context)
    }
}

extension ConsolePage {
    static func response(status: HTTPResponse.Status = .ok, page: ConsolePage, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: page.html)))
    }
}

extension Request {
    /// A form sent from another site is refused (the cookie is SameSite=Strict too): its Origin must be this console's.
    func comesFromThisConsole() -> Bool {
        guard let origin = headers[.origin] else { return true }
        guard let authority = head.authority else { return false }
        return origin == "http://" + authority || origin == "https://" + authority
    }

    /// The form's fields (application/x-www-form-urlencoded), 16 kB at most.
    mutating func formFields() async throws -> [String: String] {
        let body = try await collectBody(upTo: 16 * 1024)
        var fields: [String: String] = [:]
        for pair in String(buffer: body).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if let key = parts.first { fields[FormEncoding.decoded(key)] = parts.count > 1 ? FormEncoding.decoded(parts[1]) : "" }
        }
        return fields
    }
}
