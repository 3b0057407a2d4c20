import Glibc

/// `~/.config/user-dirs.dirs` read exactly as GLib reads it (`g_get_user_special_dir`), so that ardoise empties the folders
/// the desktop really uses: a line is `XDG_NAME_DIR`, blanks, `=`, blanks, `"`, then `$HOME` followed by `/` or `"`, or an
/// absolute path, up to the last `"` of the line; trailing slashes dropped; the last line for a name wins. Works on bytes:
/// a folder name need not be UTF-8.
public enum UserDirs {
    public static let names = ["DESKTOP", "DOCUMENTS", "DOWNLOAD", "MUSIC", "PICTURES", "PUBLICSHARE", "TEMPLATES", "VIDEOS"]

    /// GLib changed its reading in 2.80 (Debian 13): `$HOME` must be followed by `/` or `"`, and every trailing slash goes;
    /// before (Debian 12's 2.74), `$HOMEfoo` meant `$HOME/foo` and one trailing slash went.
    public enum Dialect: Sendable { case glib274, glib280 }

    /// The dialect of the GLib this computer has (from its library's file name), the newer one when none is found.
    public static let installed: Dialect = {
        for folder in ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib/i386-linux-gnu", "/usr/lib64", "/usr/lib"] {
            var buffer = [CChar](repeating: 0, count: 256)
            let count = readlink(folder + "/libglib-2.0.so.0", &buffer, buffer.count - 1)
            guard count > 0 else { continue }
            // libglib-2.0.so.0.7400.4: the minor version is the digits before the last two of the fourth part.
            let name = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard let part = name.split(separator: ".").dropFirst(3).first, let number = Int(part) else { continue }
            return number / 100 >= 80 ? .glib280 : .glib274
        }
        return .glib280
    }()

    /// `XDG_DOWNLOAD_DIR` -> the absolute path GLib would give, for a home at `home`.
    public static func paths(_ content: [UInt8], home: [UInt8], dialect: Dialect = installed) -> [String: [UInt8]] {
        var found: [String: [UInt8]] = [:]
        // GLib splits the file as one C string: nothing after a NUL byte is read.
        let readable = content.prefix { $0 != 0 }
        for text in readable.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            var p = text.startIndex
            func skipBlanks() { while p < text.endIndex && (text[p] == 0x20 || text[p] == 0x09) { p += 1 } }
            skipBlanks()
            guard let name = names.first(where: { text[p...].starts(with: Array("XDG_\($0)_DIR".utf8)) }) else { continue }
            p += "XDG_\(name)_DIR".utf8.count
            skipBlanks()
            guard p < text.endIndex, text[p] == UInt8(ascii: "=") else { continue }
            p += 1
            skipBlanks()
            guard p < text.endIndex, text[p] == UInt8(ascii: "\"") else { continue }
            p += 1
            var relative = false
            if text[p...].starts(with: Array("$HOME".utf8)) {
                p += 5
                if dialect == .glib280 {
                    guard p < text.endIndex, text[p] == UInt8(ascii: "/") || text[p] == UInt8(ascii: "\"") else { continue }
                }
                relative = true
            } else if p >= text.endIndex || text[p] != UInt8(ascii: "/") {
                continue
            }
            guard let close = text[p...].lastIndex(of: UInt8(ascii: "\"")) else { continue }
            var value = Array(text[p..<close])
            switch dialect {
            case .glib280: while value.count > 1 && value.last == UInt8(ascii: "/") { value.removeLast() }
            case .glib274: if value.last == UInt8(ascii: "/") { value.removeLast() }
            }
            found["XDG_\(name)_DIR"] = relative ? buildFilename(home, value) : value
        }
        return found
    }

    /// `g_build_filename (home, value)`: joined by one separator, the separators at the join collapsed, the rest kept.
    static func buildFilename(_ home: [UInt8], _ value: [UInt8]) -> [UInt8] {
        var left = home
        while left.count > 1 && left.last == UInt8(ascii: "/") { left.removeLast() }
        let right = value.drop { $0 == UInt8(ascii: "/") }
        if right.isEmpty { return left }
        return (left == [UInt8(ascii: "/")] ? left : left + [UInt8(ascii: "/")]) + right
    }
}
