import Foundation
import NIOConcurrencyHelpers
import Vapor

/// R-R1: every request is answered within its deadline (`AppConfiguration.requestDeadline`,
/// `PARTNERHUB_REQUEST_DEADLINE` seconds). A request still waiting then — typically on a database
/// that went away mid-query and never answers — gets 503 with `Retry-After`; its work is
/// cancelled. A streamed body (CSV exports) counts from the start until the response begins.
struct DeadlineMiddleware: AsyncMiddleware {
    let seconds: TimeInterval

    /// Resumes the request's continuation once: with the response, the error, or the deadline.
    final class Outcome: @unchecked Sendable {
        private let lock = NIOLock()
        private var continuation: CheckedContinuation<Response, any Error>?
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
    }

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let seconds = self.seconds
        return try await withCheckedThrowingContinuation { continuation in
            let outcome = Outcome(continuation)
            let timer = Task {
                do { try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000)) } catch { return }
                if outcome.resume(.failure(AppError.unavailable(reason: "The request did not finish within \(Int(seconds)) seconds; retry in a few seconds.",
                                                                retryAfter: 5))) {
                    req.logger.warning("request past its deadline of \(Int(seconds)) s: \(req.method.rawValue) \(req.url.path)")
                }
            }
            Task {
                do {
                    outcome.resume(.success(try await next.respond(to: req)))
                } catch {
                    outcome.resume(.failure(error))
                }
                timer.cancel()
            }
        }
    }
}
