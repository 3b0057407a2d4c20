import ArdoiseCore
import ArdoiseSystem
import FoundationEssentials
import Glibc

/// The commands a member of `ardoise-admin` may run without sudo (the journal's, `check`): through the service.
protocol RelayedJournalCommand {}

/// Sends `ardoise journal ...` to the service, which runs it as root on behalf of this user, then prints and writes what comes back.
enum JournalRelayClient {
    static func run(_ arguments: [String], language: Language, socketPath: String) throws {
        let fr = language == .french
        guard let start = arguments.firstIndex(where: { $0 == "journal" || $0 == "check" }) else { return }
        // `journal` is implied by the service; `check` is said.
        var forwarded: [String] = arguments[start] == "check" ? ["check"] : []
        var inputs: [String: Data] = [:]
        var outputs: [String: String] = [:]
        var rest = Array(arguments[(start + 1)...])[...]
        while let argument = rest.popFirst() {
            let (name, inline) = argument.hasPrefix("--") ? split(argument) : (argument, nil)
            let option = String(name.dropFirst(2))
            if name == "--config" || name == "--state-dir" {
                if inline == nil { _ = rest.popFirst() }
                continue
            }
            guard name.hasPrefix("--"), ControlRequest.journalFileOptions.contains(option) else {
                forwarded.append(argument)
                continue
            }
            guard let value = inline ?? rest.popFirst() else { continue }
            if option == "verification-key" {
                guard let data = FileManager.default.contents(atPath: value) else {
                    throw CommandFailure(message: fr ? "Clé de vérification illisible : \(value)" : "Unreadable verification key: \(value)", code: 2)
                }
                inputs[option] = data
            } else {
                outputs[option] = absolute(value)
            }
        }
        let request = ControlRequest(command: .journal, arguments: forwarded, inputs: inputs, outputs: outputs, language: language)
        let force = arguments.contains("--force")
        try OutputFile.refuseExisting(Array(outputs.values), force: force, language)
        let answer: ControlResponse
        do {
            answer = try ControlChannel.ask(request, path: socketPath, timeout: .seconds(600))
        } catch {
            let member = Account.withID(getuid())?.isMember(ofGroup: KioskPolicy.adminGroup) ?? false
            guard member else { throw CommandFailure.adminOnly(language) }
            throw CommandFailure(message: error.message(language), code: 1)
        }
        for (name, data) in answer.files {
            guard let option = outputs.keys.filter({ name.hasPrefix($0) }).max(by: { $0.count < $1.count }), let base = outputs[option] else { continue }
            let path = base + name.dropFirst(option.count)
            try OutputFile.write(data, to: path, force: force, language)
        }
        if !answer.output.isEmpty { StandardStreams.output(answer.output) }
        if answer.code != 0 || !answer.error.isEmpty {
            throw CommandFailure(message: answer.error.hasSuffix("\n") ? String(answer.error.dropLast()) : answer.error, code: answer.code)
        }
    }

    static func split(_ argument: String) -> (String, String?) {
        guard let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
