import ArdoiseCore
import ArgumentParser
import FoundationEssentials
import Glibc

/// `ardoise fleet ...`: the fleet store's commands are a program of their own, `ardoise-fleet` (package ardoise-fleet),
/// so that the kiosk's program links no network code; this runs it, from the same folder as this program.
struct FleetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Les journaux de plusieurs postes sur PostgreSQL (ardoise-fleet). / Several kiosks' journals on PostgreSQL (ardoise-fleet).",
        discussion: "init | enroll | grant-reader | upload | status | list | stats | verify | purge: see ardoise-fleet(8).",
        shouldDisplay: true
    )

    @Argument(parsing: .captureForPassthrough, help: "The ardoise-fleet command and its options.")
    var arguments: [String] = []

    /// `ardoise-fleet` beside this program (the link `/proc/self/exe` names, not what PATH finds), as the service finds
    /// `ardoise` beside itself.
    static func sibling() -> String? {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")).map { $0.deletingLastPathComponent + "/ardoise-fleet" }
    }

    func run() throws {
        let language = Language.fromEnvironment(ProcessInfo.processInfo.environment)
        guard let program = Self.sibling(), access(program, X_OK) == 0 else {
            throw CommandFailure(message: language == .french
                ? "Les commandes de la flotte sont dans le paquet ardoise-fleet, qui n'est pas installé ici : sudo apt install ardoise-fleet"
                : "The fleet's commands are in the ardoise-fleet package, which is not installed here: sudo apt install ardoise-fleet", code: 1)
        }
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        execv(program, argv)
        throw CommandFailure(message: "\(program): \(String(cString: strerror(errno)))", code: 1)
    }
}
