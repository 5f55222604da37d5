import Crypto
import FluentKit
import Foundation
import PartnerCore
import SQLKit
import SQLiteNIO

public enum DatabaseKind: String, Sendable {
    case sqlite, postgres
}

public enum StoreError: Error, Equatable, Sendable {
    /// The object does not exist or is not visible to the acting context (answered as 404).
    case notFound
    /// A unique key is taken (for example an e-mail address).
    case conflict(field: String)
}

/// The store was handed a database it cannot work with: one that does not speak SQL (every
/// driver the application configures does), or a savepoint asked for outside a transaction.
/// A programming or configuration error, thrown instead of trapping (R-H1); answered as 500.
public struct DatabaseMisconfigured: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "database misconfigured: \(reason)" }
}

/// A stored value the domain cannot use (a row edited behind the application's back, or an
/// old row a later rule refuses): thrown instead of reaching a trap (R-H1); answered as 500.
public struct InvalidStoredValue: Error, Sendable, CustomStringConvertible {
    public let table: String
    public let column: String
    public let value: String
    public init(table: String, column: String, value: String) {
        self.table = table
        self.column = column
        self.value = value
    }
    public var description: String { "\(table).\(column) holds \(value), which the application cannot use" }
}

extension Database {
    /// This database as SQLKit's; throws instead of trapping when the driver is not an SQL one.
    func requireSQL() throws -> any SQLDatabase {
        guard let sql = self as? any SQLDatabase else { throw DatabaseMisconfigured("\(type(of: self)) is not an SQL database") }
        return sql
    }
}

/// The persistence layer's front door: repositories are extensions on it. `write` runs a body in
/// one transaction; on SQLite writers are serialised in process so no transaction fails with
/// SQLITE_BUSY when it upgrades from reading to writing.
public struct Store: Sendable {
    public let database: any Database
    public let kind: DatabaseKind
    let gate: WriteGate?

    public init(database: any Database, kind: DatabaseKind) {
        self.database = database
        self.kind = kind
        self.gate = kind == .sqlite ? WriteGate.shared : nil
    }

    init(transaction: any Database, kind: DatabaseKind) {
        self.database = transaction
        self.kind = kind
        self.gate = nil
    }

    /// The database as SQLKit's (SQLite and PostgreSQL both are); throws rather than trapping.
    var sql: any SQLDatabase {
        get throws { try database.requireSQL() }
    }

    /// Runs `body` in one transaction: everything or nothing is written.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Store) async throws -> T) async throws -> T {
        if let gate {
            return try await gate.withLock {
                try await database.withConnection { connection in
                    try await Self.tune(connection)
                    return try await connection.transaction { try await body(Store(transaction: $0, kind: kind)) }
                }
            }
        }
        if database.inTransaction { return try await body(self) }
        return try await database.transaction { try await body(Store(transaction: $0, kind: kind)) }
    }

    /// SQLite's settings that live per connection, set once on each connection that writes:
    /// `synchronous=NORMAL` (in WAL mode the WAL is synced at checkpoints, not at every commit;
    /// a crash loses no committed transaction's integrity), a 32 MB page cache (renewal batches
    /// touch many index pages), temporary journals in memory, and checkpoints every 8,000 pages.
    /// Connections are told apart by identity; a connection the pool replaced is tuned anew.
    static func tune(_ database: any Database) async throws {
        guard let lite = database as? any SQLiteDatabase else { return }
        try await lite.withConnection { connection in
            guard TunedConnections.shared.insert(ObjectIdentifier(connection)) else { return }
            for pragma in ["PRAGMA synchronous=NORMAL", "PRAGMA cache_size=-32768", "PRAGMA temp_store=MEMORY", "PRAGMA wal_autocheckpoint=8000"] {
                _ = try await connection.query(pragma)
            }
        }
    }

    /// Runs `body` inside a savepoint of the current transaction: if it throws, only its own
    /// changes are undone and the transaction goes on (batches of independent work, R-B8).
    public func savepoint<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        guard database.inTransaction else { throw DatabaseMisconfigured("savepoints live inside a transaction") }
        try await sql.raw("SAVEPOINT unit").run()
        do {
            let result = try await body()
            try await sql.raw("RELEASE SAVEPOINT unit").run()
            return result
        } catch {
            try await sql.raw("ROLLBACK TO SAVEPOINT unit").run()
            try await sql.raw("RELEASE SAVEPOINT unit").run()
            throw error
        }
    }

    /// SHA-256 as lower-case hex: tokens are stored only as this hash (R-P4), audit links use it (R-L1).
    public static func sha256Hex(_ text: String) -> String {
        // Hex by table, not String(format:) per byte: the audit chain hashes every event it writes.
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(text.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    typealias Bindable = any Encodable & Sendable

    /// A multi-row INSERT, cut into statements of at most about 20,000 bound values (SQLite
    /// here allows 250,000, PostgreSQL 65,535): the money paths write many rows in a few statements.
    func insertRows(_ table: String, columns: [String], rows: [[Bindable]], ignoringConflictsOn conflict: [String]? = nil) async throws {
        guard !rows.isEmpty else { return }
        let perStatement = max(1, 20_000 / max(1, columns.count))
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + perStatement)
            let builder = try sql.insert(into: table).columns(columns)
            for row in rows[start..<end] { builder.values(row) }
            if let conflict { builder.ignoringConflicts(with: conflict) }
            try await builder.run()
            start = end
        }
    }

    /// Which of `columns` a unique violation names (SQLite: "UNIQUE constraint failed: users.email";
    /// PostgreSQL: the constraint "uq:users.email").
    static func violatedColumn(_ error: any Error, among columns: [String]) -> String? {
        let text = String(reflecting: error)
        return columns.first { text.contains(".\($0)") }
    }

    /// Maps a unique-constraint violation on either database to `StoreError.conflict`.
    static func isUniqueViolation(_ error: any Error) -> Bool {
        if let error = error as? any DatabaseError, error.isConstraintFailure { return true }
        let text = String(reflecting: error)
        return text.contains("UNIQUE constraint failed") || text.contains("23505") || text.contains("unique")
    }
}

extension UUID {
    /// A time-ordered UUID (version 7: 48 bits of Unix milliseconds, then random bits from
    /// `getrandom`). Rows the money paths write in bulk get keys that grow with time, so their
    /// primary-key indexes fill at the end instead of at random pages (a renewal run over 100,000
    /// products spent most of its time reading and writing index pages). The time is no rule's
    /// input, only the keys' order; Foundation's `UUID()` also opened /dev/urandom per id.
    public static func timeOrdered() -> UUID {
        var generator = SystemRandomNumberGenerator()
        let millis = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
        var bytes = (generator.next() as UInt64, generator.next() as UInt64)
        return withUnsafeMutableBytes(of: &bytes) { raw in
            for index in 0..<6 { raw[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - index))) }
            raw[6] = (raw[6] & 0x0F) | 0x70
            raw[8] = (raw[8] & 0x3F) | 0x80
            return UUID(uuid: (raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7],
                               raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]))
        }
    }
}

/// The SQLite connections `Store.tune` has set up.
final class TunedConnections: @unchecked Sendable {
    static let shared = TunedConnections()
    private let lock = NSLock()
    private var seen = Set<ObjectIdentifier>()
    /// True the first time an identity is seen.
    func insert(_ id: ObjectIdentifier) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return seen.insert(id).inserted
    }
}

/// One writer at a time, FIFO; a tiny async mutex.
final class WriteGate: @unchecked Sendable {
    static let shared = WriteGate()
    private let lock = NSLock()
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func withLock<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if busy {
                waiters.append(continuation)
                lock.unlock()
            } else {
                busy = true
                lock.unlock()
                continuation.resume()
            }
        }
    }

    private func release() {
        lock.lock()
        if waiters.isEmpty {
            busy = false
            lock.unlock()
        } else {
            let next = waiters.removeFirst()
            lock.unlock()
            next.resume()
        }
    }
}

extension Store {
    /// Where a page of a list sorted by (time, id) ended: the API's keyset pagination.
    public struct TimeKey: Sendable, Hashable {
        public let time: Date
        public let id: UUID
        public init(time: Date, id: UUID) {
            self.time = time
            self.id = id
        }
    }
}
