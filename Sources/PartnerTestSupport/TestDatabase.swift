import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import PartnerStore
import SQLKit

/// A fresh database for one test: a new SQLite file by default; with DATABASE_URL set, a new
/// PostgreSQL database on that (local only) server, dropped afterwards.
public struct TestDatabase: Sendable {
    public let location: DatabaseLocation
    let cleanup: @Sendable () async throws -> Void

    public var kind: DatabaseKind { location.kind }

    public enum Problem: Error, CustomStringConvertible {
        case notLocal(String)
        case invalidURL(String)
        /// The named database is not configured, or its driver does not speak SQL.
        case unavailable(String)
        public var description: String {
            switch self {
            case .notLocal(let host): return "DATABASE_URL points at \(host); tests only run against a local server"
            case .invalidURL(let url): return "DATABASE_URL \(url) gives no URL for a test database"
            case .unavailable(let name): return "the database '\(name)' is not configured or not an SQL database"
            }
        }
    }

    public static func make() async throws -> TestDatabase {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("partnerhub-test-\(UUID().uuidString).sqlite").path
            return TestDatabase(location: .sqlite(path: path)) {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
        }
        guard var components = URLComponents(string: url), let host = components.host else { throw Problem.notLocal(url) }
        guard ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) else { throw Problem.notLocal(host) }
        // Swift Testing runs tests in parallel; a few databases at a time keep the server's
        // connection slots from running out.
        let name = "partnerhub_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        components.path = "/\(name)"
        guard let testURL = components.string else { throw Problem.invalidURL(url) }
        await postgresSlots.acquire()
        do { try await adminRun(url: url, "CREATE DATABASE \(name)") } catch {
            postgresSlots.release()
            throw error
        }
        return TestDatabase(location: .postgres(url: testURL)) {
            defer { postgresSlots.release() }
            try await adminRun(url: url, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
    }

    public func drop() async { try? await cleanup() }

    static func adminRun(url: String, _ statement: String) async throws {
        let databases = Databases(threadPool: NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
        databases.use(try .postgres(url: url, maxConnectionsPerEventLoop: 1), as: .psql)
        do {
            guard let sql = databases.database(.psql, logger: Logger(label: "test-admin"), on: MultiThreadedEventLoopGroup.singleton.any()) as? any SQLDatabase else {
                throw Problem.unavailable("psql")
            }
            try await sql.raw(SQLQueryString(statement)).run()
        } catch {
            await databases.shutdownAsync()
            throw error
        }
        await databases.shutdownAsync()
    }

    /// A migrated store on this database, for repository tests; call `close` when done.
    public func openStore(history: QueryHistory? = nil, statements: StatementCounter? = nil) async throws -> (Store, @Sendable () async -> Void) {
        let databases = Databases(threadPool: NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
        databases.use(try location.configuration(connectionsPerEventLoop: 2), as: .init(string: "main"))
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let migrations = Migrations()
        migrations.add(PartnerMigrations.all)
        let migrator = Migrator(databases: databases, migrations: migrations, logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())
        try await migrator.setupIfNeeded().get()
        try await migrator.prepareBatch().get()
        var queryLogger = logger
        if let statements {
            // The drivers log every SQL statement at debug level; counting those counts what reached the database.
            queryLogger = Logger(label: "test-sql") { _ in StatementCountingHandler(counter: statements) }
            queryLogger.logLevel = .trace
        }
        guard let db = databases.database(.init(string: "main"), logger: queryLogger, on: MultiThreadedEventLoopGroup.singleton.any(), history: history) else {
            await databases.shutdownAsync()
            throw Problem.unavailable("main")
        }
        let store = Store(database: db, kind: kind)
        try await store.prepareConnection()
        return (store, { await databases.shutdownAsync() })
    }
}

/// A clock tests move by hand.
public final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    /// Whole seconds, like `SystemClock`.
    public init(_ start: Date = Date(timeIntervalSince1970: 1_795_000_000)) { current = start }
    public func now() -> Date { lock.lock(); defer { lock.unlock() }; return current }
    public func advance(_ seconds: TimeInterval) { lock.lock(); current = current.addingTimeInterval(seconds); lock.unlock() }
}

let postgresSlots = AsyncSemaphore(permits: 6)

/// A counting semaphore for async code.
final class AsyncSemaphore: @unchecked Sendable {
    private let lock = NSLock()
    private var permits: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(permits: Int) { self.permits = permits }

    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if permits > 0 {
                permits -= 1
                lock.unlock()
                continuation.resume()
            } else {
                waiters.append(continuation)
                lock.unlock()
            }
        }
    }

    func release() {
        lock.lock()
        if waiters.isEmpty {
            permits += 1
            lock.unlock()
        } else {
            let next = waiters.removeFirst()
            lock.unlock()
            next.resume()
        }
    }
}

/// Counts the SQL statements the database drivers log (Fluent's and raw SQLKit queries alike).
public final class StatementCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    public init() {}
    public var value: Int { lock.lock(); defer { lock.unlock() }; return count }
    func increment() { lock.lock(); count += 1; lock.unlock() }
}

struct StatementCountingHandler: LogHandler {
    let counter: StatementCounter
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        // sqlite-kit and postgres-kit log each statement as "Executing query" with the SQL in metadata.
        if metadata?["sql"] != nil { counter.increment() }
    }
}
