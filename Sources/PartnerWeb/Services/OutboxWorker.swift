import Foundation
import PartnerStore
import Vapor

/// R-N1: sends outbox messages over SMTP. Any instance may run it (claims are leases in the
/// database); a message leaves the outbox only after the server accepted it, so a crash loses
/// nothing; failures retry with exponential backoff (30 s, 1 min, 2 min … at most 1 h).
struct OutboxWorker: Sendable {
    let client: SMTPClient
    let clock: any Clock
    let threadPool: NIOThreadPool

    static func backoff(attempt: Int) -> TimeInterval { min(3600, 30 * pow(2, Double(max(0, attempt - 1)))) }

    /// One pass: claim what is due, send it, record the outcome. Returns how many were sent.
    @discardableResult
    func deliverDue(store: Store, limit: Int = 20) async throws -> Int {
        let now = clock.now()
        let batch = try await store.claimDueMail(now: now, lease: 120, limit: limit)
        var sent = 0
        for message in batch {
            do {
                try await threadPool.runIfActive { [client] in
                    try client.send(to: message.recipient, subject: message.subject, body: message.body,
                                    messageID: message.id.uuidString.lowercased(), date: message.createdAt)
                }
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

/// Runs the worker every few seconds while the app serves, when SMTP_URL is configured.
final class OutboxWorkerLifecycle: LifecycleHandler, @unchecked Sendable {
    let worker: OutboxWorker
    let interval: Duration
    private var task: Task<Void, Never>?

    init(worker: OutboxWorker, interval: Duration = .seconds(3)) {
        self.worker = worker
        self.interval = interval
    }

    func didBootAsync(_ application: Application) async throws {
        let store = application.store
        let logger = application.logger
        task = Task { [worker, interval] in
            while !Task.isCancelled {
                do { try await worker.deliverDue(store: store) } catch { logger.warning("outbox delivery: \(error)") }
                try? await Task.sleep(for: interval)
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        task?.cancel()
        _ = await task?.value
    }
}
