import NIOPosix
import Vapor

/// bcrypt off the event loops (a cost-12 hash takes a few hundred milliseconds).
struct PasswordHasher: Sendable {
    let cost: Int
    let threadPool: NIOThreadPool

    func hash(_ password: String) async throws -> String {
        try await threadPool.runIfActive { [cost] in try Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, against hash: String) async throws -> Bool {
        try await threadPool.runIfActive { try Bcrypt.verify(password, created: hash) }
    }

    /// Compared against when the e-mail is unknown, so the answer takes as long either way and
    /// never reveals whether an account exists.
    static let decoy = "$2b$12$C6UzMDM.H6dfI/f/IKcEeO5L1aXvJXDbB9XIpL9uCgAW1dE8pB1rS"
}
