import CLinux
import Glibc

/// The extended attributes of one entry that a visitor can set and that change what the next person gets: `user.*`
/// and the POSIX ACLs (`system.posix_acl_access`, `system.posix_acl_default`). Read and written on an open descriptor only.
public struct ExtendedAttributes: Sendable, Equatable {
    public var values: [String: [UInt8]]

    public init(_ values: [String: [UInt8]] = [:]) { self.values = values }

    public var isEmpty: Bool { values.isEmpty }

    /// `security.*` is the kernel's (capabilities, SELinux labels) and `trusted.*` needs root: neither is a visitor's.
    static func isCovered(_ name: String) -> Bool {
        name.hasPrefix("user.") || name == "system.posix_acl_access" || name == "system.posix_acl_default"
    }

    /// What `descriptor` carries; a filesystem without extended attributes carries none.
    public static func of(descriptor: Int32) -> Result<ExtendedAttributes, SystemError> {
        var names = [CChar]()
        while true {
            let size = flistxattr(descriptor, nil, 0)
            if size < 0 { return errno == ENOTSUP ? .success(ExtendedAttributes()) : .failure(SystemError(errno)) }
            if size == 0 { return .success(ExtendedAttributes()) }
            names = [CChar](repeating: 0, count: size)
            let got = flistxattr(descriptor, &names, size)
            if got >= 0 { names.removeLast(size - got); break }
            if errno != ERANGE { return .failure(SystemError(errno)) }
        }
        var values: [String: [UInt8]] = [:]
        for raw in names.split(separator: 0) {
            let name = String(decoding: raw.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard isCovered(name) else { continue }
            switch value(name, of: descriptor) {
            case .success(let bytes?): values[name] = bytes
            case .success(nil): continue
            case .failure(let error): return .failure(error)
            }
        }
        return .success(ExtendedAttributes(values))
    }

    private static func value(_ name: String, of descriptor: Int32) -> Result<[UInt8]?, SystemError> {
        while true {
            let size = fgetxattr(descriptor, name, nil, 0)
            if size < 0 { return errno == ENODATA ? .success(nil) : .failure(SystemError(errno)) }
            var bytes = [UInt8](repeating: 0, count: size)
            let got = bytes.withUnsafeMutableBytes { fgetxattr(descriptor, name, $0.baseAddress, size) }
            if got >= 0 { return .success(Array(bytes.prefix(got))) }
            if errno != ERANGE { return .failure(SystemError(errno)) }
        }
    }

    /// Makes `descriptor` carry exactly these attributes (of the covered ones); the names that could not be set, and why.
    public func apply(to descriptor: Int32, replacing current: ExtendedAttributes) -> [(name: String, error: SystemError)] {
        var failures: [(name: String, error: SystemError)] = []
        for name in current.values.keys.sorted() where values[name] == nil {
            if fremovexattr(descriptor, name) != 0 && errno != ENODATA { failures.append((name, SystemError(errno))) }
        }
        for (name, bytes) in values.sorted(by: { $0.key < $1.key }) where current.values[name] != bytes {
            let set = bytes.withUnsafeBytes { fsetxattr(descriptor, name, $0.baseAddress, $0.count, 0) }
            if set != 0 { failures.append((name, SystemError(errno))) }
        }
        return failures
    }
}
