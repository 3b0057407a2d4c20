import CSQLite
import FoundationEssentials
import Glibc

/// What SQLite said when it refused: its extended result code and its sentence.
public struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: Int32
    public let message: String

    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    public var primaryCode: Int32 { code & 0xFF }
    /// SQLITE_IOERR_SHORT_READ (a macro Swift does not import): the file ends before a page it needs.
    public static let shortRead = SQLITE_IOERR | 2 << 8
    public var description: String { "SQLite error \(code): \(message)" }
}

/// One SQLite file, used by one thread at a time: every block runs under the lock.
public final class SQLiteDatabase: @unchecked Sendable {
    public enum Access: Sendable { case readWrite, readOnly }

    public let path: String
    private let handle: OpaquePointer
    private let lock = Lock()

    /// Opens (or creates, read-write) the file; `prepare` runs once on the new connection (pragmas).
    public init(path: String, access: Access = .readWrite, busyTimeout: TimeInterval = 10,
                prepare: (SQLiteConnection) throws -> Void = { _ in }) throws {
        self.path = path
        var opened: OpaquePointer?
        let flags = (access == .readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let status = sqlite3_open_v2(path, &opened, flags, nil)
        guard status == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
            sqlite3_close_v2(opened)
            throw SQLiteError(code: status, message: message)
        }
        handle = opened
        sqlite3_busy_timeout(opened, Int32(clamping: Int64(busyTimeout * 1000)))
        do {
            let connection = SQLiteConnection(handle: opened)
            // A file that is not a database says so here, not at its first query.
            try connection.execute(sql: "SELECT * FROM sqlite_master LIMIT 1")
            try prepare(connection)
        } catch {
            sqlite3_close_v2(opened)
            throw error
        }
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs `body` on the connection, without a transaction of its own.
    public func withConnection<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try lock.withLock { try body(SQLiteConnection(handle: handle)) }
    }

    /// Runs `body` in a read transaction: every statement in it sees one state of the file.
    public func read<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try withConnection { db in try db.inTransaction(.deferred) { try body(db) } }
    }

    /// Runs `body` in a write transaction taken at once (`BEGIN IMMEDIATE`), committed when it returns.
    public func write<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try withConnection { db in try db.inTransaction(.immediate) { try body(db) } }
    }
}

/// The connection a block of `SQLiteDatabase` is given; valid only inside that block.
public struct SQLiteConnection {
    public enum TransactionKind: String, Sendable { case deferred = "DEFERRED", immediate = "IMMEDIATE" }

    public let handle: OpaquePointer

    /// The error of the call that just failed.
    func error(_ status: Int32) -> SQLiteError {
        SQLiteError(code: status, message: String(cString: sqlite3_errmsg(handle)))
    }

    /// Runs every statement of `sql` (with `arguments`, a single statement only).
    public func execute(sql: String, arguments: SQLiteArguments = []) throws {
        if arguments.values.isEmpty {
            var message: UnsafeMutablePointer<CChar>?
            let status = sqlite3_exec(handle, sql, nil, nil, &message)
            guard status == SQLITE_OK else {
                let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
                sqlite3_free(message)
                throw SQLiteError(code: sqlite3_extended_errcode(handle), message: text)
            }
            return
        }
        try makeStatement(sql: sql).execute(arguments: arguments)
    }

    public func makeStatement(sql: String) throws -> SQLiteStatement {
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard status == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw status == SQLITE_OK ? SQLiteError(code: SQLITE_MISUSE, message: "empty statement") : error(status)
        }
        return SQLiteStatement(handle: statement, connection: self)
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func inTransaction<T>(_ kind: TransactionKind, _ body: () throws -> T) throws -> T {
        try execute(sql: "BEGIN \(kind.rawValue) TRANSACTION")
        let result: T
        do {
            result = try body()
            try execute(sql: "COMMIT TRANSACTION")
        } catch {
            // A failed COMMIT (disk full) may leave the transaction open: it is undone, and the first error told.
            if sqlite3_get_autocommit(handle) == 0 { try? execute(sql: "ROLLBACK TRANSACTION") }
            throw error
        }
        return result
    }

    /// The names of a table's columns, in order.
    public func columns(in table: String) throws -> [String] {
        let statement = try makeStatement(sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid")
        return try String.fetchAll(statement, arguments: [table])
    }
}

/// A prepared statement; finalized when released.
public final class SQLiteStatement {
    public let handle: OpaquePointer
    let connection: SQLiteConnection

    init(handle: OpaquePointer, connection: SQLiteConnection) {
        self.handle = handle
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    /// Resets the statement and binds `arguments` to its parameters, from the first.
    public func setArguments(_ arguments: SQLiteArguments) throws {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        guard arguments.values.count == Int(sqlite3_bind_parameter_count(handle)) else {
            throw SQLiteError(code: SQLITE_RANGE, message: "\(arguments.values.count) arguments for \(sqlite3_bind_parameter_count(handle)) parameters")
        }
        for (offset, value) in arguments.values.enumerated() {
            let index = Int32(offset + 1)
            let status = value?.bind(to: handle, at: index) ?? sqlite3_bind_null(handle, index)
            guard status == SQLITE_OK else { throw connection.error(status) }
        }
    }

    public func reset() { sqlite3_reset(handle) }

    /// Binds one parameter (counted from 1); nil binds NULL.
    public func bind<T: SQLiteBindable>(_ value: T?, at index: Int32) throws {
        let status = value?.bind(to: handle, at: index) ?? sqlite3_bind_null(handle, index)
        guard status == SQLITE_OK else { throw connection.error(status) }
    }

    /// The next row, or false at the end.
    public func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let status: throw connection.error(status)
        }
    }

    public func execute(arguments: SQLiteArguments = []) throws {
        try setArguments(arguments)
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    /// The rows, read one at a time.
    public func rows(arguments: SQLiteArguments = []) throws -> SQLiteRows {
        try setArguments(arguments)
        return SQLiteRows(statement: self)
    }
}

/// Rows read one at a time from a statement.
public struct SQLiteRows {
    let statement: SQLiteStatement

    public func next() throws -> SQLiteRow? {
        guard try statement.step() else {
            sqlite3_reset(statement.handle)
            return nil
        }
        return SQLiteRow(statement.handle)
    }
}

/// A row's values, copied out of SQLite.
public struct SQLiteRow: Sendable {
    public enum Value: Sendable, Equatable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
        case blob([UInt8])
    }

    public let values: [Value]

    init(_ statement: OpaquePointer) {
        values = (0..<sqlite3_column_count(statement)).map { column in
            switch sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER: .integer(sqlite3_column_int64(statement, column))
            case SQLITE_FLOAT: .real(sqlite3_column_double(statement, column))
            case SQLITE_TEXT: .text(String(decoding: SQLiteColumn.bytes(statement, column, text: true), as: UTF8.self))
            case SQLITE_BLOB: .blob([UInt8](SQLiteColumn.bytes(statement, column, text: false)))
            default: .null
            }
        }
    }

    /// A value that must be there and of this kind (a schema fact, not user input).
    public subscript<T: SQLiteValue>(_ column: Int) -> T {
        guard let value = T(values[column]) else { preconditionFailure("column \(column): \(values[column]) is not \(T.self)") }
        return value
    }

    public subscript<T: SQLiteValue>(_ column: Int) -> T? { T(values[column]) }

    public static func fetchOne(_ db: SQLiteConnection, sql: String, arguments: SQLiteArguments = []) throws -> SQLiteRow? {
        try db.makeStatement(sql: sql).rows(arguments: arguments).next()
    }

    public static func fetchAll(_ db: SQLiteConnection, sql: String, arguments: SQLiteArguments = []) throws -> [SQLiteRow] {
        let rows = try db.makeStatement(sql: sql).rows(arguments: arguments)
        var all: [SQLiteRow] = []
        while let row = try rows.next() { all.append(row) }
        return all
    }

    /// The rows one at a time: a large table is never held whole.
    public static func fetchCursor(_ db: SQLiteConnection, sql: String, arguments: SQLiteArguments = []) throws -> SQLiteRows {
        try db.makeStatement(sql: sql).rows(arguments: arguments)
    }
}

enum SQLiteColumn {
    /// A column's bytes, valid until the statement steps or is reset.
    static func bytes(_ statement: OpaquePointer, _ column: Int32, text: Bool) -> UnsafeRawBufferPointer {
        let start: UnsafeRawPointer? = text ? sqlite3_column_text(statement, column).map(UnsafeRawPointer.init) : sqlite3_column_blob(statement, column)
        return UnsafeRawBufferPointer(start: start, count: Int(sqlite3_column_bytes(statement, column)))
    }
}

/// Something a statement's parameter can be bound to.
public protocol SQLiteBindable {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32
}

/// A value read back from a column; nil for NULL or a value of another kind.
public protocol SQLiteValue: SQLiteBindable {
    init?(_ value: SQLiteRow.Value)
    /// Read in place, without copying the row.
    static func column(_ statement: OpaquePointer, _ index: Int32) -> Self?
}

extension SQLiteValue {
    public static func fetchOne(_ db: SQLiteConnection, sql: String, arguments: SQLiteArguments = []) throws -> Self? {
        try fetchOne(db.makeStatement(sql: sql), arguments: arguments)
    }

    public static func fetchOne(_ statement: SQLiteStatement, arguments: SQLiteArguments = []) throws -> Self? {
        try statement.setArguments(arguments)
        defer { sqlite3_reset(statement.handle) }
        return try statement.step() ? column(statement.handle, 0) : nil
    }

    public static func fetchAll(_ db: SQLiteConnection, sql: String, arguments: SQLiteArguments = []) throws -> [Self] {
        try fetchAll(db.makeStatement(sql: sql), arguments: arguments)
    }

    public static func fetchAll(_ statement: SQLiteStatement, arguments: SQLiteArguments = []) throws -> [Self] {
        try statement.setArguments(arguments)
        defer { sqlite3_reset(statement.handle) }
        var all: [Self] = []
        while try statement.step() { if let value = column(statement.handle, 0) { all.append(value) } }
        return all
    }

}

/// SQLITE_TRANSIENT: SQLite copies the bytes before the call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

extension Int64: SQLiteValue {
    public init?(_ value: SQLiteRow.Value) {
        guard case .integer(let integer) = value else { return nil }
        self = integer
    }

    public static func column(_ statement: OpaquePointer, _ index: Int32) -> Int64? {
        sqlite3_column_type(statement, index) == SQLITE_INTEGER ? sqlite3_column_int64(statement, index) : nil
    }

    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 { sqlite3_bind_int64(statement, index, self) }
}

extension Int: SQLiteValue {
    public init?(_ value: SQLiteRow.Value) {
        guard let integer = Int64(value) else { return nil }
        self.init(integer)
    }

    public static func column(_ statement: OpaquePointer, _ index: Int32) -> Int? { Int64.column(statement, index).map(Int.init) }

    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 { sqlite3_bind_int64(statement, index, Int64(self)) }
}

extension String: SQLiteValue {
    public init?(_ value: SQLiteRow.Value) {
        switch value {
        case .text(let text): self = text
        case .blob(let bytes): self.init(decoding: bytes, as: UTF8.self)
        default: return nil
        }
    }

    public static func column(_ statement: OpaquePointer, _ index: Int32) -> String? {
        let type = sqlite3_column_type(statement, index)
        guard type == SQLITE_TEXT || type == SQLITE_BLOB else { return nil }
        return String(decoding: SQLiteColumn.bytes(statement, index, text: true), as: UTF8.self)
    }

    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        var text = self
        return text.withUTF8 { bytes in
            // An empty buffer may have no address: SQLite is given an empty string of its own.
            guard let base = bytes.baseAddress else { return sqlite3_bind_text(statement, index, "", 0, transient) }
            return sqlite3_bind_text(statement, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count), transient)
        }
    }
}

extension Data: SQLiteValue {
    public init?(_ value: SQLiteRow.Value) {
        switch value {
        case .blob(let bytes): self.init(bytes)
        case .text(let text): self.init(text.utf8)
        default: return nil
        }
    }

    public static func column(_ statement: OpaquePointer, _ index: Int32) -> Data? {
        let type = sqlite3_column_type(statement, index)
        guard type == SQLITE_BLOB || type == SQLITE_TEXT else { return nil }
        return Data(SQLiteColumn.bytes(statement, index, text: type == SQLITE_TEXT))
    }

    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        withUnsafeBytes { sqlite3_bind_blob(statement, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32($0.count), transient) }
    }
}

extension Array: SQLiteBindable where Element == UInt8 {
    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        withUnsafeBytes { sqlite3_bind_blob(statement, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32($0.count), transient) }
    }
}

/// A statement's parameters, in order; nil binds NULL.
public struct SQLiteArguments: ExpressibleByArrayLiteral {
    public var values: [(any SQLiteBindable)?]

    public init(_ values: [(any SQLiteBindable)?]) { self.values = values }
    public init<S: Sequence>(_ values: S) where S.Element: SQLiteBindable { self.values = values.map { $0 } }
    public init(arrayLiteral elements: (any SQLiteBindable)?...) { values = elements }

    public static func + (lhs: SQLiteArguments, rhs: SQLiteArguments) -> SQLiteArguments { SQLiteArguments(lhs.values + rhs.values) }
    public static func += (lhs: inout SQLiteArguments, rhs: SQLiteArguments) { lhs.values += rhs.values }
}

/// The migrations of a schema, applied in order, each in a transaction of its own, once. Their names are kept in
/// `grdb_migrations`, the table earlier versions of the journal already record them in.
public struct SQLiteMigrations {
    private var steps: [(identifier: String, body: (SQLiteConnection) throws -> Void)] = []

    public init() {}

    public mutating func register(_ identifier: String, _ body: @escaping (SQLiteConnection) throws -> Void) {
        steps.append((identifier, body))
    }

    public func applied(_ db: SQLiteConnection) throws -> Set<String> {
        guard try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'grdb_migrations'") == 1 else { return [] }
        return Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
    }

    /// Applies the migrations not yet applied; none applied takes no write lock (another program may be writing).
    public func migrate(_ database: SQLiteDatabase) throws {
        try database.withConnection { db in
            let before = try applied(db)
            for step in steps where !before.contains(step.identifier) {
                try db.inTransaction(.immediate) {
                    // Another program may have applied it between the reading and the lock.
                    guard try !applied(db).contains(step.identifier) else { return }
                    try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                    try step.body(db)
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [step.identifier])
                }
            }
        }
    }
}
