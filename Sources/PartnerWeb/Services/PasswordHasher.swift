import Crypto
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
        let input = Self.bcryptInput(password)
        return try await threadPool.runIfActive { [cost] in try Bcrypt.hash(input, cost: cost) }
    }

    func verify(_ password: String, against hash: String) async throws -> Bool {
        let input = Self.bcryptInput(password)
        return try await threadPool.runIfActive { try Bcrypt.verify(input, created: hash) }
    }

    /// bcrypt reads only the first 72 bytes: a longer password (up to PasswordRules.maximumLength
    /// scalars) is reduced to its SHA-256 in base64 (44 bytes) first, so no two long passwords that
    /// share a beginning are the same. Passwords of 72 bytes or less are hashed as they are, so
    /// every stored hash stays valid.
    static func bcryptInput(_ password: String) -> String {
        guard password.utf8.count > 72 else { return password }
        return "sha256:" + Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString()
    }

    final class Decoy: @unchecked Sendable {
        private let lock = NSLock()
        private var made: String?
        var value: String? { lock.lock(); defer { lock.unlock() }; return made }
        /// The first hash made wins, so every unknown e-mail is compared against the same one.
        func set(_ hash: String) -> String {
            lock.lock(); defer { lock.unlock() }
            if let made { return made }
            made = hash
            return hash
        }
    }
}
