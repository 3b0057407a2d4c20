import ArdoiseCore
import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO

/// Where the fleet store is and who connects to it: a `postgresql://USER@HOST:PORT/DATABASE` address (or, on the
/// server itself, `postgresql://USER@/DATABASE?host=/run/postgresql`), the password read from a file of its own.
public struct FleetDatabase: Sendable, Equatable {
    public enum Place: Sendable, Equatable {
        case socket(directory: String, port: Int)
        case network(host: String, port: Int)
    }

    public var place: Place
    public var database: String
    public var user: String
    public var password: String?
    /// Over the network the connection is encrypted and the server's certificate checked (against `caFile`, or the
    /// system's authorities); plain only for the machine itself, when the address says `sslmode=disable`.
    public var encrypted: Bool
    public var caFile: String?

    public init(address: String, password: String? = nil, caFile: String? = nil) throws(FleetError) {
        guard let parts = URLComponents(string: address), ["postgresql", "postgres"].contains(parts.scheme ?? "") else {
            throw .badAddress(address, .form)
        }
        let query = Dictionary((parts.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let port = parts.port ?? Int(query["port"] ?? "") ?? 5432
        guard let user = parts.user, !user.isEmpty else { throw .badAddress(address, .form) }
        let database = String(parts.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw .badAddress(address, .form) }
        guard parts.password == nil else { throw .badAddress(address, .passwordInAddress) }
        if let socket = query["host"], socket.hasPrefix("/") {
            place = .socket(directory: socket, port: port)
            encrypted = false
        } else if let host = parts.host, !host.isEmpty {
            place = .network(host: host, port: port)
            let local = ["localhost", "127.0.0.1", "::1"].contains(host)
            switch query["sslmode"] ?? "require" {
            case "require", "verify-full": encrypted = true
            case "disable" where local: encrypted = false
            case "disable": throw .badAddress(address, .clearOverNetwork)
            default: throw .badAddress(address, .sslMode)
            }
        } else {
            throw .badAddress(address, .form)
        }
        self.user = user
        self.database = database
        self.password = password
        self.caFile = caFile
    }

    /// The password from `file`: its first line. The file must be the caller's alone (mode 0600 or stricter).
    public static func password(from file: String) throws(FleetError) -> String {
        let text: String
        switch SmallFile.secret(file, limit: 4096) {
        case .success(let bytes): text = String(decoding: bytes, as: UTF8.self)
        case .failure(let problem): throw .passwordFile(file, problem.reason)
        }
        let password = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard !password.isEmpty else { throw .passwordFile(file, "empty") }
        return password
    }

    func configuration() throws(FleetError) -> PostgresConnection.Configuration {
        switch place {
        case .socket(let directory, let port):
            return PostgresConnection.Configuration(unixSocketPath: directory + "/.s.PGSQL.\(port)", username: user, password: password, database: database)
        case .network(let host, let port):
            var tls: PostgresConnection.Configuration.TLS = .disable
            if encrypted {
                var settings = TLSConfiguration.makeClientConfiguration()
                if let caFile { settings.trustRoots = .file(caFile) }
                do { tls = .require(try NIOSSLContext(configuration: settings)) } catch { throw .cannotConnect("TLS: \(error)") }
            }
            return PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
    }

    /// One connection, for one command: opened, used, closed.
    public func withConnection<T: Sendable>(_ body: (PostgresConnection, Logger) async throws -> T) async throws -> T {
        let logger = Logger(label: "ardoise.fleet")
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: try configuration(), id: 1, logger: logger)
        } catch let error as FleetError {
            throw error
        } catch {
            throw FleetError.cannotConnect(FleetError.describe(error))
        }
        do {
            let result = try await body(connection, logger)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

/// What went wrong with the fleet store, said so that an administrator can act on it.
public enum FleetError: Error, Sendable, Equatable {
    public enum AddressProblem: Sendable, Equatable {
        case form, passwordInAddress, clearOverNetwork, sslMode
    }

    case badAddress(String, AddressProblem)
    case passwordFile(String, String)
    case cannotConnect(String)
    case refused(String)
    case badName(String)
    case notEnrolled
    case diverged(journal: String, sequence: Int64)
    case journal(String)

    public func message(_ language: Language) -> String {
        let fr = language == .french
        switch self {
        case .badAddress(let address, let problem):
            let why: String
            switch problem {
            case .form: why = fr ? "attendu postgresql://COMPTE@SERVEUR/BASE" : "expected postgresql://USER@HOST/DATABASE"
            case .passwordInAddress: why = fr ? "le mot de passe va dans un fichier à part, jamais dans l'adresse" : "the password goes in a file of its own, never in the address"
            case .clearOverNetwork: why = fr ? "sslmode=disable est réservé à la machine elle-même : les journaux traversent le réseau chiffrés"
                                             : "sslmode=disable is for the machine itself only: journals cross the network encrypted"
            case .sslMode: why = fr ? "sslmode=require ou disable" : "sslmode=require or disable"
            }
            return fr ? "adresse de la base refusée « \(address) » : \(why)" : "database address refused \"\(address)\": \(why)"
        case .passwordFile(let file, let why):
            return fr ? "fichier de mot de passe \(file) : \(why)" : "password file \(file): \(why)"
        case .cannotConnect(let why):
            return fr ? "connexion à la base impossible : \(why)" : "cannot connect to the database: \(why)"
        case .refused(let why):
            return fr ? "la base a refusé : \(why)" : "the database refused: \(why)"
        case .badName(let name):
            return fr ? "nom de poste refusé « \(name) » : lettres minuscules, chiffres et tirets, 40 au plus"
                : "kiosk name refused \"\(name)\": lower-case letters, digits and hyphens, 40 at most"
        case .notEnrolled:
            return fr ? "ce compte n'est pas celui d'un poste inscrit (ardoise-fleet enroll)" : "this account is not an enrolled kiosk's (ardoise-fleet enroll)"
        case .diverged(let journal, let sequence):
            return fr ? "le journal \(journal) du poste et sa copie dans la base diffèrent à l'événement \(sequence) : rien n'a été envoyé ; lancez ardoise journal verify et ardoise-fleet verify"
                : "journal \(journal) on this kiosk and its copy in the database differ at event \(sequence): nothing was sent; run ardoise journal verify and ardoise-fleet verify"
        case .journal(let why):
            return fr ? "journal local : \(why)" : "local journal: \(why)"
        }
    }

    /// The server's own words for an error (PostgresNIO hides them from the error's description).
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return message + (error.serverInfo?[.sqlState].map { " (\($0))" } ?? "")
            }
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "\(error.code)"
        }
        return "\(error)"
    }

    static func from(_ error: any Error) -> FleetError {
        if let error = error as? FleetError { return error }
        return .refused(describe(error))
    }
}
