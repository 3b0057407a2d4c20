import ArdoiseSystem
import Foundation
import Glibc

/// A real PostgreSQL server of the test's own: `initdb` in a temporary folder, `pg_ctl` started on a Unix socket and on
/// 127.0.0.1 (a free port), passwords checked by SCRAM over TCP, and TLS with a certificate made for the test.
/// As root (CI), the server runs as the `postgres` account Debian's package creates: PostgreSQL refuses to run as root.
final class PostgresCluster: @unchecked Sendable {
    let directory: String
    let port: Int
    let owner = "postgres"
    var socketDirectory: String { directory + "/socket" }
    var caFile: String { directory + "/ca.pem" }

    static let binaries: String? = {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        return versions.last.map { "\(root)/\($0)/bin" }
    }()

    static var available: Bool { binaries != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") }

    init() throws {
        guard let binaries = Self.binaries else { throw Failure("PostgreSQL is not installed (apt-get install postgresql)") }
        directory = NSTemporaryDirectory() + "ardoise-pg-" + UUID().uuidString
        port = Self.freePort()
        try FileManager.default.createDirectory(atPath: directory + "/socket", withIntermediateDirectories: true)
        // The certificate: a test authority, and the server's, for 127.0.0.1.
        try Self.shell("""
            cd '\(directory)' && \
            openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=ardoise test CA' -keyout ca.key -out ca.pem \
              -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null && \
            openssl req -newkey rsa:2048 -nodes -subj '/CN=127.0.0.1' -keyout server.key -out server.csr 2>/dev/null && \
            printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext && \
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out server.pem 2>/dev/null && \
            chmod 600 server.key
            """)
        if geteuid() == 0 { try Self.shell("chown -R \(owner) '\(directory)'") }
        try asOwner("'\(binaries)/initdb' -D '\(directory)/data' -U \(owner) -A trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null")
        let hba = """
            local all all trust
            hostssl all all 127.0.0.1/32 scram-sha-256
            hostnossl all all 127.0.0.1/32 scram-sha-256
            """
        try asOwner("printf '%s\\n' '\(hba)' > '\(directory)/data/pg_hba.conf'")
        let options = "-c listen_addresses=127.0.0.1 -p \(port) -k \(directory)/socket -c ssl=on -c ssl_cert_file=\(directory)/server.pem -c ssl_key_file=\(directory)/server.key -c fsync=off"
        try asOwner("'\(binaries)/pg_ctl' -D '\(directory)/data' -l '\(directory)/log' -w -t 60 -o '\(options)' start >/dev/null")
        try psql("CREATE DATABASE ardoise")
    }

    deinit {
        if let binaries = Self.binaries { try? asOwner("'\(binaries)/pg_ctl' -D '\(directory)/data' -m immediate -w stop >/dev/null 2>&1") }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The owner's address: the socket, no password.
    var ownerAddress: String { "postgresql://\(owner)@/ardoise?host=\(socketDirectory)&port=\(port)" }

    func tcpAddress(user: String, tls: Bool) -> String {
        "postgresql://\(user)@127.0.0.1:\(port)/ardoise" + (tls ? "" : "?sslmode=disable")
    }

    /// Runs SQL as the owner with psql; returns its output, unaligned, without headers.
    @discardableResult
    func psql(_ sql: String, database: String = "postgres") throws -> String {
        let file = directory + "/query-\(UUID().uuidString).sql"
        try sql.write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o644)
        defer { unlink(file) }
        return try asOwner("psql -X -q -A -t -v ON_ERROR_STOP=1 -h '\(socketDirectory)' -p \(port) -U \(owner) -d \(database) -f '\(file)'")
    }

    @discardableResult
    func asOwner(_ command: String) throws -> String {
        try Self.shell(geteuid() == 0 ? "runuser -u \(owner) -- sh -c \(Self.quoted(command))" : command)
    }

    static func quoted(_ text: String) -> String { "'" + text.replacing("'", with: "'\\''") + "'" }

    /// Runs `command` with its output in files, not pipes: a server it starts keeps inherited descriptors open, and a
    /// pipe would then never reach its end.
    @discardableResult
    static func shell(_ command: String) throws -> String {
        let base = NSTemporaryDirectory() + "ardoise-pg-out-" + UUID().uuidString
        defer { unlink(base + ".out"); unlink(base + ".err") }
        let code = Subprocess.run("/bin/sh", ["-c", "(\(command)) < /dev/null > '\(base).out' 2> '\(base).err'"]).code
        let out = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        guard code == 0 else {
            let err = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
            throw Failure("\(command): exit \(code): \(err)")
        }
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
