import CLinux
import FoundationEssentials
import Glibc

/// Small files of root's in folders only root writes (the state folder, `/etc`): written whole and synced, replaced by a
/// rename so that a reader sees the old file or the new one, read without following a link or waiting on a FIFO.
/// Never for a user's home: that is `SafeRemover`'s and `OpenedRoot`'s.
public enum SmallFile {
    public static func reason(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    public enum WriteFailure: Error, Sendable {
        /// The file could not be opened (created): nothing of it is this process's.
        case open(Int32)
        /// Opened, but not written whole or not synced.
        case write(Int32)

        public var code: Int32 { switch self { case .open(let code), .write(let code): code } }
    }

    /// Writes `bytes` whole to the file opened with `flags` added (never through a link), then syncs it.
    public static func write(_ bytes: [UInt8], to path: String, flags: Int32, mode: mode_t = 0o600) -> WriteFailure? {
        let fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | flags, mode)
        guard fd >= 0 else { return .open(errno) }
        defer { close(fd) }
        // The mode asked for, whatever the umask.
        if flags & O_CREAT != 0, fchmod(fd, mode) != 0 { return .write(errno) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return .write(errno)
            }
            // Nothing written and no error: no room left.
            if written == 0 { return .write(ENOSPC) }
            offset += written
        }
        return fsync(fd) == 0 ? nil : .write(errno)
    }

    /// Writes the new file beside (`NAME.new-PID-RANDOM`), then renames it over `path`; the reason when it cannot.
    public static func replace(_ path: String, with bytes: [UInt8], mode: mode_t = 0o600) -> String? {
        let temporary = path + ".new-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        if let failure = write(bytes, to: temporary, flags: O_CREAT | O_EXCL, mode: mode) {
            if case .write = failure { unlink(temporary) }
            return reason(failure.code)
        }
        guard rename(temporary, path) == 0 else { let why = reason(); unlink(temporary); return why }
        return nil
    }

    /// Removes the copies a killed `replace` of `path` left beside it (their writer gone; another may be writing its own):
    /// called where a folder is taken in hand, not on every write.
    public static func removeLeftovers(of path: String) {
        let folder = path.deletingLastPathComponent, name = path.lastPathComponent
        let place = folder.isEmpty ? "." : folder
        for leftover in names(in: place) where leftover.hasPrefix(name + ".new-") {
            if let pid = Int32(leftover.dropFirst(name.count + 5).prefix { $0 != "-" }), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                unlink(place + "/" + leftover)
            }
        }
    }

    /// The first `limit` bytes of a small file (never through a link, never waiting on a FIFO).
    public static func contents(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: limit)
        var count = 0
        while count < limit {
            let got = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, limit - count) }
            if got < 0 { if errno == EINTR { continue }; return nil }
            if got == 0 { break }
            count += got
        }
        return Array(buffer[0..<count])
    }

    public enum SecretProblem: Error, Sendable, Equatable {
        case unreadable(String), notARegularFile, openToOthers, tooLarge

        public var reason: String {
            switch self {
            case .unreadable(let why): why
            case .notARegularFile: "not a regular file"
            case .openToOthers: "others may read or change it (chmod 600)"
            case .tooLarge: "too large"
            }
        }
    }

    /// A secret's file (a password, the staff's accounts), whole: only a regular file that no one but its owner may read
    /// or change, at most `limit` bytes, never through a link.
    public static func secret(_ path: String, limit: Int) -> Result<[UInt8], SecretProblem> {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return .failure(.unreadable(reason())) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { return .failure(.unreadable(reason())) }
        guard status.st_mode & S_IFMT == S_IFREG else { return .failure(.notARegularFile) }
        guard status.st_mode & 0o077 == 0 else { return .failure(.openToOthers) }
        guard status.st_size <= limit else { return .failure(.tooLarge) }
        var buffer = [UInt8](repeating: 0, count: limit + 1)
        var count = 0
        while count <= limit {
            let got = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, limit + 1 - count) }
            if got < 0 { if errno == EINTR { continue }; return .failure(.unreadable(reason())) }
            if got == 0 { break }
            count += got
        }
        guard count <= limit else { return .failure(.tooLarge) }
        return .success(Array(buffer[0..<count]))
    }

    /// The names in a folder (without `.` and `..`).
    public static func names(in directory: String) -> [String] {
        guard let folder = opendir(directory) else { return [] }
        defer { closedir(folder) }
        var names: [String] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
