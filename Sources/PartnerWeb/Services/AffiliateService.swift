import Foundation
import PartnerCore
import PartnerStore

/// A RandomNumberGenerator over the handed-in secret source (no hidden randomness in flows).
struct SecretGenerator: RandomNumberGenerator {
    let source: any SecretSource
    mutating func next() -> UInt64 { source.bytes(8).reduce(0) { $0 << 8 | UInt64($1) } }
}

/// R-A1 affiliates: private persons (R-E4: never members of a partner organisation) with a
/// referral link. Organisations that sign up within 30 days of a click are attributed (last
/// click); their paid orders and renewals earn the affiliate a commission for 365 days at the
/// published scheme's rate; commissions wait 30 days, then are paid monthly into the affiliate's
/// prepaid account once they reach 50; a refund reverses an unpaid one.
struct AffiliateService: Sendable {
    let clock: any Clock
    let random: any SecretSource
    let baseURL: String

    func referralLink(_ affiliate: Affiliate) -> String { "\(baseURL)/r/\(affiliate.code)" }

    /// Enrols `user`, inside the caller's transaction, with `wallet` (an organisation the user
    /// represents) holding the payouts. R-E4 is checked against the stored memberships.
    func enrol(_ tx: Store, user: User, wallet: OrganisationID, now: Date) async throws -> Affiliate {
        if let problem = ProgramRules.mayBecomeAffiliate(isAffiliate: try await tx.affiliate(user: user.id) != nil,
                                                         memberOfPartnerOrApplicant: try await tx.isMemberOfPartnerOrApplicant(user.id)) {
            throw AppError.refused("program.\(problem.rawValue)")
        }
        var generator = SecretGenerator(source: random)
        for attempt in 1...5 {
            do {
                let affiliate = try await tx.createAffiliate(user: user.id, organisation: wallet, code: AffiliateScheme.referralCode(using: &generator), now: now)
                try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", organisation: wallet.string, action: "affiliate.enrolled",
                                                    target: "affiliate:\(affiliate.id.string)"), now: now)
                return affiliate
            } catch StoreError.conflict(field: "code") where attempt < 5 {
                continue
            } catch StoreError.conflict {
                throw AppError.refused("program.already_affiliate")
            }
        }
        throw AppError.refused("program.already_affiliate")
    }

    /// A signed-in person becomes an affiliate: a new organisation of theirs holds the wallet.
    func join(user: User, country rawCountry: String, store: Store) async throws -> Affiliate {
        guard let country = CountryCode(rawCountry) else { throw AppError.validation([FieldError("country", .invalidCountry)]) }
        let now = clock.now()
        return try await store.write { tx in
            let wallet = try await tx.createOrganisation(name: "\(user.name) (affiliate)", country: country, currency: Currency.default(forCountry: country), now: now)
            _ = try await tx.addMembership(organisation: wallet.id, user: user.id, role: .legalRepresentative, now: now)
            return try await enrol(tx, user: user, wallet: wallet.id, now: now)
        }
    }

    // MARK: referral links and attribution

    /// A click on `/r/{code}`: the token for the visitor's cookie, or nil for an unknown code
    /// (the visitor signs up all the same, unattributed).
    /// R-H1: clicks are not recorded without bound — a visitor whose cookie already holds a click
    /// on the same link from the last day keeps it, and an address records at most
    /// `Limits.referralClicksPerAddressPerHour` clicks an hour (beyond, the visitor goes on to
    /// sign-up with whatever cookie it has).
    func click(code: String, existing: String?, ip: String, store: Store) async throws -> String? {
        guard AffiliateScheme.isReferralCode(code), let affiliate = try await store.affiliate(code: code) else { return nil }
        let now = clock.now()
        if let existing, !existing.isEmpty, existing.utf8.count <= 100,
           let (clicked, at) = try await store.affiliateClick(tokenHash: Store.sha256Hex(existing)),
           clicked == affiliate.id, now.timeIntervalSince(at) < 86_400 {
            return existing
        }
        let token = random.token()
        let key = "referral-ip:\(ip)"
        let rule = LoginThrottle(maximumFailures: Limits.referralClicksPerAddressPerHour, window: Limits.hour)
        let recorded = try await store.write { tx -> Bool in
            try await tx.lockAttemptKeys([key])
            guard rule.decide(failures: try await tx.loginFailures(key: key, since: now.addingTimeInterval(-Limits.hour)), now: now) == .allowed else {
                return false
            }
            _ = try await tx.recordAttempts(keys: [key], now: now)
            try await tx.recordAffiliateClick(affiliate.id, tokenHash: Store.sha256Hex(token), now: now)
            return true
        }
        return recorded ? token : nil
    }

    /// Inside the sign-up's transaction: attributes the new organisation to the clicked link's
    /// affiliate when the click lies within 30 days (R-A1). An unknown or stale token does nothing.
    static func attribute(_ tx: Store, organisation: OrganisationID, referral token: String, now: Date) async throws {
        guard !token.isEmpty, token.utf8.count <= 100, let (affiliate, clickedAt) = try await tx.affiliateClick(tokenHash: Store.sha256Hex(token)),
              AffiliateScheme.attributes(clickedAt: clickedAt, signedUpAt: now) else { return }
        try await tx.attribute(organisation, to: affiliate, clickedAt: clickedAt, now: now)
        try await tx.appendAudit(AuditEntry(actor: "system", organisation: organisation.string, action: "affiliate.attributed",
                                            target: "affiliate:\(affiliate.string)"), now: now)
    }

    // MARK: commissions, inside the order's transaction (called by BillingService.write)

    /// The commissions on recorded orders whose payer was attributed within the earning window:
    /// on the order's net (excluding VAT) at the rate the affiliate's earnings so far give,
    /// counting earlier orders of the same batch.
    static func commissions(_ tx: Store, orders: [(Order, InvoiceTotals)], now: Date) async throws -> [NewCommission] {
        guard !orders.isEmpty else { return [] }
        let attributions = try await tx.attributions(Set(orders.map(\.0.payerID)))
        guard !attributions.isEmpty else { return [] }
        var cumulative = try await tx.cumulativeCommissions(Set(attributions.values.map(\.0)))
        var result: [NewCommission] = []
        for (order, totals) in orders {
            guard let (affiliate, attributedAt) = attributions[order.payerID], AffiliateScheme.earns(attributedAt: attributedAt, orderAt: order.createdAt),
                  totals.net.minorUnits > 0 else { continue }
            let currency = totals.net.currency
            let earned = Money(minorUnits: cumulative[affiliate]?[currency] ?? 0, currency: currency)
            let (rate, amount) = try AffiliateScheme.commission(net: totals.net, cumulative: earned)
            guard amount.minorUnits > 0 else { continue }
            cumulative[affiliate, default: [:]][currency, default: 0] += amount.minorUnits
            result.append(NewCommission(affiliateID: affiliate, orderID: order.id, organisationID: order.payerID, base: totals.net, rate: rate, amount: amount))
        }
        return result
    }

    // MARK: payouts (monthly)

    struct PayoutReport: Sendable { var paid = 0; var belowMinimum = 0; var alreadyPaid = 0 }

    /// This month's payouts: per affiliate and currency, the commissions held 30 days, credited
    /// to the affiliate's wallet once they reach 50; one payout per month (a second run pays nothing).
    func payOut(store: Store) async throws -> PayoutReport {
        let now = clock.now()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let parts = calendar.dateComponents([.year, .month], from: now)
        let month = String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
        var report = PayoutReport()
        for (affiliateID, currency, ids, sum) in try await store.payableCommissions(heldSince: now.addingTimeInterval(-AffiliateScheme.holdPeriod)) {
            let amount = Money(minorUnits: sum, currency: currency)
            guard AffiliateScheme.payoutDue(payable: amount) else { report.belowMinimum += 1; continue }
            guard let affiliate = try await store.affiliate(id: affiliateID) else { continue }
            do {
                try await store.write { tx in
                    let entry = try await tx.postLedger(affiliate.organisationID, kind: .affiliatePayout, amount: amount,
                                                        key: "affiliate:\(affiliate.id.string):payout:\(month):\(currency.rawValue)", reference: month,
                                                        description: "Affiliate commissions \(month)", now: now)
                    try await tx.recordPayout(affiliate: affiliate.id, currency: currency, month: month, amount: sum, ledgerEntry: entry.id, commissions: ids, now: now)
                    try await tx.appendAudit(AuditEntry(actor: "system", organisation: affiliate.organisationID.string, action: "affiliate.payout",
                                                        target: "affiliate:\(affiliate.id.string)",
                                                        details: "{\"month\":\"\(month)\",\"amount\":\(sum),\"currency\":\"\(currency.rawValue)\",\"commissions\":\(ids.count)}"),
                                             now: now)
                }
                report.paid += 1
            } catch StoreError.conflict {
                // This month's payout exists (the month's unique key, or the ledger entry's).
                report.alreadyPaid += 1
            }
        }
        return report
    }
}
