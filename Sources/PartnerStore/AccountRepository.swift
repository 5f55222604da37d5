import FluentKit
import Foundation
import PartnerCore
import SQLKit

extension Store {
    // MARK: users

    public func createUser(email: EmailAddress, name: String, passwordHash: String, supportCode: SupportCode,
                           language: Language?, now: Date) async throws -> User {
        let row = UserRow()
        row.id = UUID()
        row.email = email.value
        row.name = name
        row.passwordHash = passwordHash
        row.supportCode = supportCode.value
        row.language = language?.rawValue
        row.createdAt = now
        do { try await row.create(on: database) } catch where Self.isUniqueViolation(error) {
            // No further query here: on PostgreSQL the failed statement has aborted the transaction.
            throw StoreError.conflict(field: Self.violatedColumn(error, among: ["support_code", "email"]) ?? "email")
        }
        return try row.domain()
    }

    public func user(_ id: UserID) async throws -> User? {
        try await UserRow.find(id.rawValue, on: database)?.domain()
    }

    public func user(email: EmailAddress) async throws -> User? {
        try await UserRow.query(on: database).filter(\.$email == email.value).first()?.domain()
    }

    public func passwordHash(of id: UserID) async throws -> String? {
        try await UserRow.find(id.rawValue, on: database)?.passwordHash
    }

    public func credentials(email: EmailAddress) async throws -> (User, String)? {
        guard let row = try await UserRow.query(on: database).filter(\.$email == email.value).first() else { return nil }
        return (try row.domain(), row.passwordHash)
    }

    public func setPasswordHash(_ hash: String, for id: UserID) async throws {
        guard let row = try await UserRow.find(id.rawValue, on: database) else { throw StoreError.notFound }
        row.passwordHash = hash
        try await row.update(on: database)
    }

    public func setSupportCode(_ code: SupportCode, for id: UserID) async throws {
        guard let row = try await UserRow.find(id.rawValue, on: database) else { throw StoreError.notFound }
        row.supportCode = code.value
        do { try await row.update(on: database) } catch where Self.isUniqueViolation(error) {
            throw StoreError.conflict(field: "support_code")
        }
    }

    public func setProfile(name: String, language: Language?, for id: UserID) async throws {
        guard let row = try await UserRow.find(id.rawValue, on: database) else { throw StoreError.notFound }
        row.name = name
        row.language = language?.rawValue
        try await row.update(on: database)
    }

    public func userCount() async throws -> Int { try await UserRow.query(on: database).count() }

    // MARK: organisations

    public func createOrganisation(name: String, country: CountryCode, currency: Currency, now: Date) async throws -> Organisation {
        let row = OrganisationRow()
        row.id = UUID()
        row.name = name
        row.country = country.rawValue
        row.currency = currency.rawValue
        row.createdAt = now
        try await row.create(on: database)
        return try row.domain()
    }

    /// The organisation as seen by a member of it; other organisations are "not found".
    public func organisation(_ context: OrganisationContext) async throws -> Organisation {
        guard let row = try await OrganisationRow.find(context.organisationID.rawValue, on: database) else { throw StoreError.notFound }
        return try row.domain()
    }

    public func updateOrganisation(_ context: OrganisationContext, name: String, country: CountryCode, currency: Currency) async throws -> Organisation {
        guard let row = try await OrganisationRow.find(context.organisationID.rawValue, on: database) else { throw StoreError.notFound }
        row.name = name
        row.country = country.rawValue
        row.currency = currency.rawValue
        try await row.update(on: database)
        return try row.domain()
    }

    /// Every organisation, for provider staff (R-O3) and the demo seed.
    public func allOrganisations() async throws -> [Organisation] {
        try await OrganisationRow.query(on: database).sort(\.$name).all().map { try $0.domain() }
    }

    // MARK: memberships

    public func addMembership(organisation: OrganisationID, user: UserID, role: OrganisationRole, now: Date) async throws -> MembershipID {
        let row = MembershipRow()
        let id = UUID()
        row.id = id
        row.organisationID = organisation.rawValue
        row.userID = user.rawValue
        row.role = role.rawValue
        row.createdAt = now
        do { try await row.create(on: database) } catch where Self.isUniqueViolation(error) {
            throw StoreError.conflict(field: "email")
        }
        return MembershipID(id)
    }

    /// The acting context of `user` in `organisation`, or nil when the user is no member there.
    /// This is the tenant wall: every console and API route on organisation data starts here.
    public func context(user: UserID, organisation: OrganisationID) async throws -> OrganisationContext? {
        // Plain SQL: this runs on every organisation route.
        struct Row: Decodable { let id: UUID, role: String }
        guard let row = try await sql.raw("""
            SELECT id, role FROM memberships WHERE user_id = \(bind: user.rawValue) AND organisation_id = \(bind: organisation.rawValue)
            """).first(decoding: Row.self), let role = OrganisationRole(rawValue: row.role) else { return nil }
        return OrganisationContext(organisationID: organisation, userID: user, role: role, membershipID: MembershipID(row.id))
    }

    /// The organisations a user belongs to, with the user's role in each, by name.
    public func organisations(of user: UserID) async throws -> [(Organisation, OrganisationRole)] {
        let memberships = try await MembershipRow.query(on: database).filter(\.$userID == user.rawValue).all()
        guard !memberships.isEmpty else { return [] }
        let rows = try await OrganisationRow.query(on: database).filter(\.$id ~~ memberships.map(\.organisationID)).sort(\.$name).all()
        return try rows.compactMap { row in
            guard let m = memberships.first(where: { $0.organisationID == row.id }), let role = OrganisationRole(rawValue: m.role) else { return nil }
            return (try row.domain(), role)
        }
    }

    public func members(_ context: OrganisationContext) async throws -> [Member] {
        let memberships = try await MembershipRow.query(on: database)
            .filter(\.$organisationID == context.organisationID.rawValue).sort(\.$createdAt).all()
        let users = try await UserRow.query(on: database).filter(\.$id ~~ memberships.map(\.userID)).all()
        let byID = Dictionary(uniqueKeysWithValues: users.compactMap { user in user.id.map { ($0, user) } })
        return memberships.compactMap { m in
            guard let membershipID = m.id, let user = byID[m.userID], let role = OrganisationRole(rawValue: m.role), let email = EmailAddress(user.email) else { return nil }
            return Member(membershipID: MembershipID(membershipID), userID: UserID(m.userID), name: user.name, email: email, role: role, since: m.createdAt)
        }
    }

    public func member(_ context: OrganisationContext, _ id: MembershipID) async throws -> Member {
        guard let member = try await members(context).first(where: { $0.membershipID == id }) else { throw StoreError.notFound }
        return member
    }

    /// Serialises membership changes of one organisation for the rest of the transaction
    /// (PostgreSQL row lock; SQLite's writers are serialised already).
    public func lockOrganisation(_ context: OrganisationContext) async throws {
        guard kind == .postgres else { return }
        try await sql.raw("SELECT id FROM organisations WHERE id = \(bind: context.organisationID.rawValue) FOR UPDATE").run()
    }

    public func legalRepresentativeCount(_ context: OrganisationContext) async throws -> Int {
        try await MembershipRow.query(on: database)
            .filter(\.$organisationID == context.organisationID.rawValue)
            .filter(\.$role == OrganisationRole.legalRepresentative.rawValue).count()
    }

    public func setRole(_ context: OrganisationContext, membership: MembershipID, role: OrganisationRole) async throws {
        guard let row = try await MembershipRow.query(on: database)
            .filter(\.$id == membership.rawValue).filter(\.$organisationID == context.organisationID.rawValue).first()
        else { throw StoreError.notFound }
        row.role = role.rawValue
        try await row.update(on: database)
    }

    public func removeMembership(_ context: OrganisationContext, membership: MembershipID) async throws {
        guard let row = try await MembershipRow.query(on: database)
            .filter(\.$id == membership.rawValue).filter(\.$organisationID == context.organisationID.rawValue).first()
        else { throw StoreError.notFound }
        try await row.delete(on: database)
    }

    // MARK: settings

    public func setting(_ key: String) async throws -> String? {
        try await SettingRow.find(key, on: database)?.value
    }

    public func setSetting(_ key: String, _ value: String) async throws {
        if let row = try await SettingRow.find(key, on: database) {
            row.value = value
            try await row.update(on: database)
        } else {
            let row = SettingRow()
            row.id = key
            row.value = value
            try await row.create(on: database)
        }
    }
}

extension UserRow {
    func domain() throws -> User {
        guard let id, let email = EmailAddress(email), let code = SupportCode(supportCode) else { throw StoreError.notFound }
        return User(id: UserID(id), email: email, name: name, supportCode: code, language: language.flatMap(Language.init(rawValue:)), createdAt: createdAt)
    }
}

extension OrganisationRow {
    func domain() throws -> Organisation {
        guard let id, let country = CountryCode(country), let currency = Currency(rawValue: currency) else { throw StoreError.notFound }
        return Organisation(id: OrganisationID(id), name: name, country: country, currency: currency,
                            currencyFixed: firstInvoiceAt != nil, createdAt: createdAt, isPartner: partnerApprovedAt != nil)
    }
}

extension Store {
    /// For provider staff (R-O3): every organisation's legal representatives, loaded in two queries.
    public func organisationOverview() async throws -> [OrganisationID: [User]] {
        let memberships = try await MembershipRow.query(on: database).filter(\.$role == OrganisationRole.legalRepresentative.rawValue).all()
        let users = try await UserRow.query(on: database).filter(\.$id ~~ Set(memberships.map(\.userID))).all()
        let byID = Dictionary(uniqueKeysWithValues: try users.map { try ($0.requireID(), $0.domain()) })
        var result: [OrganisationID: [User]] = [:]
        for membership in memberships {
            if let user = byID[membership.userID] { result[OrganisationID(membership.organisationID), default: []].append(user) }
        }
        return result
    }

    /// R-S1: support identifies a caller by support code; returns the user and their organisations' names.
    public func userBySupportCode(_ code: SupportCode) async throws -> (User, [String])? {
        guard let row = try await UserRow.query(on: database).filter(\.$supportCode == code.value).first() else { return nil }
        let user = try row.domain()
        let names = try await organisations(of: user.id).map { $0.0.name }
        return (user, names)
    }
}

extension Store {
    /// Members of an organisation with their language, for system e-mails (not a tenant-facing read).
    public func membersOf(_ organisation: OrganisationID) async throws -> [(Member, Language?)] {
        let memberships = try await MembershipRow.query(on: database).filter(\.$organisationID == organisation.rawValue).all()
        guard !memberships.isEmpty else { return [] }
        let users = try await UserRow.query(on: database).filter(\.$id ~~ memberships.map(\.userID)).all()
        let byID = Dictionary(uniqueKeysWithValues: users.compactMap { user in user.id.map { ($0, user) } })
        return memberships.compactMap { m in
            guard let membershipID = m.id, let user = byID[m.userID], let role = OrganisationRole(rawValue: m.role), let email = EmailAddress(user.email) else { return nil }
            return (Member(membershipID: MembershipID(membershipID), userID: UserID(m.userID), name: user.name, email: email, role: role, since: m.createdAt),
                    user.language.flatMap(Language.init(rawValue:)))
        }
    }

    public func deleteMembership(_ id: MembershipID) async throws {
        try await MembershipRow.query(on: database).filter(\.$id == id.rawValue).delete()
    }
}
