import Foundation
import PartnerStore
import Vapor

/// R-N1: sends outbox messages over SMTP. Any instance may run it (claims are leases in the
/// database); a message leaves the outbox only after the server accepted it, so a crash loses
/// nothing; failures retry with exponential backoff (30 s, 1 min, 2 min … at most 1 h).
struct OutboxWorker: Sendable {
    let client: SMTPClient
    let clock: any Clock

    static func backoff(attempt: Int) -> TimeInterval { min(3600, 30 * pow(2, Double(max(0, attempt - 1)))) }

    /// One pass: claim what is due, send it, record the outcome. Returns how many were sent.
    @discardableResult
    func deliverDue(store: Store, limit: Int = 20) async throws -> Int {
        let now = clock.now()
        let batch = try await store.claimDueMail(now: now, lease: 120, limit: limit)
        var sent = 0
        for message in batch {
            do {
                try await client.send(to: message.recipient, subject: message.subject, body: message.body,
                                      messageID: message.id.uuidString.lowercased(), date: message.createdAt)
                try await store.write { tx in try await tx.markMailSent(message.id, now: clock.now()) }
                sent += 1
            } catch {
                let attempts = (try? await store.mailAttempts(message.id).attempts) ?? 0
                try await store.markMailFailed(message.id, error: String(describing: error),
                                               retryAt: clock.now().addingTimeInterval(Self.backoff(attempt: attempts + 1)))
            }
        }
        return sent
    }
}

/// The background work of a serving instance: outbox delivery every few seconds when SMTP_URL
/// is configured, tender fan-out every few seconds, time-bound partnerships and renewals every minute. All of it coordinates through the
/// database, so several instances may run it.
final class BackgroundJobs: LifecycleHandler, @unchecked Sendable {
    let worker: OutboxWorker?
    let partnerships: PartnershipService
    let billing: BillingService
    let tenders: TenderService
    let affiliates: AffiliateService
    private var task: Task<Void, Never>?

    init(worker: OutboxWorker?, partnerships: PartnershipService, billing: BillingService, tenders: TenderService, affiliates: AffiliateService) {
        self.worker = worker
        self.partnerships = partnerships
        self.billing = billing
        self.tenders = tenders
        self.affiliates = affiliates
    }

    func didBootAsync(_ application: Application) async throws {
        let store = application.store
        let logger = application.logger
        task = Task { [worker, partnerships, billing, tenders, affiliates] in
            var tick = 0
            while !Task.isCancelled {
                // R-T2: new tenders reach their partners within a tick, apart from the submission.
                do { try await tenders.fanOutPending(store: store) } catch { logger.warning("tender fan-out: \(error)") }
                if let worker {
                    do { try await worker.deliverDue(store: store) } catch { logger.warning("outbox delivery: \(error)") }
                }
                if tick % 20 == 0 {
                    do { try await partnerships.runTimeBound(store: store) } catch { logger.warning("time-bound partnerships: \(error)") }
                    // R-B8: renewals due now, and reminders 14 days ahead (both claim in the database).
                    do {
                        let report = try await billing.renewDue(until: billing.clock.now(), store: store)
                        // Products waiting in grace are retried every minute; only changes are logged.
                        if report.renewed + report.inGrace + report.failed + report.suspended > 0 { logger.info("renewals: \(report)") }
                        try await billing.sendRenewalReminders(store: store)
                    } catch { logger.warning("renewals: \(error)") }
                    // R-A1: the month's payouts (one per affiliate, currency and month, whoever runs it).
                    do {
                        let report = try await affiliates.payOut(store: store)
                        if report.paid > 0 { logger.info("affiliate payouts: \(report.paid)") }
                    } catch { logger.warning("affiliate payouts: \(error)") }
                }
                tick += 1
                try? await Task.sleep(for: .seconds(3))
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        task?.cancel()
        _ = await task?.value
    }
}
