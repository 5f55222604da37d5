import Foundation
import NIOPosix
import Vapor

/// bcrypt off the event loops (a cost-12 hash takes a few hundred milliseconds).
struct PasswordHasher: Sendable {
    let cost: Int
    let threadPool: NIOThreadPool
    private let decoyBox = Decoy()

    init(cost: Int, threadPool: NIOThreadPool) throws {
        self.cost = cost
        self.threadPool = threadPool
    }

    /// Compared against when the e-mail is unknown, so that answer takes as long as a wrong
    /// password and never reveals whether an account exists. Same cost; made on first use, so
    /// commands that never sign anyone in (`renew`, `verify-ledger`) do not pay for it.
    func decoy() async throws -> String {
        if let made = decoyBox.value { return made }
        let made = try await hash("decoy-\(UInt64.random(in: 0...UInt64.max))")
        return decoyBox.set(made)
    }

    func hash(_ password: String) async throws -> String {
        try await threadPool.runIfActive { [cost] in try Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, against hash: String) async throws -> Bool {
        try await threadPool.runIfActive { try Bcrypt.verify(password, created: hash) }
    }

    final class Decoy: @unchecked Sendable {
        private let lock = NSLock()
        private var made: String?
        var value: String? { lock.lock(); defer { lock.unlock() }; return made }
        /// The first hash made wins, so every unknown e-mail is compared against the same one.
        func set(_ hash: String) -> String {
            lock.lock(); defer { lock.unlock() }
            if made == nil { made = hash }
            return made!
        }
    }
}
