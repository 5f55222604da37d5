import Foundation

/// Failed logins are limited per account and per IP address: at most `maximumFailures` in a
/// sliding `window`; beyond that, the answer is "retry after" (429) without saying whether the
/// account exists. The clock is handed in.
public struct LoginThrottle: Sendable {
    public let maximumFailures: Int
    public let window: TimeInterval

    public init(maximumFailures: Int = 5, window: TimeInterval = 15 * 60) {
        self.maximumFailures = maximumFailures
        self.window = window
    }

    public enum Decision: Equatable, Sendable {
        case allowed
        case retryAfter(seconds: Int)
    }

    /// `failures` are the times of earlier failures for one key (an account or an address).
    public func decide(failures: [Date], now: Date) -> Decision {
        let recent = failures.filter { now.timeIntervalSince($0) < window }.sorted()
        guard recent.count >= maximumFailures else { return .allowed }
        // Allowed again once enough of the recent failures have left the window.
        let freeing = recent[recent.count - maximumFailures]
        let seconds = Int((freeing.addingTimeInterval(window).timeIntervalSince(now)).rounded(.up))
        return .retryAfter(seconds: max(1, seconds))
    }
}
