import FluentKit

/// Every migration, once, in order. Never edit one after it landed: add the next.
public enum PartnerMigrations {
    public static let all: [any Migration] = [
        M0001_CreateUsers(),
        M0002_CreateOrganisations(),
        M0003_CreateMemberships(),
        M0004_CreateInvitations(),
        M0005_CreateStaff(),
        M0006_CreateSessions(),
        M0007_CreateAccessTokens(),
        M0008_CreateLoginFailures(),
        M0009_CreateAuditEvents(),
        M0010_CreateOutboxMessages(),
        M0011_CreateSettings(),
        M0012_AddPartnerApproval(),
        M0013_CreateProducts(),
        M0014_CreatePartnerships(),
        M0015_CreatePartnershipGrants(),
        M0016_CreateClientAssignments(),
        M0017_AddDeliveryToOutbox(),
        M0018_AddEndReminders(),
        M0019_CreateSupportGrants(),
        M0020_CreateCatalogue(),
        M0021_AddBillingToProducts(),
        M0022_CreateWallets(),
        M0023_CreateOrders(),
        M0024_CreateInvoices(),
        M0025_CreateThemeRequests(),
        M0026_CreateProductAssignments(),
        M0027_AddBillingIndexes(),
        M0028_CreateStaffAccessTokens(),
    ]
}
