import CLinux
import Glibc

/// A folder opened once (a home, a temporary folder); everything below it is reached by descriptor, never by path again.
public final class OpenedRoot: Sendable {
    public let path: String
    public let status: EntryStatus
    let descriptor: Int32

    public enum OpenError: Error, Sendable, Equatable, CustomStringConvertible {
        case cannotOpen(String, SystemError)
        case isSymbolicLink(String)
        case notADirectory(String)

        public var description: String {
            switch self {
            case .cannotOpen(let path, let error): "cannot open \(path): \(error)"
            case .isSymbolicLink(let path): "\(path) is a symbolic link"
            case .notADirectory(let path): "\(path) is not a folder"
            }
        }
    }

    public init(path: String) throws(OpenError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ELOOP { throw .isSymbolicLink(path) }
            if code == ENOTDIR {
                var st = stat()
                if lstat(path, &st) == 0, st.st_mode & 0o170000 == 0o120000 { throw .isSymbolicLink(path) }
                throw .notADirectory(path)
            }
            throw .cannotOpen(path, SystemError(code))
        }
        switch EntryStatus.of(descriptor: fd) {
        case .success(let status):
            self.status = status
        case .failure(let error):
            close(fd)
            throw .cannotOpen(path, error)
        }
        self.path = path
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// The absolute path of `relative`, for people to read.
    public func display(_ relative: HomePath) -> String {
        let root = DisplayText.escaped(path, limit: 4096)
        return relative.isEmpty ? root : (root.hasSuffix("/") ? root : root + "/") + relative.description
    }

    /// Why a path below the root could not be reached as a folder.
    public enum Obstacle: Error, Sendable, Equatable {
        case missing
        case symbolicLink(HomePath)
        case notADirectory(HomePath)
        case mountPoint(HomePath)
        case changed(HomePath)
        case system(HomePath, SystemError)
    }

    /// Opens the folder at `relative` one component at a time, refusing links and mount points.
    /// The caller owns the returned descriptor.
    public func openDirectory(_ relative: HomePath) -> Result<Int32, Obstacle> {
        var current = dup(descriptor)
        guard current >= 0 else { return .failure(.system(HomePath(), SystemError(errno))) }
        var walked = HomePath()
        for name in relative.components {
            walked = walked.appending(name)
            switch openChildDirectory(current, name, at: walked) {
            case .success(let child):
                close(current)
                current = child
            case .failure(let obstacle):
                close(current)
                return .failure(obstacle)
            }
        }
        return .success(current)
    }

    /// Opens the folder `name` inside `parent`, checking that it is the same entry that `statx` saw and is on the root's mount.
    func openChildDirectory(_ parent: Int32, _ name: EntryName, at path: HomePath) -> Result<Int32, Obstacle> {
        let seen: EntryStatus
        switch EntryStatus.of(name, in: parent) {
        case .success(let status): seen = status
        case .failure(let error):
            return .failure(error.code == ENOENT ? .missing : .system(path, error))
        }
        switch seen.kind {
        case .directory: break
        case .symbolicLink: return .failure(.symbolicLink(path))
        default: return .failure(.notADirectory(path))
        }
        guard !crossesMount(seen) else { return .failure(.mountPoint(path)) }
        let child = name.withCString { openat(parent, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
        guard child >= 0 else {
            let code = errno
            if code == ENOTDIR || code == ELOOP { return .failure(.changed(path)) }
            return .failure(code == ENOENT ? .missing : .system(path, SystemError(code)))
        }
        guard case .success(let opened) = EntryStatus.of(descriptor: child), opened.isSameEntry(as: seen), !crossesMount(opened) else {
            close(child)
            return .failure(.changed(path))
        }
        return .success(child)
    }

    /// A folder on another mount (another filesystem, or a bind mount of the same one) is never entered.
    /// The root itself may be a mount point (a home on its own partition or tmpfs, a bind-mounted /tmp).
    public func crossesMount(_ status: EntryStatus) -> Bool {
        if status.isSameEntry(as: self.status) && status.mountID == self.status.mountID { return false }
        return status.mountID != self.status.mountID || status.isMountRoot || status.device != self.status.device
    }

    /// The status of the entry at `relative`, without following a link at any step.
    public func status(of relative: HomePath) -> Result<EntryStatus, Obstacle> {
        guard let name = relative.last else { return .success(status) }
        let parentPath = relative.parent
        switch openDirectory(parentPath) {
        case .failure(let obstacle): return .failure(obstacle)
        case .success(let parent):
            defer { close(parent) }
            switch EntryStatus.of(name, in: parent) {
            case .success(let status): return .success(status)
            case .failure(let error): return .failure(error.code == ENOENT ? .missing : .system(relative, error))
            }
        }
    }

    /// The names in the folder at `relative` (no `.` nor `..`), sorted.
    public func list(_ relative: HomePath) -> Result<[(name: EntryName, status: EntryStatus)], Obstacle> {
        switch openDirectory(relative) {
        case .failure(let obstacle): return .failure(obstacle)
        case .success(let fd):
            defer { close(fd) }
            var entries: [(name: EntryName, status: EntryStatus)] = []
            let outcome = DirectoryReader.forEach(in: fd) { name in
                if case .success(let status) = EntryStatus.of(name, in: fd) { entries.append((name, status)) }
            }
            if case .failure(let error) = outcome { return .failure(.system(relative, error)) }
            return .success(entries.sorted { $0.name < $1.name })
        }
    }
}

/// Reads a directory through its own duplicate descriptor, so the caller's descriptor stays usable.
enum DirectoryReader {
    static func forEach(in directory: Int32, _ body: (EntryName) -> Void) -> Result<Void, SystemError> {
        let copy = dup(directory)
        guard copy >= 0 else { return .failure(SystemError(errno)) }
        lseek(copy, 0, SEEK_SET)
        guard let stream = fdopendir(copy) else {
            let code = errno
            close(copy)
            return .failure(SystemError(code))
        }
        defer { closedir(stream) }
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                return errno == 0 ? .success(()) : .failure(SystemError(errno))
            }
            let name: EntryName? = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                let length = raw.firstIndex(of: 0) ?? raw.count
                return EntryName(bytes: raw[..<length])
            }
            guard let name, !name.isDotOrDotDot else { continue }
            body(name)
        }
    }
}
