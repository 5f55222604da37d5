import Foundation

/// R-B11: how a managed client's own orders on its partner's money are handled, chosen by the
/// partner per client (payment mode `partner`).
public enum ClientSpending: Sendable, Hashable, Codable {
    /// Placed at once, as R-B3 row 4 always did.
    case direct
    /// Every order waits for the partner's approval.
    case approval
    /// Placed at once while the month's orders stay within the limit (net, the client's
    /// currency); above it, they wait for approval.
    case monthlyLimit(Money)

    public var name: String {
        switch self {
        case .direct: return "direct"
        case .approval: return "approval"
        case .monthlyLimit: return "monthly_limit"
        }
    }
}

/// What happens to an order on the partner's money.
public enum SpendingDecision: Sendable, Hashable {
    case place
    case needsApproval
    case refused(SpendingRefusal)
}

public enum SpendingRefusal: String, Sendable, Hashable {
    /// R-B11: the employee's monthly limit would be exceeded.
    case overEmployeeLimit = "over_employee_limit"
    /// The employee's limit is set in another currency than the client's.
    case limitCurrency = "limit_currency"
    /// No legal representative let this employee order on the partner's money.
    case notPermitted = "not_permitted"
}

public enum SpendingRules {
    /// The largest monthly limit accepted (a typo guard, like the top-up's).
    public static let maximumLimit: Int64 = 100_000_000

    /// R-B11: a client's own order (`amount`, net) on the partner's money, with what the client's
    /// orders on it came to this month (`spent`, the same currency).
    public static func clientOrder(_ mode: ClientSpending, spent: Money, amount: Money) -> SpendingDecision {
        switch mode {
        case .direct: return .place
        case .approval: return .needsApproval
        case .monthlyLimit(let limit):
            // A limit in another currency than the order cannot be compared: the partner decides.
            guard limit.currency == amount.currency, spent.currency == amount.currency else { return .needsApproval }
            let (total, overflow) = spent.minorUnits.addingReportingOverflow(amount.minorUnits)
            return !overflow && total <= limit.minorUnits ? .place : .needsApproval
        }
    }

    /// R-B11/R-O2: an employee's order on the partner's money, against their own monthly limit.
    public static func employeeOrder(limit: Money?, spent: Money, amount: Money) -> SpendingDecision {
        guard let limit else { return .refused(.notPermitted) }
        guard limit.currency == amount.currency, spent.currency == amount.currency else { return .refused(.limitCurrency) }
        let (total, overflow) = spent.minorUnits.addingReportingOverflow(amount.minorUnits)
        return !overflow && total <= limit.minorUnits ? .place : .refused(.overEmployeeLimit)
    }

    /// A limit as typed: whole minor units, positive, at most `maximumLimit`.
    public static func validLimit(_ minor: Int64, currency: Currency, field: String) throws(ValidationErrors) -> Money {
        guard minor > 0, minor <= maximumLimit else { throw ValidationErrors([FieldError(field, .invalidValue)]) }
        return Money(minorUnits: minor, currency: currency)
    }

    /// The month a limit counts in: from the first of the month, 00:00 UTC.
    public static func monthStart(_ date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month], from: date)
        return calendar.date(from: parts) ?? date
    }
}

/// R-B11: what one who looks at a priced order sees. The partner's side (its members) sees all;
/// the client sees public prices only — never the partner's preferential price, discount or
/// cashback, and, when the partner pays, not what the partner is charged.
public struct DisclosedLine: Sendable, Hashable {
    public let category: ProductCategory
    public let name: String
    public let quantity: Int64
    public let period: BillingPeriod
    public let unitPrice: Money
    public let tierCount: Int64?
    public let steps: [LinePrice.Entry]
    public let charged: Money?
    public let publicPrice: Money
    public let preferentialPrice: Money?
    public let cashback: Money?
}

public enum PriceDisclosure {
    public enum Audience: Sendable, Hashable { case partnerSide, clientSide }

    public static func lines(_ order: PricedOrder, to audience: Audience) -> [DisclosedLine] {
        order.lines.map { line in
            switch audience {
            case .partnerSide:
                return DisclosedLine(category: line.category, name: line.name, quantity: line.quantity, period: line.period, unitPrice: line.unitPrice,
                                     tierCount: line.tierCount, steps: line.steps, charged: line.charged, publicPrice: line.publicPrice,
                                     preferentialPrice: line.preferentialPrice, cashback: line.cashback)
            case .clientSide where order.payer == .client:
                // The client pays the public price (R-B3): its own steps are its own; partner steps are not.
                return DisclosedLine(category: line.category, name: line.name, quantity: line.quantity, period: line.period, unitPrice: line.unitPrice,
                                     tierCount: line.tierCount, steps: line.steps.filter { $0.step == .list || $0.step == .tierDiscount },
                                     charged: line.charged, publicPrice: line.publicPrice, preferentialPrice: nil, cashback: nil)
            case .clientSide:
                // The partner pays: the client sees the list price of what it ordered, nothing of
                // the partner's tier, price or invoice.
                let list = line.steps.first { $0.step == .list }
                return DisclosedLine(category: line.category, name: line.name, quantity: line.quantity, period: line.period, unitPrice: line.unitPrice,
                                     tierCount: nil, steps: list.map { [$0] } ?? [], charged: nil, publicPrice: list?.amount ?? line.publicPrice,
                                     preferentialPrice: nil, cashback: nil)
            }
        }
    }

    /// Whether the order's net, cashback and totals (the payer's invoice) are shown.
    public static func showsPayerAmounts(_ order: PricedOrder, to audience: Audience) -> Bool {
        audience == .partnerSide || order.payer == .client
    }
}
