/// One component of a path: any bytes but `/` and NUL, as the kernel allows (not always valid UTF-8).
public struct EntryName: Hashable, Sendable, Comparable {
    /// The bytes followed by a NUL, ready for a system call.
    private let terminated: [CChar]

    public init?(bytes: some Collection<UInt8>) {
        guard !bytes.isEmpty, !bytes.contains(0), !bytes.contains(UInt8(ascii: "/")) else { return nil }
        var buffer = [CChar]()
        buffer.reserveCapacity(bytes.count + 1)
        for byte in bytes { buffer.append(CChar(bitPattern: byte)) }
        buffer.append(0)
        terminated = buffer
    }

    public init?(_ string: String) {
        self.init(bytes: Array(string.utf8))
    }

    public var bytes: [UInt8] { terminated.dropLast().map { UInt8(bitPattern: $0) } }

    public var isDotOrDotDot: Bool {
        terminated == [46, 0] || terminated == [46, 46, 0]
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    public func withCString<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        try terminated.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    public static func < (lhs: EntryName, rhs: EntryName) -> Bool {
        lhs.terminated.lexicographicallyPrecedes(rhs.terminated)
    }
}

/// A path below an opened root (a home, a temporary folder), never absolute, never with `.` or `..`.
public struct HomePath: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var components: [EntryName]

    public init(_ components: [EntryName] = []) { self.components = components }

    /// Parses `a/b/c`; `nil` for an absolute path, an empty one, or one with `.` or `..`.
    public init?(_ string: String) {
        var parts: [EntryName] = []
        for piece in string.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            guard let name = EntryName(bytes: piece), !name.isDotOrDotDot else { return nil }
            parts.append(name)
        }
        guard !string.hasPrefix("/") else { return nil }
        components = parts
    }

    public var isEmpty: Bool { components.isEmpty }
    public var last: EntryName? { components.last }
    public var parent: HomePath { HomePath(Array(components.dropLast())) }

    public func appending(_ name: EntryName) -> HomePath { HomePath(components + [name]) }
    public func appending(_ other: HomePath) -> HomePath { HomePath(components + other.components) }

    public func hasPrefix(_ other: HomePath) -> Bool {
        components.count >= other.components.count && Array(components.prefix(other.components.count)) == other.components
    }

    /// The raw bytes, components joined by `/`.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        for (index, name) in components.enumerated() {
            if index > 0 { out.append(UInt8(ascii: "/")) }
            out.append(contentsOf: name.bytes)
        }
        return out
    }

    /// Printable text: invalid UTF-8, control characters and bidi overrides are shown escaped (`\n`, `\xff`, `\u{202e}`).
    public var description: String { Self.printable(bytes) }

    public static func < (lhs: HomePath, rhs: HomePath) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    static func printable(_ bytes: [UInt8]) -> String { DisplayText.escaped(bytes: bytes, limit: 4096) }
}
