import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

extension DifferentialWorld {
    /// What the system stored, written as the model writes it.
    func observed() async throws -> (orders: [String], invoices: [String], wallets: [String: Int64], cashbacks: [String]) {
        var orders: [String] = [], invoices: [String] = [], wallets: [String: Int64] = [:], cashbacks: [String] = []
        func label(_ id: OrganisationID?) -> String { id.flatMap { labels[$0.string] } ?? "?" }
        for account in clients + partners {
            for o in try await t.store.orders(client: OrganisationID(string: account.organisationID)!, limit: 1_000_000) {
                let lines = o.priced.lines.map { "\($0.category.rawValue) x\($0.quantity) tier=\($0.tierCount) charged=\($0.charged.minorUnits) cb=\($0.cashback.minorUnits)" }
                orders.append("\(o.kind.rawValue) \(label(o.organisationID)) payer=\(label(o.payerID)) \(o.priced.benefit.rawValue) [\(lines.joined(separator: ", "))] "
                              + "net=\(o.priced.net.minorUnits) cb=\(o.priced.cashback.minorUnits) \(o.priced.currency.rawValue)")
            }
        }
        for account in clients + partners {
            let id = OrganisationID(string: account.organisationID)!
            for i in try await t.store.invoices(of: id, limit: 1_000_000) where i.kind == .invoice {
                invoices.append("\(label(i.organisationID)) \(i.totals.net.currency.rawValue) [\(i.lines.map { "x\($0.quantity)=\($0.net.minorUnits)" }.joined(separator: ", "))] "
                                + "net=\(i.totals.net.minorUnits) vat=\(i.totals.vat.minorUnits) total=\(i.totals.total.minorUnits)")
            }
            for currency in Currency.allCases {
                let balance = try await t.store.walletBalance(id, currency: currency).minorUnits
                if balance != 0 { wallets["\(label(id)) \(currency.rawValue)"] = balance }
            }
            for entry in try await t.store.ledger(id, limit: 1_000_000) where entry.kind == .cashback {
                cashbacks.append("\(label(id)) \(entry.amount.currency.rawValue) \(entry.amount.minorUnits)")
            }
        }
        return (orders, invoices, wallets, cashbacks)
    }

    /// Every order, invoice, wallet and cashback entry as the model predicts them (multisets).
    func compare() async throws {
        let seen = try await observed()
        func differ(_ what: String, _ expected: [String], _ actual: [String]) -> String? {
            var missing = expected.sorted(), extra: [String] = []
            for item in actual.sorted() {
                if let index = missing.firstIndex(of: item) { missing.remove(at: index) } else { extra.append(item) }
            }
            guard !missing.isEmpty || !extra.isEmpty else { return nil }
            return "\(what): the model expects\n    " + missing.prefix(4).joined(separator: "\n    ") + "\n  the system has\n    " + extra.prefix(4).joined(separator: "\n    ")
        }
        let wallets = model.wallets.filter { $0.value != 0 }
        let problems = [differ("orders", model.orders, seen.orders), differ("invoices", model.invoices, seen.invoices),
                        differ("cashback", model.cashbacks, seen.cashbacks),
                        wallets == seen.wallets ? nil : "wallets: the model \(wallets.sorted { $0.key < $1.key }), the system \(seen.wallets.sorted { $0.key < $1.key })"]
            .compactMap { $0 }
        if !problems.isEmpty { throw fail(problems.joined(separator: "\n")) }
    }
}

/// Issue #12: random worlds driven through the API month by month, every step compared with the
/// reference model (R-B2 … R-B8). Seeded: PARTNERHUB_DIFF_SEEDS (comma-separated) and
/// PARTNERHUB_DIFF_STEPS widen a run; a failure prints the shortest sequence that still fails.
@Suite("R-B2…R-B8 against a reference model", .serialized)
struct DifferentialBillingTests {
    static var seeds: [UInt64] {
        ProcessInfo.processInfo.environment["PARTNERHUB_DIFF_SEEDS"].map { $0.split(separator: ",").compactMap { UInt64($0) } } ?? [1, 2, 3]
    }
    static var steps: Int { ProcessInfo.processInfo.environment["PARTNERHUB_DIFF_STEPS"].flatMap { Int($0) } ?? 100 }

    struct Figures {
        var steps = 0, orders = 0, invoices = 0, renewals = 0, cashbacks = 0, refusals = 0, highestTierCount: Int64 = 0
    }

    /// One world from the start; the mismatch, if any.
    static func run(_ ops: [DifferentialOp], seed: UInt64, figures: inout Figures) async throws -> Mismatch? {
        var result: Mismatch? = nil
        var counted = Figures()
        try await TestApp.with { t in
            do {
                let world = try await DifferentialWorld(t, seed: seed)
                for op in ops { try await world.run(op) }
                counted = Figures(steps: ops.count, orders: world.model.orders.count - world.model.renewals, invoices: world.model.invoices.count,
                                  renewals: world.model.renewals, cashbacks: world.model.cashbacks.count, refusals: world.refusals,
                                  highestTierCount: world.model.highestTierCount)
            } catch let mismatch as Mismatch {
                result = mismatch
            }
        }
        figures.steps += counted.steps; figures.orders += counted.orders; figures.invoices += counted.invoices
        figures.renewals += counted.renewals; figures.cashbacks += counted.cashbacks; figures.refusals += counted.refusals
        figures.highestTierCount = max(figures.highestTierCount, counted.highestTierCount)
        return result
    }

    /// Drops steps while the run still fails (halves, then quarters … then single steps), for
    /// at most 120 reruns.
    static func shrink(_ ops: [DifferentialOp], seed: UInt64) async throws -> ([DifferentialOp], Mismatch?) {
        var current = ops, last: Mismatch? = nil, reruns = 0
        var scratch = Figures()
        var chunk = max(1, current.count / 2)
        while chunk >= 1 && reruns < 120 {
            var index = 0, removed = false
            while index < current.count && reruns < 120 {
                let candidate = Array(current[..<index]) + Array(current[min(current.count, index + chunk)...])
                reruns += 1
                if let failure = try await run(candidate, seed: seed, figures: &scratch) {
                    current = candidate
                    last = failure
                    removed = true
                } else {
                    index += chunk
                }
            }
            if !removed { chunk /= 2 }
        }
        return (current, last)
    }

    @Test("Random worlds over months (orders, partnership changes, top-ups, renewal runs) match the reference model step by step")
    func randomWorlds() async throws {
        // A run of nothing proves nothing: seeds and steps must be given when set.
        try #require(!Self.seeds.isEmpty && Self.steps > 0, "PARTNERHUB_DIFF_SEEDS / PARTNERHUB_DIFF_STEPS name no run")
        var figures = Figures()
        for seed in Self.seeds {
            let ops = DifferentialOp.generate(seed: seed, count: Self.steps, clients: 4, partners: 2)
            guard let failure = try await Self.run(ops, seed: seed, figures: &figures) else { continue }
            let (shortest, shrunk) = try await Self.shrink(Array(ops.prefix(failure.step + 1)), seed: seed)
            Issue.record("""
                seed \(seed): \(failure)
                shortest sequence that fails (\(shortest.count) steps)\(shrunk.map { ", at \($0)" } ?? ""):
                \(shortest.enumerated().map { "  \($0.offset + 1). \($0.element)" }.joined(separator: "\n"))
                """)
        }
        print("differential: \(Self.seeds.count) seeds × \(Self.steps) steps; \(figures.orders) orders, \(figures.invoices) invoices, "
              + "\(figures.renewals) renewals, \(figures.cashbacks) cashback entries compared; \(figures.refusals) refused operations checked; highest tier count \(figures.highestTierCount)")
        #expect(figures.steps == Self.seeds.count * Self.steps)
        // And it went where the rules are: orders, renewals, cashback, refusals, tiers.
        #expect(figures.orders > 0 && figures.renewals > 0 && figures.cashbacks > 0 && figures.refusals > 0 && figures.highestTierCount >= 5,
                "orders \(figures.orders), renewals \(figures.renewals), cashback \(figures.cashbacks), refusals \(figures.refusals), highest tier count \(figures.highestTierCount)")
    }
}
