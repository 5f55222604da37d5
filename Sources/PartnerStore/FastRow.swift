import FluentKit
import Foundation
import Logging
import PostgresKit
import PostgresNIO
import SQLiteKit
import SQLiteNIO
import SQLKit

/// A row on a hot read path. On SQLite it holds sqlite-nio's row and reads values as stored —
/// SQLKit hands out its own private wrapper around that row, which decodes every column through
/// `Decodable` (most of an export's CPU) and rounds times to microseconds, so a time read back
/// and bound again as a keyset could differ from the stored one and repeat a row. On PostgreSQL,
/// outside transactions, it holds postgres-nio's row and decodes each cell with the driver's own
/// decoders (SQLKit's wrapper goes through `Decodable` there too). Elsewhere it decodes through SQLKit.
struct FastRow: @unchecked Sendable {
    let row: (any SQLRow)?
    let sqlite: SQLiteRow?
    let postgres: PostgresRandomAccessRow?

    init(_ row: any SQLRow) {
        self.row = row
        self.sqlite = nil
        self.postgres = nil
    }

    init(sqlite: SQLiteRow) {
        self.row = nil
        self.sqlite = sqlite
        self.postgres = nil
    }

    init(postgres: PostgresRow) {
        self.row = nil
        self.sqlite = nil
        self.postgres = postgres.makeRandomAccess()
    }

    /// The PostgreSQL cell decoded by postgres-nio (nil: this is no PostgreSQL row).
    func cell<T: PostgresDecodable>(_ column: String, _ type: T.Type) throws -> T? {
        guard let postgres else { return nil }
        return try postgres[column].decode(T.self)
    }

    struct Missing: Error { let column: String }

    func value(_ column: String) throws -> SQLiteData {
        guard let value = sqlite?.column(column) else { throw Missing(column: column) }
        return value
    }

    func int(_ column: String) throws -> Int64 {
        if let row { return try row.decode(column: column, as: Int64.self) }
        if let value = try cell(column, Int64.self) { return value }
        switch try value(column) {
        case .integer(let value): return Int64(value)
        case .float(let value):
            // `Int64(_:)` traps on NaN, infinities and out-of-range values; this truncates the same way without (R-H1).
            guard let integer = Int64(exactly: value.rounded(.towardZero)) else { throw Missing(column: column) }
            return integer
        default: throw Missing(column: column)
        }
    }

    func bool(_ column: String) throws -> Bool {
        if let row { return try row.decode(column: column, as: Bool.self) }
        if let value = try cell(column, Bool.self) { return value }
        return try int(column) != 0
    }

    func string(_ column: String) throws -> String {
        if let row { return try row.decode(column: column, as: String.self) }
        if let value = try cell(column, String.self) { return value }
        guard case .text(let value) = try value(column) else { throw Missing(column: column) }
        return value
    }

    func optionalString(_ column: String) throws -> String? {
        if let row { return try row.decode(column: column, as: String?.self) }
        if let postgres { return try postgres[column].decode(String?.self) }
        switch try value(column) {
        case .text(let value): return value
        case .null: return nil
        default: throw Missing(column: column)
        }
    }

    /// SQLite keeps times as seconds since 1970 (a REAL).
    func date(_ column: String) throws -> Date {
        if let row { return try row.decode(column: column, as: Date.self) }
        if let value = try cell(column, Date.self) { return value }
        switch try value(column) {
        case .float(let value): return Date(timeIntervalSince1970: value)
        case .integer(let value): return Date(timeIntervalSince1970: Double(value))
        default: throw Missing(column: column)
        }
    }

    func optionalDate(_ column: String) throws -> Date? {
        if let row { return try row.decode(column: column, as: Date?.self) }
        if let postgres { return try postgres[column].decode(Date?.self) }
        if case .null = try value(column) { return nil }
        return try date(column)
    }

    /// The column's value exactly as the database holds it, to bind again (keysets).
    func exactValue(_ column: String) throws -> any Encodable & Sendable {
        if let row { return try row.decode(column: column, as: Date.self) }
        // PostgreSQL keeps microseconds; postgres-nio's Date round-trips them exactly. Keysets
        // bind times and ids.
        if let postgres {
            if let date = try? postgres[column].decode(Date.self) { return date }
            if let uuid = try? postgres[column].decode(UUID.self) { return uuid }
            return try postgres[column].decode(String.self)
        }
        switch try value(column) {
        case .float(let value): return value
        case .integer(let value): return value
        case .text(let value): return value
        default: throw Missing(column: column)
        }
    }

    func uuid(_ column: String) throws -> UUID {
        if let row { return try row.decode(column: column, as: UUID.self) }
        if let value = try cell(column, UUID.self) { return value }
        guard case .text(let text) = try value(column), let uuid = UUID(hex: text) else { throw Missing(column: column) }
        return uuid
    }
}

extension UUID {
    /// Parses `8-4-4-4-12` hex (either case) without Foundation's scanner, which showed in export profiles.
    init?(hex text: String) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(16)
        var high: UInt8? = nil
        var count = 0
        for unit in text.utf8 {
            count += 1
            if unit == UInt8(ascii: "-") {
                guard count == 9 || count == 14 || count == 19 || count == 24 else { return nil }
                continue
            }
            let nibble: UInt8
            switch unit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = unit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = unit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = unit - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let h = high { bytes.append(h << 4 | nibble); high = nil } else { high = nibble }
        }
        guard count == 36, bytes.count == 16 else { return nil }
        self.init(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                         bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

/// Collects values made from sqlite-nio's rows as its callback delivers them (on its thread, one
/// row at a time; read only after the query finished).
final class RowBox<T>: @unchecked Sendable {
    var values: [T] = []
    var error: (any Error)?
}

/// The last row a page read (its keyset), kept by the row callback.
final class LastRow: @unchecked Sendable {
    var row: FastRow?
}

extension Store {
    /// Rows for hot read paths: on SQLite straight from sqlite-nio (see `FastRow`), elsewhere SQLKit's.
    func fastRows(_ query: SQLQueryString) async throws -> [FastRow] {
        try await fastRows(query) { $0 }
    }

    /// The same, each row turned into a value as it arrives — on SQLite on the database's own
    /// thread, so a page is made while the caller works on the previous one.
    func fastRows<T>(_ query: SQLQueryString, _ transform: @escaping @Sendable (FastRow) throws -> T) async throws -> [T] {
        let sql = try self.sql
        if let lite = database as? any SQLiteDatabase {
            let (text, binds) = sql.serialize(query)
            let encoder = SQLiteDataEncoder()
            let data = try binds.map { try encoder.encode($0) }
            let box = RowBox<T>()
            // The connection's own async query calls back on its thread, row by row; the
            // database protocol's variant (what SQLKit uses) hops to the event loop for every row.
            try await lite.withConnection { connection in
                try await connection.query(text, data) { row in
                    guard box.error == nil else { return }
                    do { box.values.append(try transform(FastRow(sqlite: row))) } catch { box.error = error }
                }
            }
            if let error = box.error { throw error }
            return box.values
        }
        // PostgreSQL outside transactions: a pool connection's own query, rows decoded as they
        // stream in. Inside a transaction SQLKit's path keeps the transaction's connection.
        if !database.inTransaction, let pg = database as? any PostgresDatabase, let (text, bindings) = Self.postgresQuery(sql.serialize(query)) {
            let box = RowBox<T>()
            try await pg.withConnection { connection in
                connection.eventLoop.makeFutureWithTask {
                    let rows = try await connection.query(PostgresQuery(unsafeSQL: text, binds: bindings), logger: Self.sqlLogger)
                    for try await row in rows { box.values.append(try transform(FastRow(postgres: row))) }
                }
            }.get()
            return box.values
        }
        return try await sql.raw(query).all().map { try transform(FastRow($0)) }
    }

    static let sqlLogger = Logger(label: "partnerhub.sql")

    /// The serialised query's binds as postgres-nio's own, for the few types hot paths bind;
    /// nil for any other (the caller then goes through SQLKit).
    static func postgresQuery(_ serialized: (sql: String, binds: [any Encodable & Sendable])) -> (String, PostgresBindings)? {
        var bindings = PostgresBindings(capacity: serialized.binds.count)
        for value in serialized.binds {
            switch value {
            case let v as UUID: bindings.append(v)
            case let v as String: bindings.append(v)
            case let v as Int64: bindings.append(v)
            case let v as Int: bindings.append(v)
            case let v as Bool: bindings.append(v)
            case let v as Date: bindings.append(v)
            default: return nil
            }
        }
        return (serialized.sql, bindings)
    }
}
