import NIOPosix
import Vapor

/// bcrypt off the event loops (a cost-12 hash takes a few hundred milliseconds).
struct PasswordHasher: Sendable {
    let cost: Int
    let threadPool: NIOThreadPool
    /// Compared against when the e-mail is unknown, so that answer takes as long as a wrong
    /// password and never reveals whether an account exists. Made at start-up with the same cost.
    let decoy: String

    init(cost: Int, threadPool: NIOThreadPool) throws {
        self.cost = cost
        self.threadPool = threadPool
        self.decoy = try Bcrypt.hash("decoy-\(UInt64.random(in: 0...UInt64.max))", cost: cost)
    }

    func hash(_ password: String) async throws -> String {
        try await threadPool.runIfActive { [cost] in try Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, against hash: String) async throws -> Bool {
        try await threadPool.runIfActive { try Bcrypt.verify(password, created: hash) }
    }
}
