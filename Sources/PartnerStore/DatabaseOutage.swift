import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import NIOCore
import NIOPosix

/// R-R1: whether an error means the database could not be reached — stopped, restarting,
/// refusing connections, or a connection cut under a query — rather than a query it refused.
/// Such a request is answered 503 with `Retry-After`, never 500.
public enum DatabaseOutage {
    public static func isOutage(_ error: any Error) -> Bool {
        if let psql = error as? PSQLError {
            if [.serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown, .poolClosed].contains(psql.code) { return true }
            // SQLSTATE class 08 (connection exception) and 57P0x (the server shutting down or
            // starting up).
            if let state = psql.serverInfo?[.sqlState], state.hasPrefix("08") || state.hasPrefix("57P") { return true }
            return false
        }
        if error is NIOConnectionError || error is ChannelError || error is IOError { return true }
        if let sqlite = error as? SQLiteError {
            switch sqlite.reason {
            case .cantOpen, .ioError, .busy, .busyTimeout, .locked: return true
            default: return false
            }
        }
        return false
    }
}
