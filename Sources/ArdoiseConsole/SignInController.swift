import ArdoiseCore
import FoundationEssentials
import Hummingbird
import Logging

/// `/sign-in` (the form, then the name and password checked), `/sign-out`.
struct SignInController {
    let console: ConsoleApplication

    func addRoutes(to router: Router<ConsoleRequestContext>) {
        router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/events"]) }
        router.get("sign-in") { _, context in ConsolePage.response(page: form(context.language, problem: nil)) }
        router.post("sign-in") { request, context in try await signIn(request, context) }
        router.post("sign-out") { request, context in
            guard request.comesFromThisConsole() else { throw HTTPError(.forbidden) }
            if let token = request.cookies[ConsoleApplication.cookie]?.value {
                if let name = await console.sessions.name(for: token) { console.logger.notice("console: \(name) signed out") }
                await console.sessions.close(token)
            }
            return Response(status: .seeOther, headers: [.location: "/sign-in", .setCookie: "\(ConsoleApplication.cookie)=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict"])
        }
    }

    func signIn(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        guard request.comesFromThisConsole() else { throw HTTPError(.forbidden) }
        var request = request
        let fields = try await request.formFields()
        let name = fields["name"] ?? "", password = fields["password"] ?? ""
        let fr = context.language == .french
        guard StaffAccounts.validName(name), !password.isEmpty else {
            return ConsolePage.response(status: .unauthorized, page: form(context.language, problem: fr ? "Nom ou mot de passe incorrect." : "Wrong name or password."))
        }
        if await console.throttle.isLocked(name) {
            console.logger.warning("console: sign-in of \(name) refused, too many wrong passwords")
            return ConsolePage.response(status: .tooManyRequests, page: form(context.language, problem: fr
                ? "Trop d'essais : ce compte est bloqué pendant 15 minutes."
                : "Too many attempts: this account is locked for 15 minutes."))
        }
        guard console.staff.verify(name: name, password: password) else {
            await console.throttle.failed(name)
            console.logger.warning("console: wrong password for \(name)")
            return ConsolePage.response(status: .unauthorized, page: form(context.language, problem: fr ? "Nom ou mot de passe incorrect." : "Wrong name or password."))
        }
        await console.throttle.succeeded(name)
        let token = await console.sessions.open(for: name)
        console.logger.notice("console: \(name) signed in")
        return Response(status: .seeOther, headers: [.location: "/events",
                                                     .setCookie: "\(ConsoleApplication.cookie)=\(token); Path=/; HttpOnly; Secure; SameSite=Strict"])
    }

    func form(_ language: Language, problem: String?) -> ConsolePage {
        let fr = language == .french
        var body = problem.map { "<p class=\"error\">\(HTML.text($0))</p>" } ?? ""
        body += """
            <form method="post" action="/sign-in">
            <p><label>\(fr ? "Nom" : "Name") <input name="name" autocomplete="username" required></label></p>
            <p><label>\(fr ? "Mot de passe" : "Password") <input name="password" type="password" autocomplete="current-password" required></label></p>
            <p><button type="submit">\(fr ? "Se connecter" : "Sign in")</button></p>
            </form>
            <p class="note">\(fr ? "Réservé au personnel. Chaque consultation est notée dans le journal du service." : "Staff only. Each look is noted in the service's log.")</p>
            """
        return ConsolePage(language: language, staff: nil, title: fr ? "Journal des accès : connexion" : "Access journal: sign in", body: body)
    }
}
