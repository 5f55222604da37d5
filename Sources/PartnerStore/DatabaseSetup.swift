import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import NIOCore
import SQLKit

/// Where the data lives: a SQLite file by default, PostgreSQL when DATABASE_URL is set.
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    public var kind: DatabaseKind {
        switch self {
        case .sqlite: return .sqlite
        case .postgres: return .postgres
        }
    }

    /// DATABASE_URL (PostgreSQL) wins; else SQLITE_PATH; else `partnerhub.sqlite` in the working directory.
    public static func fromEnvironment(_ environment: [String: String]) -> DatabaseLocation {
        if let url = environment["DATABASE_URL"], !url.isEmpty { return .postgres(url: url) }
        return .sqlite(path: environment["SQLITE_PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? "partnerhub.sqlite")
    }

    /// `connectionsPerEventLoop`: the pool size per event loop (tests keep it small, since many
    /// test applications share one PostgreSQL server). `poolTimeoutSeconds`: how long a request
    /// waits for a free connection (the drivers' 10 s unless given); orders on one wallet queue
    /// behind its row lock, so a burst of them waits for connections rather than for the lock.
    public func configuration(connectionsPerEventLoop: Int? = nil, poolTimeoutSeconds: Int? = nil) throws -> DatabaseConfigurationFactory {
        let timeout = TimeAmount.seconds(Int64(poolTimeoutSeconds ?? 10))
        switch self {
        case .sqlite(let path):
            return .sqlite(.file(path), maxConnectionsPerEventLoop: connectionsPerEventLoop ?? 4, connectionPoolTimeout: timeout)
        case .postgres(let url):
            return try .postgres(url: url, maxConnectionsPerEventLoop: connectionsPerEventLoop ?? 8, connectionPoolTimeout: timeout)
        }
    }
}

extension Store {
    /// SQLite: WAL so readers never wait for the writer; foreign keys are on per connection
    /// (sqlite-kit's default) and its busy handler retries instead of failing.
    public func prepareConnection() async throws {
        if kind == .sqlite {
            try await sql.raw("PRAGMA journal_mode=WAL").run()
            try await sql.raw("PRAGMA synchronous=NORMAL").run()
        }
    }
}
