import Foundation
import PartnerCore
import PartnerStore
import PartnerTestSupport
import Testing

/// Repositories and migrations on a real database: SQLite by default, PostgreSQL with DATABASE_URL.
struct Boom: Error {}

@Suite("PartnerStore on a real database")
struct StoreTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    func withStore(_ body: (Store) async throws -> Void) async throws {
        let database = try await TestDatabase.make()
        let (store, close) = try await database.openStore()
        do { try await body(store) } catch {
            await close()
            await database.drop()
            throw error
        }
        await close()
        await database.drop()
    }

    func makeUser(_ store: Store, _ email: String, code: String) async throws -> User {
        try await store.write { tx in
            try await tx.createUser(email: EmailAddress(email)!, name: "N", passwordHash: "h", supportCode: SupportCode(code)!, language: nil, now: now)
        }
    }

    @Test("E-mail addresses are unique regardless of case")
    func emailUniqueIgnoringCase() async throws {
        try await withStore { store in
            _ = try await makeUser(store, "Anna@Example.ch", code: "12345678")
            await #expect(throws: StoreError.conflict(field: "email")) {
                _ = try await makeUser(store, "anna@EXAMPLE.ch", code: "23456789")
            }
            #expect(try await store.userCount() == 1)
        }
    }

    @Test("R-S1 support codes are unique")
    func supportCodesUnique() async throws {
        try await withStore { store in
            _ = try await makeUser(store, "a@example.ch", code: "12345678")
            await #expect(throws: StoreError.conflict(field: "support_code")) {
                _ = try await makeUser(store, "b@example.ch", code: "12345678")
            }
        }
    }

    @Test("A failed transaction writes nothing")
    func transactionRollsBack() async throws {
        try await withStore { store in
            var failed = false
            do {
                try await store.write { (tx: Store) async throws -> Void in
                    _ = try await tx.createUser(email: EmailAddress("x@example.ch")!, name: "X", passwordHash: "h",
                                                supportCode: SupportCode("34567890")!, language: nil, now: now)
                    throw Boom()
                }
            } catch is Boom {
                failed = true
            }
            #expect(failed)
            let count = try await store.userCount()
            #expect(count == 0)
        }
    }

    @Test("R-L1 the audit chain verifies, and a changed event is reported as the first broken link")
    func auditChain() async throws {
        try await withStore { store in
            for i in 1...5 {
                try await store.write { tx in try await tx.appendAudit(AuditEntry(actor: "user:\(i)", action: "login.succeeded"), now: now.addingTimeInterval(Double(i) * 0.0015)) }
            }
            let intact = try await store.verifyAudit()
            #expect(intact.checked == 5 && intact.firstBreak == nil)
            try await store.tamperWithAuditEvent(sequence: 3, actor: "mallory")
            #expect(try await store.verifyAudit().firstBreak == .contentChanged(sequence: 3))
        }
    }

    @Test("R-L1 concurrent appends keep one unbroken chain")
    func concurrentAudit() async throws {
        try await withStore { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<40 {
                    group.addTask { try await store.write { tx in try await tx.appendAudit(AuditEntry(actor: "a\(i)", action: "x"), now: now) } }
                }
                try await group.waitForAll()
            }
            let result = try await store.verifyAudit()
            #expect(result.checked == 40 && result.firstBreak == nil)
        }
    }

    @Test("Concurrent write transactions all succeed (no SQLITE_BUSY)")
    func concurrentWrites() async throws {
        try await withStore { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<30 {
                    group.addTask {
                        try await store.write { tx in
                            // Read, then write: the pattern that fails with SQLITE_BUSY in deferred transactions.
                            _ = try await tx.userCount()
                            _ = try await tx.createUser(email: EmailAddress("u\(i)@example.ch")!, name: "U", passwordHash: "h",
                                                        supportCode: SupportCode(String(10_000_000 + i))!, language: nil, now: now)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await store.userCount() == 30)
        }
    }

    @Test("Tenant wall: a user has a context only in organisations they belong to")
    func contextOnlyForMembers() async throws {
        try await withStore { store in
            let anna = try await makeUser(store, "anna@example.ch", code: "12345678")
            let ben = try await makeUser(store, "ben@example.ch", code: "23456789")
            let (orgA, orgB) = try await store.write { tx in
                let a = try await tx.createOrganisation(name: "A", country: CountryCode("CH")!, currency: .chf, now: now)
                let b = try await tx.createOrganisation(name: "B", country: CountryCode("FR")!, currency: .eur, now: now)
                _ = try await tx.addMembership(organisation: a.id, user: anna.id, role: .legalRepresentative, now: now)
                _ = try await tx.addMembership(organisation: b.id, user: ben.id, role: .legalRepresentative, now: now)
                return (a, b)
            }
            #expect(try await store.context(user: anna.id, organisation: orgA.id)?.role == .legalRepresentative)
            #expect(try await store.context(user: anna.id, organisation: orgB.id) == nil)
            let contextB = try #require(try await store.context(user: ben.id, organisation: orgB.id))
            let annaMembership = try #require(try await store.context(user: anna.id, organisation: orgA.id)).membershipID
            // Acting in B, Anna's membership of A is "not found".
            await #expect(throws: StoreError.notFound) { try await store.removeMembership(contextB, membership: annaMembership) }
            #expect(try await store.members(contextB).map(\.email.value) == ["ben@example.ch"])
        }
    }

    @Test("R-P4 a resent invitation's old token no longer finds it")
    func resendInvalidatesOldToken() async throws {
        try await withStore { store in
            let anna = try await makeUser(store, "anna@example.ch", code: "12345678")
            let context = try await store.write { tx in
                let a = try await tx.createOrganisation(name: "A", country: CountryCode("CH")!, currency: .chf, now: now)
                _ = try await tx.addMembership(organisation: a.id, user: anna.id, role: .legalRepresentative, now: now)
                return try await tx.context(user: anna.id, organisation: a.id)!
            }
            let invitation = try await store.write { tx in
                try await tx.createInvitation(context, email: EmailAddress("new@example.ch")!, role: .employee, tokenHash: "old", now: now)
            }
            _ = try await store.write { tx in try await tx.renewInvitationToken(context, invitation.id, tokenHash: "new", now: now) }
            #expect(try await store.invitation(tokenHash: "old") == nil)
            #expect(try await store.invitation(tokenHash: "new")?.id == invitation.id)
        }
    }
}
