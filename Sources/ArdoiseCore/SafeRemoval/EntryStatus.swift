import CLinux
import Glibc

/// What `statx` says of one directory entry, read without following a symbolic link.
public struct EntryStatus: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case directory, regular, symbolicLink, fifo, socket, characterDevice, blockDevice, unknown
    }

    public var kind: Kind
    public var size: UInt64
    public var mode: UInt32
    public var owner: UInt32
    public var group: UInt32
    public var inode: UInt64
    public var device: UInt64
    public var mountID: UInt64
    public var isMountRoot: Bool
    public var isImmutable: Bool
    public var isAppendOnly: Bool
    public var linkCount: UInt32
    public var modificationTime: Int64
    public var modificationNanoseconds: UInt32
    /// When the inode last changed (content, mode, owner, name): a user cannot set it back.
    public var changeTime: Int64

    /// Same inode on the same device: the entry was not swapped between two looks.
    public func isSameEntry(as other: EntryStatus) -> Bool {
        inode == other.inode && device == other.device
    }

    static let mask = UInt32(STATX_TYPE | STATX_MODE | STATX_SIZE | STATX_INO | STATX_UID | STATX_GID | STATX_NLINK | STATX_MTIME | STATX_CTIME | STATX_MNT_ID)

    init(_ raw: statx) {
        // The S_IF* values of <sys/stat.h>, written out: both Glibc and linux/stat.h define them.
        switch UInt32(raw.stx_mode) & 0o170000 {
        case 0o040000: kind = .directory
        case 0o100000: kind = .regular
        case 0o120000: kind = .symbolicLink
        case 0o010000: kind = .fifo
        case 0o140000: kind = .socket
        case 0o020000: kind = .characterDevice
        case 0o060000: kind = .blockDevice
        default: kind = .unknown
        }
        size = raw.stx_size
        mode = UInt32(raw.stx_mode) & 0o7777
        owner = raw.stx_uid
        group = raw.stx_gid
        inode = raw.stx_ino
        device = (UInt64(raw.stx_dev_major) << 32) | UInt64(raw.stx_dev_minor)
        mountID = raw.stx_mnt_id
        let attributes = raw.stx_attributes & raw.stx_attributes_mask
        isMountRoot = attributes & UInt64(STATX_ATTR_MOUNT_ROOT) != 0
        isImmutable = attributes & UInt64(STATX_ATTR_IMMUTABLE) != 0
        isAppendOnly = attributes & UInt64(STATX_ATTR_APPEND) != 0
        linkCount = raw.stx_nlink
        modificationTime = raw.stx_mtime.tv_sec
        modificationNanoseconds = raw.stx_mtime.tv_nsec
        changeTime = raw.stx_ctime.tv_sec * 1_000_000 + Int64(raw.stx_ctime.tv_nsec / 1000)
    }

    /// The entry `name` inside the directory `directory`, never following a link.
    static func of(_ name: EntryName, in directory: Int32) -> Result<EntryStatus, SystemError> {
        var raw = statx()
        let result = name.withCString { ardoise_statx(directory, $0, AT_SYMLINK_NOFOLLOW, mask, &raw) }
        return result == 0 ? .success(EntryStatus(raw)) : .failure(SystemError(errno))
    }

    /// The open file or directory `descriptor` itself.
    static func of(descriptor: Int32) -> Result<EntryStatus, SystemError> {
        var raw = statx()
        let result = ardoise_statx(descriptor, "", ardoise_at_empty_path | AT_SYMLINK_NOFOLLOW, mask, &raw)
        return result == 0 ? .success(EntryStatus(raw)) : .failure(SystemError(errno))
    }
}

/// An `errno` value with its text.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int32
    public init(_ code: Int32) { self.code = code }
    public var description: String { String(cString: strerror(code)) }
    public var symbol: String {
        switch code {
        case EPERM: "EPERM"
        case EACCES: "EACCES"
        case ENOENT: "ENOENT"
        case EBUSY: "EBUSY"
        case ENOTEMPTY: "ENOTEMPTY"
        case ENOTDIR: "ENOTDIR"
        case ELOOP: "ELOOP"
        case EROFS: "EROFS"
        case EXDEV: "EXDEV"
        case EMFILE: "EMFILE"
        case ENOSPC: "ENOSPC"
        case EIO: "EIO"
        default: "errno \(code)"
        }
    }
}
