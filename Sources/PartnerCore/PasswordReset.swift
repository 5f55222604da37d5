import Foundation

/// R-O6: "forgot password". A reset link carries a random token stored only as a hash; it works
/// once, for one hour, and the request is answered alike whether the address has an account.
public enum PasswordResetRules {
    public static let lifetime: TimeInterval = 60 * 60
    /// Requests per recipient and per sending address an hour (each one may send a mail, R-H1).
    public static let requestsPerRecipientPerHour = 3
    public static let requestsPerAddressPerHour = 20

    public enum Refusal: String, Sendable, Equatable {
        /// No such link (mistyped, or never issued).
        case unknown
        /// Used already, or replaced by a reset that went through.
        case used
        case expired
    }

    public static func check(expiresAt: Date, usedAt: Date?, now: Date) -> Refusal? {
        if usedAt != nil { return .used }
        if now >= expiresAt { return .expired }
        return nil
    }
}

/// R-O6: changing the e-mail address is confirmed from the new address, with a link that works
/// once for one hour (the same rules as a reset link), and announced to the old one.
public enum EmailChangeRules {
    public static let lifetime: TimeInterval = PasswordResetRules.lifetime
    public static let requestsPerUserPerHour = 5

    public static func check(expiresAt: Date, usedAt: Date?, now: Date) -> PasswordResetRules.Refusal? {
        PasswordResetRules.check(expiresAt: expiresAt, usedAt: usedAt, now: now)
    }
}
