import Foundation
import NIOConcurrencyHelpers
import Vapor

/// R-R1: every request is answered within its deadline (`AppConfiguration.requestDeadline`,
/// `PARTNERHUB_REQUEST_DEADLINE` seconds). A request still waiting then — typically on a database
/// that went away mid-query and never answers — gets 503 with `Retry-After`, and its task is
/// cancelled (a write already sent may still commit: the answer says to check before retrying).
/// A streamed body (CSV exports) counts from the start until the response begins.
struct DeadlineMiddleware: AsyncMiddleware {
    let seconds: TimeInterval

    /// Resumes the request's continuation once — with the response, the error, or the deadline —
    /// and lets the finished side stop the other (the timer, or the work).
    final class Outcome: @unchecked Sendable {
        private let lock = NIOLock()
        private var continuation: CheckedContinuation<Response, any Error>?
        private var timer: Task<Void, Never>?
        init(_ continuation: CheckedContinuation<Response, any Error>) { self.continuation = continuation }

        @discardableResult
        func resume(_ result: Result<Response, any Error>) -> Bool {
            guard let continuation = lock.withLock({ () -> CheckedContinuation<Response, any Error>? in
                defer { self.continuation = nil }
                return self.continuation
            }) else { return false }
            continuation.resume(with: result)
            return true
        }

        /// The timer, cancelled at once if the work has already answered.
        func watch(_ timer: Task<Void, Never>) {
            let answered = lock.withLock { () -> Bool in
                self.timer = timer
                return continuation == nil
            }
            if answered { timer.cancel() }
        }

        func stopTimer() { lock.withLock { timer }?.cancel() }
    }

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let seconds = self.seconds
        return try await withCheckedThrowingContinuation { continuation in
            let outcome = Outcome(continuation)
            let work = Task {
                do {
                    outcome.resume(.success(try await next.respond(to: req)))
                } catch {
                    outcome.resume(.failure(error))
                }
                outcome.stopTimer()
            }
            outcome.watch(Task {
                do { try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000)) } catch { return }
                if outcome.resume(.failure(AppError.unavailable(reason: "The request did not finish within \(Int(seconds)) seconds; check whether it took effect before you retry.",
                                                                retryAfter: 5))) {
                    // Cancelled work stops at its next suspension point that checks; a write
                    // already sent may still commit, which is why the answer says to check.
                    work.cancel()
                    req.logger.warning("request past its deadline of \(Int(seconds)) s: \(req.method.rawValue) \(req.url.path)")
                }
            })
        }
    }
}
