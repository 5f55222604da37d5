import Foundation

/// Invitations (R-P4, used for memberships too): a token of ≥128 random bits, stored only as a
/// hash, single use, expiring after 14 days (choice).
public enum InvitationStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending, accepted, declined, withdrawn
}

public enum InvitationRules {
    public static let lifetime: TimeInterval = 14 * 24 * 60 * 60
    /// 32 bytes = 256 bits of randomness, above the ≥128 bits R-P4 asks for.
    public static let tokenBytes = 32

    public enum Problem: String, Error, Equatable, Sendable {
        case expired, used, withdrawn, declined
    }

    /// Whether an invitation found by its token may still be answered at `now`.
    public static func check(status: InvitationStatus, expiresAt: Date, now: Date) -> Problem? {
        switch status {
        case .accepted: return .used
        case .declined: return .declined
        case .withdrawn: return .withdrawn
        case .pending: return now >= expiresAt ? .expired : nil
        }
    }
}
