import CLinux
import Glibc

extension OpenedRoot {
    public enum FileProblem: Error, Sendable, Equatable {
        case unreachable(Obstacle)
        case notARegularFile
        /// Hard-linked elsewhere: rewriting it could leak or alter a file outside the home.
        case linkedElsewhere
        case tooLarge
        case system(SystemError)
    }

    /// Reads a small regular file below the root, never through a link, never a FIFO or a device.
    public func readFile(_ relative: HomePath, limit: Int = 32 << 20) -> Result<(bytes: [UInt8], status: EntryStatus), FileProblem> {
        withParent(of: relative) { parent, name in readFile(name, in: parent, at: relative, limit: limit) }
    }

    /// Runs `body` with the open folder holding `relative` and the entry's name in it.
    private func withParent<T>(of relative: HomePath, _ body: (Int32, EntryName) -> Result<T, FileProblem>) -> Result<T, FileProblem> {
        guard let name = relative.last else { return .failure(.notARegularFile) }
        switch openDirectory(relative.parent) {
        case .success(let parent):
            defer { close(parent) }
            return body(parent, name)
        case .failure(let obstacle):
            return .failure(.unreachable(obstacle))
        }
    }

    private func readFile(_ name: EntryName, in parent: Int32, at relative: HomePath, limit: Int) -> Result<(bytes: [UInt8], status: EntryStatus), FileProblem> {
        let fd = name.withCString { openat(parent, $0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY) }
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { return .failure(.unreachable(.missing)) }
            if code == ELOOP { return .failure(.unreachable(.symbolicLink(relative))) }
            return .failure(.system(SystemError(code)))
        }
        defer { close(fd) }
        guard case .success(let status) = EntryStatus.of(descriptor: fd) else { return .failure(.system(SystemError(errno))) }
        guard status.kind == .regular else { return .failure(.notARegularFile) }
        guard status.linkCount == 1 else { return .failure(.linkedElsewhere) }
        guard status.size <= UInt64(limit) else { return .failure(.tooLarge) }
        var bytes = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(.system(SystemError(errno)))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[..<count])
            guard bytes.count <= limit else { return .failure(.tooLarge) }
        }
        return .success((bytes, status))
    }

    /// Replaces a file below the root with `bytes`: a new file written beside it, given the old one's owner and mode, then renamed over it.
    public func replaceFile(_ relative: HomePath, with bytes: [UInt8], like original: EntryStatus) -> Result<Void, FileProblem> {
        withParent(of: relative) { parent, name in replaceFile(name, in: parent, at: relative, with: bytes, like: original) }
    }

    private func replaceFile(_ name: EntryName, in parent: Int32, at relative: HomePath, with bytes: [UInt8], like original: EntryStatus) -> Result<Void, FileProblem> {
        guard case .success(let current) = EntryStatus.of(name, in: parent), current.isSameEntry(as: original), current.kind == .regular else {
            return .failure(.unreachable(.changed(relative)))
        }
        let temporaryName = EntryName(".\(name.string).ardoise-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")!
        let fd = temporaryName.withCString { openat(parent, $0, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(0o600)) }
        guard fd >= 0 else { return .failure(.system(SystemError(errno))) }
        var failure: SystemError?
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                failure = SystemError(errno)
                break
            }
            offset += written
        }
        if failure == nil, geteuid() == 0, fchown(fd, original.owner, original.group) != 0 { failure = SystemError(errno) }
        if failure == nil, fchmod(fd, mode_t(original.mode)) != 0 { failure = SystemError(errno) }
        // The cleaned file keeps the original's time: two captures of one home give the same reference.
        var times = [timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2), timespec(tv_sec: Int(original.modificationTime), tv_nsec: Int(original.modificationNanoseconds))]
        if failure == nil, futimens(fd, &times) != 0 { failure = SystemError(errno) }
        if failure == nil, fsync(fd) != 0 { failure = SystemError(errno) }
        close(fd)
        if failure == nil {
            let renamed = temporaryName.withCString { from in name.withCString { to in renameat(parent, from, parent, to) } }
            if renamed != 0 { failure = SystemError(errno) }
        }
        if let failure {
            _ = temporaryName.withCString { unlinkat(parent, $0, 0) }
            return .failure(.system(failure))
        }
        return .success(())
    }
}
