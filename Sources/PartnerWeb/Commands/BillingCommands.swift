import ArgumentParser
import Foundation
import PartnerCore
import PartnerStore
import Vapor

/// `partnerhub renew [--until DATE]`: bills every product due (R-B8). Safe to run while a
/// server's scheduler runs too: each period is claimed once in the database.
struct Renew: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Bill every product due for renewal (R-B8); twice, or on two instances, bills nothing twice.")
    @ArgumentParser.Option(help: "Bill what falls due up to this date (YYYY-MM-DD, end of day UTC); default: now.") var until: String?
    @ArgumentParser.Flag(help: "List every renewed product with the number of periods billed (tab-separated: id, periods, name).") var list = false

    func run() async throws {
        var limit: Date? = nil
        if let until {
            guard let day = Self.day(until) else {
                FileHandle.standardError.write(Data("error: --until must be a date like 2026-12-31\n".utf8))
                throw ExitCode(2)
            }
            limit = day.addingTimeInterval(86_399)
        }
        let started = Date()
        let report = try await withApplication { app in
            try await app.partnerHub.billing.renewDue(until: limit ?? app.partnerHub.configuration.clock.now(), store: app.store) { done, seen in
                // Progress on one line, on stderr (R-B8 long runs).
                FileHandle.standardError.write(Data("\rrenewing: \(done) of \(seen) due products so far…".utf8))
            }
        }
        FileHandle.standardError.write(Data("\n".utf8))
        let seconds = Date().timeIntervalSince(started)
        print("Renewed \(report.renewed), newly in grace \(report.inGrace), still unpaid in grace \(report.stillUnpaid), renewed elsewhere \(report.skipped), failed \(report.failed), suspended \(report.suspended) (\(String(format: "%.1f", seconds)) s).")
        // R-B8: a product behind by several periods is billed each of them in this one run.
        if !report.periods.isEmpty {
            print("Periods billed per product: " + report.productsByPeriods.map { "\($0.periods) period\($0.periods == 1 ? "" : "s"): \($0.products) product\($0.products == 1 ? "" : "s")" }.joined(separator: ", ") + ".")
        }
        if list {
            for (id, billed) in report.periods.sorted(by: { $0.value.name == $1.value.name ? $0.key.string < $1.key.string : $0.value.name < $1.value.name }) {
                print("\(id.string)\t\(billed.periods)\t\(billed.name.replacingOccurrences(of: "\t", with: " "))")
            }
        }
        if report.failed > 0 { throw ExitCode(1) }
    }

    static func day(_ text: String) -> Date? { DateInput.day(text) }
}

/// `partnerhub verify-ledger` (R-B10): re-derives every wallet balance from its entries and every
/// order's cashback and net from its lines; exit 1 on any difference.
struct VerifyLedger: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify-ledger", abstract: "Re-derive every wallet balance and cashback (R-B10); exit 1 on a difference.")
    func run() async throws {
        let problems = try await withApplication { app in try await app.store.verifyLedger() }
        if problems.isEmpty {
            print("OK: every wallet balance equals its entries; every order's cashback and net equal its lines.")
        } else {
            for problem in problems { print("DIFFERENCE: \(problem)") }
            throw ExitCode(1)
        }
    }
}

/// `partnerhub fan-out-tenders`: sends every tender not yet sent to its matching partners (R-T2),
/// as `serve`'s background job does every few seconds; for instances run without it, and to
/// time the fan-out.
struct FanOutTenders: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fan-out-tenders",
                                                    abstract: "Send every tender not yet sent to its matching partners (R-T2); each is claimed once.")

    func run() async throws {
        try await withApplication { app in
            let store = app.store
            var total = 0
            while true {
                let pending = try await store.tendersAwaitingFanOut()
                if pending.isEmpty { break }
                for id in pending {
                    let started = Date()
                    let reached = try await app.partnerHub.tenders.fanOut(id, store: store)
                    let seconds = Date().timeIntervalSince(started)
                    print("tender \(id.string): \(reached.map { "\($0) partners matched and queued" } ?? "sent by another instance") in \(String(format: "%.2f", seconds)) s")
                    total += 1
                }
            }
            print("Sent \(total) tenders.")
        }
    }
}

/// `partnerhub affiliate-payouts`: this month's affiliate payouts (R-A1), as `serve` runs them;
/// a second run in the same month pays nothing.
struct AffiliatePayouts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "affiliate-payouts",
                                                    abstract: "Pay this month's affiliate commissions held 30 days, from 50 per currency (R-A1); once a month.")

    func run() async throws {
        let report = try await withApplication { app in try await app.partnerHub.affiliates.payOut(store: app.store) }
        print("Paid \(report.paid) payouts; \(report.belowMinimum) below the minimum of 50; \(report.alreadyPaid) already paid this month.")
    }
}
