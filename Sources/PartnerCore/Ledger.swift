import Foundation

/// R-B5: what an entry of the prepaid account records.
public enum LedgerKind: String, Sendable, Hashable, Codable, CaseIterable {
    case topUp = "top_up"
    case cashback
    case payment
    case refund
    case affiliatePayout = "affiliate_payout"
    /// A refunded order takes back the cashback it earned.
    case cashbackReversal = "cashback_reversal"

    /// Payments and cashback reversals debit; everything else credits.
    public var isCredit: Bool { self != .payment && self != .cashbackReversal }
}

public enum LedgerError: Error, Equatable, Sendable {
    /// The balance cannot cover the payment; nothing is written.
    case insufficientFunds(balance: Money)
    /// R-B5: a wallet pays only in its own currency.
    case currencyMismatch
    case notPositive
    case overflow
}

/// R-B5: the prepaid account is an append-only ledger per organisation and currency; the balance
/// is the sum of its entries and never goes below zero.
public enum Ledger {
    /// The amount an entry adds to the balance (negative for payments).
    public static func signed(_ kind: LedgerKind, _ amount: Money) throws(LedgerError) -> Money {
        guard amount.minorUnits > 0 else { throw .notPositive }
        return kind.isCredit ? amount : Money(minorUnits: -amount.minorUnits, currency: amount.currency)
    }

    /// The balance after one more entry, or the reason it cannot be written.
    public static func apply(_ kind: LedgerKind, _ amount: Money, to balance: Money) throws(LedgerError) -> Money {
        guard amount.currency == balance.currency else { throw .currencyMismatch }
        let change = try signed(kind, amount)
        let after: Money
        do { after = try balance.adding(change) } catch { throw .overflow }
        guard after.minorUnits >= 0 else { throw .insufficientFunds(balance: balance) }
        return after
    }

    /// Re-derives a balance from its entries (what `verify-ledger` compares with the stored one).
    public static func balance(of entries: [(LedgerKind, Money)], currency: Currency) throws(LedgerError) -> Money {
        var balance = Money.zero(currency)
        for (kind, amount) in entries { balance = try apply(kind, amount, to: balance) }
        return balance
    }
}

/// R-B5 with R-O1: a prepaid balance is only money if something can spend it. Orders are priced in
/// the client's currency and paid by whoever R-B3 names, so an organisation spends its own
/// currency, and a partner also the currencies of the clients it manages (it pays for them in
/// payment mode "partner" or with its own means). A top-up in any other currency is refused.
public enum WalletRules {
    public static func spendableCurrencies(own: Currency, managedClients: some Sequence<Currency>) -> Set<Currency> {
        Set(managedClients).union([own])
    }

    public static func mayTopUp(_ currency: Currency, own: Currency, managedClients: some Sequence<Currency>) -> Bool {
        spendableCurrencies(own: own, managedClients: managedClients).contains(currency)
    }
}
