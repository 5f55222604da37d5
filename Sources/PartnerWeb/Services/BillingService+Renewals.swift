import Foundation
import PartnerCore
import PartnerStore

/// The renewal run (R-B8): every product due is billed once, by the partnership state at
/// renewal time, from the payer's prepaid wallet, in batches that write hundreds of renewals in a
/// few statements (`write`).
extension BillingService {
    struct RenewalReport: Sendable, Equatable {
        var renewed = 0
        var inGrace = 0
        /// Renewed meanwhile by another run or instance.
        var skipped = 0
        /// Already in grace and still not payable: tried again, nothing changed.
        var stillUnpaid = 0
        var suspended = 0
        var failed = 0
        /// R-B8: the periods billed per product (a product behind by several periods gets one
        /// renewal for each, in one run).
        var periods: [ProductID: Billed] = [:]

        struct Billed: Sendable, Equatable {
            let name: String
            var periods: Int
        }

        /// How many products had 1, 2, … periods billed.
        var productsByPeriods: [(periods: Int, products: Int)] {
            Dictionary(grouping: periods.values, by: \.periods).map { ($0.key, $0.value.count) }.sorted { $0.periods < $1.periods }
        }

        static func += (total: inout RenewalReport, batch: RenewalReport) {
            total.periods.merge(batch.periods) { a, b in Billed(name: a.name, periods: a.periods + b.periods) }
            total.renewed += batch.renewed
            total.inGrace += batch.inGrace
            total.skipped += batch.skipped
            total.stillUnpaid += batch.stillUnpaid
            total.suspended += batch.suspended
            total.failed += batch.failed
        }
    }

    /// Bills every product due by `until`. Safe to run twice or on two instances at once: each
    /// period is claimed by a guarded update. Renewals go in batches of `batchSize` per
    /// transaction; if a batch fails, or could not stay exact (below), it is done again one
    /// renewal at a time, each in a savepoint of its own, so one product's problem stops only
    /// itself. Passes repeat while they renew something (a period may fall due again before
    /// `until`). `progress(done, seen so far)` reports as it goes.
    func renewDue(until: Date, store: Store, batchSize: Int = 200, progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> RenewalReport {
        var report = RenewalReport()
        var seen = Set<String>()
        let catalogue = try await store.priceList()
        var done = 0
        var renewedInPass = true
        while renewedInPass {
            renewedInPass = false
            var after: Store.RenewalKeyset? = nil
            while true {
                let (page, next) = try await store.dueRenewals(until: until, after: after, limit: 1000)
                guard !page.isEmpty else { break }
                after = next
                let todo = page.filter { seen.insert("\($0.id.string)@\($0.billing?.renewsAt.timeIntervalSince1970 ?? 0)").inserted }
                var start = 0
                while start < todo.count {
                    let chunk = Array(todo[start..<min(todo.count, start + batchSize)])
                    start += chunk.count
                    var outcome: RenewalReport
                    do {
                        outcome = try await store.write { tx in try await renewBatch(chunk, catalogue: catalogue, store: tx) }
                    } catch {
                        outcome = try await store.write { tx in
                            var single = RenewalReport()
                            for product in chunk {
                                do { single += try await tx.savepoint { try await renewBatch([product], catalogue: catalogue, store: tx) } } catch {
                                    // It stays due for the next run.
                                    single.failed += 1
                                }
                            }
                            return single
                        }
                    }
                    report += outcome
                    if outcome.renewed > 0 { renewedInPass = true }
                    done += chunk.count
                    progress(done, seen.count)
                }
            }
        }
        let suspended = try await store.write { tx in
            try await tx.startDueGrace(now: clock.now())
            return try await tx.suspendExpiredGrace(now: clock.now())
        }
        report.suspended = suspended.count
        return report
    }

    /// A batch that cannot be written as priced is done again one renewal at a time.
    struct BatchNotExact: Error {}

    /// One batch, in the caller's transaction: the facts for every product in a few queries, R-B3
    /// and R-B2 per product, then all of it written at once. The tier counts are read once, by
    /// today's partnerships (R-B4): renewing a product never moves it between payers, so every
    /// identical product of a payer gets the same count, in whatever order the batch holds them.
    func renewBatch(_ products: [Product], catalogue: PriceList, store tx: Store) async throws -> RenewalReport {
        let now = clock.now()
        var report = RenewalReport()
        let clients = Set(products.map(\.organisationID))
        let partnerships = try await tx.activePartnerships(clients: clients)
        let partners = Set(partnerships.values.joined().map(\.partnerID))
        let organisations = try await tx.organisations(ids: clients.union(partners))
        let rates = try await tx.partnerRates(partners: partners)
        var situations: [Situation] = []
        for product in products {
            do {
                situations.append(try renewalSituation(product, organisations: organisations, partnerships: partnerships[product.organisationID] ?? [], now: now))
            } catch {
                report.failed += 1
            }
        }
        let tiered = Set(products.map(\.category).filter { catalogue.entries[$0]?.tiered == true })
        let counts = try await tx.tierCounts(payers: Set(situations.map(\.payer.id)), categories: tiered, now: now)
        var pending: [PendingOrder] = []
        for situation in situations {
            do {
                let (priced, totals) = try await price(situation, store: tx, catalogue: catalogue, counts: counts[situation.payer.id] ?? [:],
                                                       rates: situation.partnership.map { rates[$0.partnerID] ?? .standard } ?? PartnerRates([:]))
                pending.append(PendingOrder(situation: situation, priced: priced, totals: totals, actor: nil, method: .wallet, quoteID: nil, idempotency: nil))
            } catch {
                report.failed += 1
            }
        }
        let outcomes = try await write(pending, store: tx)
        for (index, outcome) in outcomes.enumerated() {
            switch outcome {
            case .recorded:
                report.renewed += 1
                if let product = pending[index].situation.product {
                    report.periods[product.id, default: .init(name: product.name, periods: 0)].periods += 1
                }
            case .renewedElsewhere: report.skipped += 1
            case .unpaid:
                guard let product = pending[index].situation.product else { throw BatchNotExact() }
                if try await enterGrace(product, payer: pending[index].situation.payer.id, store: tx) { report.inGrace += 1 } else { report.stillUnpaid += 1 }
            }
        }
        return report
    }

    /// R-B3 for the renewal run on facts loaded for the whole batch.
    func renewalSituation(_ product: Product, organisations: [OrganisationID: Organisation], partnerships: [Partnership], now: Date) throws -> Situation {
        guard let client = organisations[product.organisationID], product.billing != nil else { throw AppError.notFound }
        let (governing, manages) = Self.governing(partnerships, product: product, now: now)
        return try Self.decide(client: client, kind: .renewal, party: .renewalRun, governing: governing, partner: governing.flatMap { organisations[$0.partnerID] },
                               manages: manages, product: product, lines: [LineRequest(category: product.category, name: product.name, quantity: 1)])
    }

    /// R-B3 reading notes: an unpaid renewal keeps the product for 14 days and tells payer and
    /// client (once, when the grace period starts). The payer is the one this renewal billed —
    /// after a partnership ended that is the client, not the former partner. Returns whether it
    /// started now.
    func enterGrace(_ product: Product, payer: OrganisationID, store: Store) async throws -> Bool {
        guard let billing = product.billing, billing.graceUntil == nil else { return false }
        let now = clock.now()
        let unpaid = UnpaidRenewal.outcome(dueAt: billing.renewsAt, now: now)
        let until = unpaid.graceUntil
        try await store.write { tx in
            try await tx.enterGrace(product.id, until: until, status: unpaid.status)
            try await tx.appendAudit(AuditEntry(actor: "system:renewal", organisation: product.organisationID.string, action: "product.grace",
                                                target: "product:\(product.id.string)", details: "{\"until\":\"\(ISO8601DateFormatter().string(from: until))\"}"), now: now)
            let recipients = Set([product.organisationID, payer])
            for organisation in recipients {
                for (member, language) in try await tx.membersOf(organisation) where [.legalRepresentative, .admin].contains(member.role) {
                    let s = Strings(language: language ?? .en)
                    try await tx.enqueueMail(to: member.email, subject: s("mail.grace.subject", ["product": product.name]),
                                             body: s("mail.grace.body", ["product": product.name, "until": ISO8601DateFormatter().string(from: until).prefix(10).description,
                                                                         "link": "\(baseURL)/console/orgs/\(organisation.string)/billing"]), now: now)
                }
            }
        }
        return true
    }

    /// Who R-B3 makes pay this product's next renewal, on today's partnerships (not who paid the
    /// last one: a partnership may have ended or changed its payment mode since).
    func nextPayer(_ product: Product, store: Store) async throws -> OrganisationID {
        try await nextPayers([product], client: product.organisationID, store: store)[product.id] ?? product.organisationID
    }

    /// Who the next renewal bills, for many products of one client, on one read of its partnerships.
    func nextPayers(_ products: [Product], client: OrganisationID, store: Store) async throws -> [ProductID: OrganisationID] {
        let billed = products.filter { $0.billing != nil && $0.organisationID == client }
        guard !billed.isEmpty else { return [:] }
        let partnerships = try await store.activePartnerships(clients: [client])[client] ?? []
        let organisations = try await store.organisations(ids: Set(partnerships.map(\.partnerID) + [client]))
        let now = clock.now()
        return Dictionary(uniqueKeysWithValues: billed.map { product in
            (product.id, (try? renewalSituation(product, organisations: organisations, partnerships: partnerships, now: now))?.payer.id ?? client)
        })
    }

    /// R-B8: renewal reminders 14 days before, to the legal representatives and admins of whoever
    /// pays the renewal now.
    func sendRenewalReminders(store: Store) async throws {
        let now = clock.now()
        for product in try await store.claimRenewalReminders(now: now) {
            guard let billing = product.billing else { continue }
            let payer = try await nextPayer(product, store: store)
            try await store.write { tx in
                for (member, language) in try await tx.membersOf(payer) where [.legalRepresentative, .admin].contains(member.role) {
                    let s = Strings(language: language ?? .en)
                    try await tx.enqueueMail(to: member.email, subject: s("mail.renewal_reminder.subject", ["product": product.name]),
                                             body: s("mail.renewal_reminder.body", ["product": product.name,
                                                                                    "date": ISO8601DateFormatter().string(from: billing.renewsAt).prefix(10).description,
                                                                                    "link": "\(baseURL)/console/orgs/\(payer.string)/billing"]), now: now)
                }
            }
        }
    }
}
