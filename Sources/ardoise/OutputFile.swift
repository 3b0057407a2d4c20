import ArdoiseCore
import FoundationEssentials
import Glibc

/// A file a command writes for the person who ran it: private (0600), never through a link, never over an existing
/// file unless `--force`, and when it cannot be written, the system's reason.
enum OutputFile {
    static func refuseExisting(_ paths: [String], force: Bool, _ language: Language) throws {
        guard !force else { return }
        for path in paths where access(path, F_OK) == 0 || (errno != ENOENT && errno != ENOTDIR) {
            throw failure(path, EEXIST, language)
        }
    }

    static func write(_ data: Data, to path: String, force: Bool, _ language: Language) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0o600)
        guard fd >= 0 else { throw failure(path, errno, language) }
        var failed: Int32?
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { failed = written < 0 ? errno : ENOSPC; return }
                offset += written
            }
        }
        if failed == nil && fsync(fd) != 0 { failed = errno }
        close(fd)
        if let failed {
            // Half a file is no export: it goes, and the reason is said (a full disk...).
            unlink(path)
            throw failure(path, failed, language)
        }
    }

    static func failure(_ path: String, _ code: Int32, _ language: Language) -> CommandFailure {
        let fr = language == .french
        let shown = DisplayText.escaped(path)
        let why = code == EEXIST ? (fr ? "le fichier existe déjà (--force pour le remplacer)" : "the file exists already (--force replaces it)")
                                 : String(cString: strerror(code))
        return CommandFailure(message: (fr ? "Impossible d'écrire \(shown) : " : "Cannot write \(shown): ") + why, code: 1)
    }
}
