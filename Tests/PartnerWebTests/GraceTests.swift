import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// R-B16: a grace period starts at the product's due date, never earlier.
@Suite("R-B16 grace from the due date")
struct GraceTests {
    let billing = BillingTests()

    @Test("R-B16 the table: an unpaid renewal ahead of its due date stays active; from the due date it is in grace; 14 days from the due date either way")
    func rule() {
        let due = Date(timeIntervalSince1970: 1_797_000_000)
        let ahead = UnpaidRenewal.outcome(dueAt: due, now: due.addingTimeInterval(-10 * 86_400))
        #expect(ahead.status == "active" && ahead.graceUntil == due.addingTimeInterval(14 * 86_400))
        let late = UnpaidRenewal.outcome(dueAt: due, now: due.addingTimeInterval(3 * 86_400))
        #expect(late.status == "grace" && late.graceUntil == due.addingTimeInterval(14 * 86_400))
        #expect(UnpaidRenewal.outcome(dueAt: due, now: due).status == "grace")
    }

    @Test("R-B16 `renew --until` past today: the unpaid product stays active until 2026-12-18, is in grace from then, and suspended after 2027-01-01")
    func runAhead() async throws {
        try await TestApp.with { t in
            let w = try await PartnershipTests().world(t)
            // Ordered by card on 2026-11-18 (the test clock), due 2026-12-18; the wallet is empty.
            let q = try await billing.quote(t, w.client, client: w.client.organisationID, billing.webHostings(1))
            let order = try t.json(try await billing.confirm(t, w.client, client: w.client.organisationID, quote: q)) as! [String: Any]
            let product = ProductID(string: (order["product_ids"] as! [[String]])[0][0])!
            let due = try #require(try await t.store.product(product)?.billing?.renewsAt)
            let report = try await t.app.partnerHub.billing.renewDue(until: t.clock.now().addingTimeInterval(40 * 86_400), store: t.store)
            #expect(report.inGrace == 1 && report.renewed == 0 && report.suspended == 0)
            let marked = try #require(try await t.store.product(product))
            #expect(marked.status == "active")
            #expect(marked.billing?.graceUntil == due.addingTimeInterval(14 * 86_400))
            // The day after the due date the run finds it still unpaid: now in grace.
            t.clock.advance(31 * 86_400)
            _ = try await t.app.partnerHub.billing.renewDue(until: t.clock.now(), store: t.store)
            #expect(try await t.store.product(product)?.status == "grace")
            // 2027-01-02: the 14 days from the due date are over.
            t.clock.advance(14 * 86_400)
            #expect(try await t.app.partnerHub.billing.renewDue(until: t.clock.now(), store: t.store).suspended == 1)
            #expect(try await t.store.product(product)?.status == "suspended")
        }
    }
}
