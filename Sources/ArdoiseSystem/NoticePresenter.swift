import ArdoiseCore
import FoundationEssentials
import Glibc

/// Shows the notice and the warnings with whatever the desktop has: zenity, then kdialog, yad, notify-send, xmessage.
public struct NoticePresenter: Sendable {
    public enum Answer: Sendable, Equatable {
        case acknowledged
        case declined
        /// Shown by a program that cannot ask (a notification): shown, not answered.
        case shownOnly
        case nothingToShowWith
    }

    public static let dialogs = ["zenity", "kdialog", "yad", "notify-send", "xmessage"]
    /// The programs this desktop has, in order of preference.
    public var programs: [String]
    public var program: String? { programs.first }

    public init(path: String? = ProcessInfo.processInfo.environment["PATH"]) {
        programs = Self.dialogs.filter { Subprocess.firstAvailable([$0], path: path) != nil }
    }

    /// Shows the notice; with `ask`, waits for "J'ai compris" or "Je refuse". A program that fails (it cannot reach the
    /// display, it does not know an option) gives way to the next one.
    public func show(_ notice: SessionNotice, ask: Bool) -> Answer {
        for program in programs {
            if let answer = show(notice, ask: ask, with: program) { return answer }
        }
        return .nothingToShowWith
    }

    func show(_ notice: SessionNotice, ask: Bool, with program: String) -> Answer? {
        let arguments: [String]
        switch program {
        case "zenity":
            arguments = [ask ? "--question" : "--info", "--title", notice.title, "--text", DisplayText.markup(notice.body), "--width", "640", "--no-wrap",
                         "--ok-label", notice.acknowledge] + (ask ? ["--cancel-label", notice.decline] : [])
        case "kdialog":
            arguments = ["--title", notice.title] + (ask ? ["--yes-label", notice.acknowledge, "--no-label", notice.decline, "--yesno", notice.body]
                                                          : ["--msgbox", notice.body])
        case "yad":
            arguments = ["--title", notice.title, "--text", DisplayText.markup(notice.body), "--width", "640", "--center",
                         "--button", "\(notice.acknowledge):0"] + (ask ? ["--button", "\(notice.decline):1"] : [])
        case "notify-send":
            arguments = ["--app-name", "ardoise", "--urgency", "critical", notice.title, notice.body]
        default:
            arguments = ["-center", "-title", notice.title, "-buttons", ask ? "\(notice.acknowledge):0,\(notice.decline):1" : "\(notice.acknowledge):0",
                         notice.title + "\n\n" + notice.body]
        }
        let outcome = Subprocess.run(program, arguments)
        // 127: could not start; 255 (zenity, yad) or 254 (kdialog): an error, not an answer.
        if outcome.code >= 127 && outcome.code != 128 + SIGTERM && outcome.code != 128 + SIGINT { return nil }
        if program == "notify-send" { return outcome.code == 0 ? .shownOnly : nil }
        if outcome.code == 0 { return .acknowledged }
        // Closed without an answer: declined only when an answer was asked for.
        return ask ? .declined : .shownOnly
    }

    /// A short desktop notification (live warnings).
    public func notify(title: String, body: String) {
        if let sender = Subprocess.firstAvailable(["notify-send"]) {
            _ = Subprocess.run(sender, ["--app-name", "ardoise", "--urgency", "normal", "--expire-time", "15000", title, body])
        } else if let program, program == "zenity" || program == "yad" {
            _ = Subprocess.run(program, ["--notification", "--text", "\(title)\n\(body)"])
        } else if program == "kdialog" {
            _ = Subprocess.run("kdialog", ["--title", title, "--passivepopup", body, "15"])
        } else if program == "xmessage" {
            _ = Subprocess.run("xmessage", ["-center", "-timeout", "15", title + "\n\n" + body])
        }
    }
}
