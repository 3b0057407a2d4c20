import ArdoiseCore
import FoundationEssentials
import Glibc

/// The countdown before a session ends, on the screen: a window in the middle, above the others, in large type (28 pt
/// title, 20 pt text), its seconds counting down. GTK 3 is opened when needed (`dlopen`: the program links to no toolkit);
/// its label is ordinary GTK text, which screen readers read through the desktop's accessibility bus. Without GTK 3, zenity.
public enum CountdownWindow {
    /// Shows the countdown until its end (or until the process is stopped); false when no toolkit could show it.
    public static func show(_ warning: SessionWarning, seconds: Int, language: PublicLanguage) -> Bool {
        if GtkCountdown.run(warning, seconds: seconds, language: language) { return true }
        return zenity(warning, seconds: seconds, language: language)
    }

    /// Pango markup: the title, then the text, both large.
    static func markup(_ warning: SessionWarning, seconds: Int, language: PublicLanguage) -> String {
        let (title, body) = warning.text(language, count: seconds)
        return "<span size=\"28672\" weight=\"bold\">\(DisplayText.markup(title))</span>\n\n<span size=\"20480\">\(DisplayText.markup(body))</span>"
    }

    /// zenity cannot change its large text once shown: the seconds are in the bar, the text says when it started.
    static func zenity(_ warning: SessionWarning, seconds: Int, language: PublicLanguage) -> Bool {
        guard let program = Subprocess.firstAvailable(["zenity"]) else { return false }
        guard let process = Subprocess.Child(program, ["--progress", "--title", warning.text(language, count: seconds).title,
                                                      "--text", markup(warning, seconds: seconds, language: language),
                                                      "--percentage", "100", "--no-cancel", "--auto-close", "--width", "900"], input: true) else { return false }
        for left in stride(from: seconds, through: 0, by: -1) {
            process.write("\(seconds > 0 ? left * 100 / seconds : 0)\n")
            if left > 0 { DetachedThread.sleep(seconds: 1) }
        }
        process.closeInput()
        process.waitUntilExit()
        return true
    }
}

/// GTK 3 through `dlopen`: a window, a label, a one-second timer. Runs in a process of its own (`ardoise notice
/// --countdown`), on its main thread: GTK's loop never shares the agent's threads.
enum GtkCountdown {
    private typealias InitCheck = @convention(c) (UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> Int32
    private typealias WindowNew = @convention(c) (Int32) -> OpaquePointer?
    private typealias SetText = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> Void
    private typealias SetInt = @convention(c) (OpaquePointer?, Int32) -> Void
    private typealias SetSize = @convention(c) (OpaquePointer?, Int32, Int32) -> Void
    private typealias Widget = @convention(c) (OpaquePointer?) -> Void
    private typealias Pair = @convention(c) (OpaquePointer?, OpaquePointer?) -> Void
    private typealias LabelNew = @convention(c) (UnsafePointer<CChar>?) -> OpaquePointer?
    private typealias Main = @convention(c) () -> Void
    private typealias Tick = @convention(c) (UnsafeMutableRawPointer?) -> Int32
    private typealias TimeoutAdd = @convention(c) (UInt32, Tick, UnsafeMutableRawPointer?) -> UInt32
    private typealias Connect = @convention(c) (OpaquePointer?, UnsafePointer<CChar>, Main, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Int32) -> UInt

    /// The state the timer reads: this process shows one countdown and then ends.
    nonisolated(unsafe) private static var left = 0
    nonisolated(unsafe) private static var label: OpaquePointer?
    nonisolated(unsafe) private static var setMarkup: SetText?
    nonisolated(unsafe) private static var quit: Main?
    nonisolated(unsafe) private static var shown: (SessionWarning, PublicLanguage) = (.idleCountdown, .french)

    static func run(_ warning: SessionWarning, seconds: Int, language: PublicLanguage) -> Bool {
        guard let gtk = dlopen("libgtk-3.so.0", RTLD_NOW | RTLD_GLOBAL), let glib = dlopen("libglib-2.0.so.0", RTLD_NOW | RTLD_GLOBAL),
              let gobject = dlopen("libgobject-2.0.so.0", RTLD_NOW | RTLD_GLOBAL) else { return false }
        func symbol<T>(_ library: UnsafeMutableRawPointer, _ name: String, as type: T.Type) -> T? {
            dlsym(library, name).map { unsafeBitCast($0, to: type) }
        }
        guard let initCheck = symbol(gtk, "gtk_init_check", as: InitCheck.self), let windowNew = symbol(gtk, "gtk_window_new", as: WindowNew.self),
              let setTitle = symbol(gtk, "gtk_window_set_title", as: SetText.self), let setPosition = symbol(gtk, "gtk_window_set_position", as: SetInt.self),
              let keepAbove = symbol(gtk, "gtk_window_set_keep_above", as: SetInt.self), let defaultSize = symbol(gtk, "gtk_window_set_default_size", as: SetSize.self),
              let border = symbol(gtk, "gtk_container_set_border_width", as: SetInt.self), let labelNew = symbol(gtk, "gtk_label_new", as: LabelNew.self),
              let markup = symbol(gtk, "gtk_label_set_markup", as: SetText.self), let wrap = symbol(gtk, "gtk_label_set_line_wrap", as: SetInt.self),
              let justify = symbol(gtk, "gtk_label_set_justify", as: SetInt.self), let widthChars = symbol(gtk, "gtk_label_set_max_width_chars", as: SetInt.self),
              let add = symbol(gtk, "gtk_container_add", as: Pair.self), let showAll = symbol(gtk, "gtk_widget_show_all", as: Widget.self),
              let main = symbol(gtk, "gtk_main", as: Main.self), let mainQuit = symbol(gtk, "gtk_main_quit", as: Main.self),
              let timeoutAdd = symbol(glib, "g_timeout_add", as: TimeoutAdd.self), let connect = symbol(gobject, "g_signal_connect_data", as: Connect.self),
              initCheck(nil, nil) != 0 else { return false }
        let window = windowNew(0)
        setTitle(window, warning.text(language, count: seconds).title)
        setPosition(window, 1)  // GTK_WIN_POS_CENTER
        keepAbove(window, 1)
        defaultSize(window, 900, -1)
        border(window, 36)
        let text = labelNew(nil)
        wrap(text, 1)
        justify(text, 2)  // GTK_JUSTIFY_CENTER
        widthChars(text, 44)
        markup(text, CountdownWindow.markup(warning, seconds: seconds, language: language))
        add(window, text)
        _ = connect(window, "destroy", mainQuit, nil, nil, 0)
        left = seconds
        label = text
        setMarkup = markup
        quit = mainQuit
        shown = (warning, language)
        _ = timeoutAdd(1000, { _ in
            GtkCountdown.left -= 1
            guard GtkCountdown.left > 0 else {
                GtkCountdown.quit?()
                return 0
            }
            GtkCountdown.setMarkup?(GtkCountdown.label, CountdownWindow.markup(GtkCountdown.shown.0, seconds: GtkCountdown.left, language: GtkCountdown.shown.1))
            return 1
        }, nil)
        showAll(window)
        main()
        return true
    }
}
