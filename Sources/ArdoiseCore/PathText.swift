extension String {
    /// The last part of a path as text (`/a/b/` → `b`, `/` → `/`), as NSString says it.
    public var lastPathComponent: String {
        let parts = split(separator: "/", omittingEmptySubsequences: true)
        guard let last = parts.last else { return hasPrefix("/") ? "/" : "" }
        return String(last)
    }

    /// The path without its last part (`/a/b` → `/a`, `/a` → `/`, `a` → ``), as NSString says it.
    public var deletingLastPathComponent: String {
        var parts = split(separator: "/", omittingEmptySubsequences: true)
        let absolute = hasPrefix("/")
        guard !parts.isEmpty else { return absolute ? "/" : "" }
        parts.removeLast()
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : joined
    }
}
