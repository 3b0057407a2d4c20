import FoundationEssentials
import Glibc

/// The desktop's own logout, asked from inside the session: programs are told to close (a browser saves nothing half
/// written, an office suite closes its files) before logind ends what is left.
public enum DesktopLogout {
    /// Each desktop's command that logs out at once, without asking (the person is not there).
    static let commands: [(program: String, arguments: [String])] = [
        ("gnome-session-quit", ["--logout", "--no-prompt", "--force"]),
        ("cinnamon-session-quit", ["--logout", "--no-prompt", "--force"]),
        ("xfce4-session-logout", ["--logout", "--fast"]),
        ("mate-session-save", ["--force-logout"]),
        ("lxqt-leave", ["--logout"]),
        ("qdbus", ["org.kde.Shutdown", "/Shutdown", "logout"]),
    ]

    /// Asks the first desktop found; the program asked, or nil when none of them is here (logind then ends the session).
    @discardableResult
    public static func request(path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        for command in commands {
            guard let program = Subprocess.firstAvailable([command.program], path: path) else { continue }
            if Subprocess.run(program, command.arguments).code == 0 { return command.program }
        }
        return nil
    }
}
