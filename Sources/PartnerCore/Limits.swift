import Foundation

/// R-H1: the documented bounds on the work one request may cause. The API contract states the
/// per-request ones (`maxItems`, `maximum`), refusals name the limit (422 `over_limit`, or 429
/// for the hourly ones), and docs/rules.md lists them all.
public enum Limits {
    /// Lines in one quote or order.
    public static let linesPerOrder = 20
    /// Units (products created or renewed) in one quote or order, all lines together.
    public static let unitsPerOrder = 200
    /// Confirmed or attempted orders per client organisation in a sliding hour.
    public static let ordersPerOrganisationPerHour = 500
    /// Quotes per client organisation in a sliding hour (each is priced and stored).
    public static let quotesPerOrganisationPerHour = 1_000
    /// Referral-link clicks recorded per IP address in a sliding hour (R-A1); more are followed
    /// without being recorded.
    public static let referralClicksPerAddressPerHour = 30
    /// Sign-ups (each sends a mail) per IP address, and mails one address receives from sign-ups, an hour.
    public static let signUpsPerAddressPerHour = 20
    public static let signUpMailsPerRecipientPerHour = 3
    /// Member and partnership invitations an organisation sends an hour, and resends of one invitation.
    public static let invitationsPerOrganisationPerHour = 100
    public static let resendsPerInvitationPerHour = 5

    public static let hour: TimeInterval = 3600
}
