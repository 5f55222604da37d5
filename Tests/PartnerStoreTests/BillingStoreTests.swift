import Foundation
import PartnerCore
@testable import PartnerStore
import PartnerTestSupport
import Testing

/// The money invariants on a real database (SQLite; PostgreSQL with DATABASE_URL, where the
/// concurrent transactions really run in parallel on separate connections).
@Suite("Billing storage: wallet and invoice numbers under concurrency")
struct BillingStoreTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    func organisation(_ store: Store) async throws -> OrganisationID {
        try await store.write { tx in try await tx.createOrganisation(name: "Org", country: CountryCode("CH")!, currency: .chf, now: now).id }
    }

    func chf(_ v: Int64) -> Money { Money(minorUnits: v, currency: .chf) }

    @Test("R-B5 ten concurrent payments of 10.00 from a balance of 30.00: exactly three succeed, the balance ends at zero")
    func concurrentPayments() async throws {
        try await StoreTests().withStore { store in
            let org = try await organisation(store)
            try await store.write { tx in
                try await tx.postLedger(org, kind: .topUp, amount: chf(3000), key: "top-up", reference: nil, description: "top-up", now: now)
            }
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<10 {
                    group.addTask {
                        do {
                            try await store.write { tx in
                                try await tx.postLedger(org, kind: .payment, amount: chf(1000), key: "pay-\(i)", reference: nil, description: "pay", now: now)
                            }
                            return true
                        } catch BillingStoreError.insufficientFunds { return false }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 3)
            #expect(try await store.walletBalance(org, currency: .chf) == chf(0))
            #expect(try await store.verifyLedger().isEmpty)
        }
    }

    @Test("R-B5 a wallet pays only from its own currency; a repeated idempotency key is refused")
    func currencyAndKeys() async throws {
        try await StoreTests().withStore { store in
            let org = try await organisation(store)
            try await store.write { tx in
                try await tx.postLedger(org, kind: .topUp, amount: chf(500), key: "k1", reference: nil, description: "top-up", now: now)
            }
            // The EUR wallet is empty: paying in EUR is refused even though CHF has money.
            await #expect(throws: BillingStoreError.insufficientFunds(balance: Money(minorUnits: 0, currency: .eur))) {
                try await store.write { tx in
                    try await tx.postLedger(org, kind: .payment, amount: Money(minorUnits: 100, currency: .eur), key: "k2", reference: nil, description: "p", now: now)
                }
            }
            await #expect(throws: StoreError.conflict(field: "idempotency_key")) {
                try await store.write { tx in
                    try await tx.postLedger(org, kind: .topUp, amount: chf(500), key: "k1", reference: nil, description: "again", now: now)
                }
            }
            #expect(try await store.walletBalance(org, currency: .chf) == chf(500))
        }
    }

    @Test("R-B6 twenty concurrent invoices get numbers 1 … 20; a rolled-back transaction leaves no gap")
    func invoiceNumbers() async throws {
        try await StoreTests().withStore { store in
            struct Rollback: Error {}
            // One transaction takes a number, then fails: the number goes back.
            await #expect(throws: Rollback.self) {
                try await store.write { tx in
                    _ = try await tx.nextInvoiceNumber(year: 2026)
                    throw Rollback()
                }
            }
            let numbers = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 { group.addTask { try await store.write { tx in try await tx.nextInvoiceNumber(year: 2026) } } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(numbers.sorted() == (1...20).map { InvoiceNumber.format(year: 2026, sequence: $0) })
            // A new year starts again at 1.
            #expect(try await store.write { tx in try await tx.nextInvoiceNumber(year: 2027) } == "2027-000001")
        }
    }

    @Test("R-B8 of two renewal claims of the same period exactly one wins")
    func renewalClaim() async throws {
        try await StoreTests().withStore { store in
            let org = try await organisation(store)
            let product = try await store.write { tx in
                try await tx.createOrderedProduct(organisation: org, category: .webHosting, name: "Web", period: .monthly, payer: org, now: now)
            }
            let renewsAt = try #require(try await store.product(product)?.billing?.renewsAt)
            let next = BillingPeriod.monthly.end(startingAt: renewsAt)
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<4 { group.addTask { try await store.write { tx in try await tx.advanceRenewal(product, expected: renewsAt, next: next, payer: org) } } }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(wins.filter { $0 }.count == 1)
            #expect(try await store.product(product)?.billing?.renewsAt == next)
        }
    }
}

@Suite("Billing storage: exports page by keyset")
struct ExportPagingTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    @Test("R-B7 the ledger streams in pages: every entry once, in order, also when many share a timestamp")
    func ledgerPages() async throws {
        try await StoreTests().withStore { store in
            let org = try await BillingStoreTests().organisation(store)
            try await store.write { tx in
                for i in 1...12 {
                    // Seven share one timestamp; the id breaks the tie.
                    let at = i <= 7 ? now : now.addingTimeInterval(Double(i))
                    try await tx.postLedger(org, kind: .topUp, amount: Money(minorUnits: Int64(i), currency: .chf), key: "k\(i)", reference: nil, description: "d", now: at)
                }
            }
            var seen: [Int64] = []
            var pages = 0
            try await store.forEachLedgerPage(org, pageSize: 5) { page in
                pages += 1
                seen += page.map(\.amount)
            }
            #expect(pages == 3)
            #expect(seen.sorted() == Array(1...12))
            #expect(Array(seen.suffix(5)) == [8, 9, 10, 11, 12])
        }
    }

    @Test("R-B7 the ledger streams every entry once when its times carry fractions of a second (as rows written by other tools do)")
    func fractionalTimes() async throws {
        try await StoreTests().withStore { store in
            let org = try await BillingStoreTests().organisation(store)
            try await store.write { tx in
                for i in 1...40 {
                    let at = Date(timeIntervalSince1970: 1_795_000_000.123_456_7 + Double(i) * 0.317)
                    try await tx.postLedger(org, kind: .topUp, amount: Money(minorUnits: Int64(i), currency: .chf), key: "f\(i)", reference: nil, description: "d", now: at)
                }
            }
            // Times as another tool would write them: fractions no Date round-trips exactly.
            if store.kind == .sqlite {
                try await store.sql.raw("UPDATE wallet_entries SET created_at = created_at + 0.1234567 + amount * 0.0000003").run()
            } else {
                try await store.sql.raw("UPDATE wallet_entries SET created_at = created_at + interval '0.1234567 seconds' + amount * interval '0.0000003 seconds'").run()
            }
            var seen: [Int64] = []
            try await store.forEachLedgerPage(org, pageSize: 3) { page in seen += page.map(\.amount) }
            #expect(seen == Array(1...40))
        }
    }
}

@Suite("Order lines' steps as stored")
struct StepsJSONTests {
    @Test("The hand-written steps JSON is byte for byte what JSONEncoder with sorted keys writes, and decodes back")
    func matchesEncoder() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var g = SystemRandomNumberGenerator()
        let kinds: [LinePrice.Step] = [.list, .partnerDiscount, .tierDiscount, .preferentialPrice]
        for _ in 0..<300 {
            let steps = (0..<Int.random(in: 0...4, using: &g)).map { _ in
                LinePrice.Entry(step: kinds.randomElement(using: &g)!, rate: BasisPoints(Int.random(in: 0...10_000, using: &g)),
                                amount: Money(minorUnits: Int64.random(in: -1_000_000_000...1_000_000_000, using: &g), currency: Bool.random(using: &g) ? .chf : .eur))
            }
            let written = Store.stepsJSON(steps)
            #expect(written == String(decoding: try encoder.encode(steps), as: UTF8.self))
            #expect(try JSONDecoder().decode([LinePrice.Entry].self, from: Data(written.utf8)) == steps)
        }
    }
}
