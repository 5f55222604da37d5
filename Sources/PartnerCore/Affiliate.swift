import Foundation

public enum AffiliateTag {}
public enum CommissionTag {}
public typealias AffiliateID = Tagged<AffiliateTag, UUID>
public typealias CommissionID = Tagged<CommissionTag, UUID>

/// R-A1: a commission's life. Pending for 30 days, then payable; paid out monthly once the
/// payable sum reaches the threshold; a refund of the order reverses it while it is unpaid.
public enum CommissionStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending, payable, paid, reversed
}

/// R-A1: the provider's published affiliate scheme. Amounts are counted per currency — the
/// thresholds and the payout minimum are the same figure in CHF and in EUR, and nothing is
/// converted between them (choice: no exchange rates on a money path).
public enum AffiliateScheme {
    /// A click attributes an organisation that signs up within 30 days (last click wins).
    public static let attributionWindow: TimeInterval = 30 * 86_400
    /// Commissions on an attributed organisation's paid orders and renewals for its first 365 days.
    public static let earningWindow: TimeInterval = 365 * 86_400
    /// Commissions wait 30 days (refunds come first) before they are payable.
    public static let holdPeriod: TimeInterval = 30 * 86_400
    /// Payouts go to the affiliate's prepaid account once the payable sum reaches 50.
    public static let payoutMinimum: Int64 = 5_000

    /// (cumulative earnings from, rate): 25 % → 30 % from 50 → 35 % from 1,000 → 50 % from 20,000.
    public static let tiers: [(from: Int64, rate: BasisPoints)] = [
        (0, BasisPoints(2500)), (5_000, BasisPoints(3000)), (100_000, BasisPoints(3500)), (2_000_000, BasisPoints(5000)),
    ]

    /// The rate for the next commission, by what the affiliate earned before it in that currency
    /// (choice: a commission that crosses a threshold is paid at the rate in force when it began).
    public static func rate(cumulative: Money) -> BasisPoints {
        // Below the first threshold (a negative sum read from the ledger): the first tier's rate.
        tiers.last { cumulative.minorUnits >= $0.from }?.rate ?? tiers.first?.rate ?? .zero
    }

    /// The commission on an order's net amount (excluding VAT), rounded half-up (R-B1).
    public static func commission(net: Money, cumulative: Money) throws(MoneyError) -> (rate: BasisPoints, amount: Money) {
        let rate = rate(cumulative: cumulative)
        return (rate, try net.share(rate))
    }

    public static func attributes(clickedAt: Date, signedUpAt: Date) -> Bool {
        signedUpAt >= clickedAt && signedUpAt.timeIntervalSince(clickedAt) <= attributionWindow
    }

    public static func earns(attributedAt: Date, orderAt: Date) -> Bool {
        orderAt >= attributedAt && orderAt.timeIntervalSince(attributedAt) < earningWindow
    }

    /// Pending and payable are both "unpaid"; which of the two depends on the time.
    public static func status(_ stored: CommissionStatus, createdAt: Date, now: Date) -> CommissionStatus {
        stored == .pending && now.timeIntervalSince(createdAt) >= holdPeriod ? .payable : stored
    }

    /// A refund reverses a commission only while it is unpaid.
    public static func reversible(_ status: CommissionStatus) -> Bool { status == .pending || status == .payable }

    /// Whether this month's payout is due: the payable sum reached the minimum.
    public static func payoutDue(payable: Money) -> Bool { payable.minorUnits >= payoutMinimum }

    static let codeAlphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")

    /// A referral code: 10 characters without look-alikes (no 0/o, 1/l/i).
    public static func referralCode<R: RandomNumberGenerator>(using generator: inout R) -> String {
        String((0..<10).map { _ in codeAlphabet.randomElement(using: &generator) ?? "a" })
    }

    public static func isReferralCode(_ text: String) -> Bool {
        text.count == 10 && text.allSatisfy { codeAlphabet.contains($0) }
    }

    /// What the affiliate sees instead of an order: the commission's own short number, which
    /// says nothing about the organisation or its order.
    public static func anonymousNumber(_ commission: CommissionID) -> String {
        "K-" + commission.string.prefix(8).uppercased()
    }
}
