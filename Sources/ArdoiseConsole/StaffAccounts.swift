import ArdoiseCore
import FoundationEssentials
import Glibc
import HummingbirdBcrypt

/// Who may open the console: `name:bcrypt-hash` lines in a file only its owner can read (`ardoise-console add-staff`).
public struct StaffAccounts: Sendable {
    public struct Problem: Error, Sendable, Equatable {
        public var path: String
        public var line: Int?
        public var reason: String

        public func message(_ language: Language) -> String {
            let place = line.map { "\(path):\($0)" } ?? path
            return "\(place): \(reason)"
        }
    }

    let hashes: [String: String]

    public var names: [String] { hashes.keys.sorted() }

    init(hashes: [String: String]) { self.hashes = hashes }

    /// A name staff type: letters, digits, `.`, `-`, `_`, 1 to 64 of them.
    public static func validName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }

    /// Reads the file; refused if others may read or write it, or if a line is not `name:hash`.
    public static func load(path: String) throws(Problem) -> StaffAccounts {
        let bytes: [UInt8]
        switch SmallFile.secret(path, limit: 1 << 20) {
        case .success(let contents): bytes = contents
        case .failure(let problem): throw Problem(path: path, reason: problem.reason)
        }
        return try parse(String(decoding: bytes, as: UTF8.self), path: path)
    }

    static func parse(_ text: String, path: String) throws(Problem) -> StaffAccounts {
        var hashes: [String: String] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, validName(String(parts[0])), parts[1].hasPrefix("$2"), parts[1].utf8.count == 60 else {
                throw Problem(path: path, line: index + 1, reason: "expected name:bcrypt-hash (ardoise-console add-staff writes them)")
            }
            guard hashes[String(parts[0])] == nil else { throw Problem(path: path, line: index + 1, reason: "\(parts[0]) appears twice") }
            hashes[String(parts[0])] = String(parts[1])
        }
        return StaffAccounts(hashes: hashes)
    }

    /// Whether `password` is `name`'s; an unknown name costs the same time as a known one.
    public func verify(name: String, password: String) -> Bool {
        let hash = hashes[name] ?? Self.unknownNameHash
        let matches = Bcrypt.verify(password, hash: hash)
        return matches && hashes[name] != nil
    }

    /// bcrypt reads 72 bytes of a password: a longer one is refused rather than cut without a word.
    public static let longestPassword = 72
    public static let shortestPassword = 10

    /// A line for the file: the name and a new hash of the password (cost 12).
    public static func line(name: String, password: String) -> String {
        name + ":" + Bcrypt.hash(password, cost: 12)
    }

    static let unknownNameHash = Bcrypt.hash("ardoise: no such staff account", cost: 12)
}
