import FluentKit
import Foundation
import PartnerCore
import SQLKit

/// A tender as stored: the rules' view plus what the platform keeps around it.
public struct StoredTender: Sendable, Hashable {
    public let tender: Tender
    public let contactLanguage: Language
    public let fannedOutAt: Date?
}

/// An offer a partner sent (R-T4).
public struct TenderOffer: Sendable, Hashable {
    public let id: OfferID
    public let tenderID: TenderID
    public let partnerID: OrganisationID
    public let partnerName: String
    public let userID: UserID
    public let message: String
    public let price: Money?
    public let validUntil: Date?
    public let requestedAccess: AccessType
    public let createdAt: Date
    public let acceptedAt: Date?
    public let partnershipID: PartnershipID?
}

/// A tender as a partner's list shows it: the tender it was sent and when.
public struct TenderMatch: Sendable, Hashable {
    public let tender: StoredTender
    public let matchedAt: Date
    public let seenAt: Date?
    public let offered: Bool
}

extension Store {
    // MARK: categories (R-T1)

    public func tenderCategories(includingInactive: Bool = false) async throws -> [TenderCategory] {
        let rows = try await sql.raw("""
            SELECT key, name_de, name_en, name_fr, position, active FROM tender_categories ORDER BY position, key
            """).all()
        return try rows.map { row in
            TenderCategory(key: try row.decode(column: "key", as: String.self),
                           names: [.de: try row.decode(column: "name_de", as: String.self), .en: try row.decode(column: "name_en", as: String.self),
                                   .fr: try row.decode(column: "name_fr", as: String.self)],
                           position: try row.decode(column: "position", as: Int.self), active: try row.decode(column: "active", as: Bool.self))
        }.filter { includingInactive || $0.active }
    }

    /// Adds a category or renames / (de)activates an existing one. Keys never change: tenders and
    /// subscriptions refer to them.
    public func saveTenderCategory(_ category: TenderCategory) async throws {
        let existing = try await sql.raw("SELECT id FROM tender_categories WHERE key = \(bind: category.key)").first()
        if existing == nil {
            try await sql.raw("""
                INSERT INTO tender_categories (id, key, name_de, name_en, name_fr, position, active)
                VALUES (\(bind: UUID.timeOrdered()), \(bind: category.key), \(bind: category.name(.de)), \(bind: category.name(.en)), \(bind: category.name(.fr)),
                        \(bind: category.position), \(bind: category.active))
                """).run()
        } else {
            try await sql.raw("""
                UPDATE tender_categories SET name_de = \(bind: category.name(.de)), name_en = \(bind: category.name(.en)), name_fr = \(bind: category.name(.fr)),
                  position = \(bind: category.position), active = \(bind: category.active) WHERE key = \(bind: category.key)
                """).run()
        }
    }

    // MARK: tenders (R-T1, R-T5)

    /// Submission times from this address and from this e-mail address since `since` (R-T1 limit).
    public func recentTenderSubmissions(ip: String, email: EmailAddress, since: Date) async throws -> (ip: [Date], email: [Date]) {
        let byIP = try await sql.raw("SELECT created_at FROM tenders WHERE submitted_ip = \(bind: ip) AND created_at >= \(bind: since)").all()
            .map { try $0.decode(column: "created_at", as: Date.self) }
        let byEmail = try await sql.raw("SELECT created_at FROM tenders WHERE contact_email = \(bind: email.value) AND created_at >= \(bind: since)").all()
            .map { try $0.decode(column: "created_at", as: Date.self) }
        return (byIP, byEmail)
    }

    public func createTender(_ valid: ValidTender, contactLanguage: Language, addressedTo: OrganisationID?, submittedBy: UserID?, ip: String,
                             now: Date) async throws -> TenderID {
        let id = TenderID(UUID.timeOrdered())
        try await sql.raw("""
            INSERT INTO tenders (id, title, description, region, language, budget, contact_name, contact_email, contact_phone, contact_organisation,
              contact_language, addressed_partner_id, submitted_by, submitted_ip, created_at)
            VALUES (\(bind: id.rawValue), \(bind: valid.title), \(bind: valid.description), \(bind: valid.region.rawValue), \(bind: valid.language.rawValue),
              \(bind: valid.budget.rawValue), \(bind: valid.contact.name), \(bind: valid.contact.email.value), \(bind: valid.contact.phone),
              \(bind: valid.contact.organisation), \(bind: contactLanguage.rawValue), \(bind: addressedTo?.rawValue), \(bind: submittedBy?.rawValue),
              \(bind: ip), \(bind: now))
            """).run()
        try await insertRows("tender_category_links", columns: ["id", "tender_id", "category_key"],
                             rows: valid.categories.sorted().map { [UUID.timeOrdered(), id.rawValue, $0] as [Bindable] })
        return id
    }

    static let tenderColumns: SQLQueryString = """
        SELECT t.id, t.title, t.description, t.region, t.language, t.budget, t.contact_name, t.contact_email, t.contact_phone, t.contact_organisation,
          t.contact_language, t.addressed_partner_id, t.created_at, t.deleted_at, t.fanned_out_at FROM tenders t
        """

    func storedTenders(_ rows: [any SQLRow]) async throws -> [StoredTender] {
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.decode(column: "id", as: UUID.self) }
        var categories: [UUID: Set<String>] = [:]
        for link in try await sql.raw("SELECT tender_id, category_key FROM tender_category_links WHERE tender_id IN (\(binds: ids))").all() {
            categories[try link.decode(column: "tender_id", as: UUID.self), default: []].insert(try link.decode(column: "category_key", as: String.self))
        }
        return try rows.map { row in
            let id = try row.decode(column: "id", as: UUID.self)
            guard let region = TenderRegion(rawValue: try row.decode(column: "region", as: String.self)),
                  let language = TenderLanguage(rawValue: try row.decode(column: "language", as: String.self)),
                  let email = EmailAddress(try row.decode(column: "contact_email", as: String.self)) else { throw StoreError.notFound }
            let tender = Tender(id: TenderID(id), title: try row.decode(column: "title", as: String.self), description: try row.decode(column: "description", as: String.self),
                                categories: categories[id] ?? [], region: region, language: language,
                                budget: BudgetRange(rawValue: try row.decode(column: "budget", as: String.self)) ?? .open,
                                contact: TenderContact(name: try row.decode(column: "contact_name", as: String.self), email: email,
                                                       phone: try row.decode(column: "contact_phone", as: String?.self),
                                                       organisation: try row.decode(column: "contact_organisation", as: String?.self)),
                                addressedTo: try row.decode(column: "addressed_partner_id", as: UUID?.self).map(OrganisationID.init),
                                createdAt: try row.decode(column: "created_at", as: Date.self), deletedAt: try row.decode(column: "deleted_at", as: Date?.self))
            return StoredTender(tender: tender, contactLanguage: Language(rawValue: try row.decode(column: "contact_language", as: String.self)) ?? .en,
                                fannedOutAt: try row.decode(column: "fanned_out_at", as: Date?.self))
        }
    }

    public func tender(_ id: TenderID) async throws -> StoredTender? {
        try await storedTenders(try await sql.raw("\(Self.tenderColumns) WHERE t.id = \(bind: id.rawValue)").all()).first
    }

    /// A link for the contact's e-mails (R-T4, R-T5): the token is stored only as its hash.
    public func addTenderLink(_ tender: TenderID, tokenHash: String, now: Date) async throws {
        try await sql.raw("""
            INSERT INTO tender_links (id, tender_id, token_hash, created_at) VALUES (\(bind: UUID.timeOrdered()), \(bind: tender.rawValue), \(bind: tokenHash), \(bind: now))
            """).run()
    }

    public func tender(linkTokenHash: String) async throws -> StoredTender? {
        try await storedTenders(try await sql.raw("""
            \(Self.tenderColumns) JOIN tender_links k ON k.tender_id = t.id WHERE k.token_hash = \(bind: linkTokenHash)
            """).all()).first
    }

    /// R-T5: deletion is immediate; a second deletion finds it deleted (false).
    public func deleteTender(_ id: TenderID, now: Date) async throws -> Bool {
        try await sql.raw("UPDATE tenders SET deleted_at = \(bind: now) WHERE id = \(bind: id.rawValue) AND deleted_at IS NULL RETURNING id").first() != nil
    }

    // MARK: fan-out (R-T2)

    /// Tenders not yet sent to partners, oldest first.
    public func tendersAwaitingFanOut(limit: Int = 20) async throws -> [TenderID] {
        try await sql.raw("SELECT id FROM tenders WHERE fanned_out_at IS NULL ORDER BY created_at LIMIT \(unsafeRaw: String(limit))").all()
            .map { TenderID(try $0.decode(column: "id", as: UUID.self)) }
    }

    /// Claims a tender's fan-out once, whichever instance gets there first. Inside `write`.
    public func claimFanOut(_ id: TenderID, now: Date) async throws -> Bool {
        try await sql.raw("UPDATE tenders SET fanned_out_at = \(bind: now) WHERE id = \(bind: id.rawValue) AND fanned_out_at IS NULL RETURNING id").first() != nil
    }

    /// Approved partners' subscriptions (R-T2): a partner that is no longer approved hears of nothing.
    public func tenderSubscriptions() async throws -> [(OrganisationID, TenderSubscription)] {
        let rows = try await fastRows("""
            SELECT s.organisation_id, s.categories, s.regions, s.languages FROM tender_subscriptions s
            JOIN organisations o ON o.id = s.organisation_id WHERE o.partner_approved_at IS NOT NULL
            """)
        return try rows.map { r in
            return (OrganisationID(try r.uuid("organisation_id")), Self.subscription(categories: try r.string("categories"), regions: try r.string("regions"),
                                                                                     languages: try r.string("languages")))
        }
    }

    static func subscription(categories: String, regions: String, languages: String) -> TenderSubscription {
        func split(_ text: String) -> [String] { text.split(separator: ",").map(String.init) }
        return TenderSubscription(categories: Set(split(categories)), regions: Set(split(regions).compactMap(TenderRegion.init(rawValue:))),
                                  languages: Set(split(languages).compactMap(TenderLanguage.init(rawValue:))))
    }

    public func tenderSubscription(_ organisation: OrganisationID) async throws -> TenderSubscription {
        guard let row = try await sql.raw("""
            SELECT categories, regions, languages FROM tender_subscriptions WHERE organisation_id = \(bind: organisation.rawValue)
            """).first() else { return .none }
        return Self.subscription(categories: try row.decode(column: "categories", as: String.self), regions: try row.decode(column: "regions", as: String.self),
                                 languages: try row.decode(column: "languages", as: String.self))
    }

    public func setTenderSubscription(_ organisation: OrganisationID, _ subscription: TenderSubscription, now: Date) async throws {
        let categories = subscription.categories.sorted().joined(separator: ","), regions = subscription.regions.map(\.rawValue).sorted().joined(separator: ",")
        let languages = subscription.languages.map(\.rawValue).sorted().joined(separator: ",")
        try await sql.raw("DELETE FROM tender_subscriptions WHERE organisation_id = \(bind: organisation.rawValue)").run()
        try await sql.raw("""
            INSERT INTO tender_subscriptions (id, organisation_id, categories, regions, languages, updated_at)
            VALUES (\(bind: UUID.timeOrdered()), \(bind: organisation.rawValue), \(bind: categories), \(bind: regions), \(bind: languages), \(bind: now))
            """).run()
    }

    /// The partners a tender reached: their console notification (R-T2).
    public func insertTenderMatches(_ tender: TenderID, partners: [OrganisationID], now: Date) async throws {
        try await insertRows("tender_matches", columns: ["id", "tender_id", "organisation_id", "created_at"],
                             rows: partners.map { [UUID.timeOrdered(), tender.rawValue, $0.rawValue, now] as [Bindable] })
    }

    /// Legal representatives and admins of many organisations, with their language, in one
    /// query (a tender's fan-out reaches thousands of partners).
    public func representatives(of organisations: [OrganisationID]) async throws -> [OrganisationID: [(EmailAddress, Language?)]] {
        guard !organisations.isEmpty else { return [:] }
        var result: [OrganisationID: [(EmailAddress, Language?)]] = [:]
        var start = 0
        while start < organisations.count {
            let slice = Array(organisations[start..<min(organisations.count, start + 5000)])
            start += slice.count
            for r in try await fastRows("""
                SELECT m.organisation_id, u.email, u.language FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.organisation_id IN (\(binds: slice.map(\.rawValue))) AND m.role IN ('legal_representative', 'admin')
                """) {
                guard let email = EmailAddress(try r.string("email")) else { continue }
                result[OrganisationID(try r.uuid("organisation_id")), default: []].append((email, try r.optionalString("language").flatMap(Language.init(rawValue:))))
            }
        }
        return result
    }

    // MARK: the partner's side (R-T3, R-T4)

    /// The tenders this partner was sent, newest first, with whether it has seen or answered them.
    public func tenderMatches(_ organisation: OrganisationID, limit: Int = 100, after: TimeKey? = nil) async throws -> [TenderMatch] {
        var keyset: SQLQueryString = ""
        if let after { keyset = "AND m.created_at <= \(bind: after.time) AND (m.created_at < \(bind: after.time) OR t.id < \(bind: after.id))" }
        let rows = try await sql.raw("""
            SELECT t.id, t.title, t.description, t.region, t.language, t.budget, t.contact_name, t.contact_email, t.contact_phone, t.contact_organisation,
              t.contact_language, t.addressed_partner_id, t.created_at, t.deleted_at, t.fanned_out_at, m.created_at AS matched_at, m.seen_at,
              (SELECT COUNT(*) FROM tender_offers f WHERE f.tender_id = t.id AND f.organisation_id = m.organisation_id) AS offers
            FROM tender_matches m JOIN tenders t ON t.id = m.tender_id
            WHERE m.organisation_id = \(bind: organisation.rawValue) \(keyset) ORDER BY m.created_at DESC, t.id DESC LIMIT \(unsafeRaw: String(limit))
            """).all()
        let tenders = try await storedTenders(rows)
        return try zip(rows, tenders).map { row, tender in
            TenderMatch(tender: tender, matchedAt: try row.decode(column: "matched_at", as: Date.self), seenAt: try row.decode(column: "seen_at", as: Date?.self),
                        offered: try row.decode(column: "offers", as: Int64.self) > 0)
        }
    }

    /// Tenders sent to the partner, still open (not deleted, created since `openSince`) and not opened yet.
    public func unseenTenderCount(_ organisation: OrganisationID, openSince: Date) async throws -> Int {
        let row = try await sql.raw("""
            SELECT COUNT(*) AS n FROM tender_matches m JOIN tenders t ON t.id = m.tender_id
            WHERE m.organisation_id = \(bind: organisation.rawValue) AND m.seen_at IS NULL AND t.deleted_at IS NULL AND t.created_at >= \(bind: openSince)
            """).first()
        return Int(try row?.decode(column: "n", as: Int64.self) ?? 0)
    }

    /// Whether the tender was sent to this partner (R-T2: a partner never sees one it did not match).
    public func wasSent(_ tender: TenderID, to organisation: OrganisationID) async throws -> Bool {
        try await sql.raw("""
            SELECT id FROM tender_matches WHERE tender_id = \(bind: tender.rawValue) AND organisation_id = \(bind: organisation.rawValue)
            """).first() != nil
    }

    /// R-T3: the view of a valid tender is logged.
    public func recordTenderView(_ tender: TenderID, organisation: OrganisationID, user: UserID, now: Date) async throws {
        try await sql.raw("""
            INSERT INTO tender_views (id, tender_id, organisation_id, user_id, viewed_at)
            VALUES (\(bind: UUID.timeOrdered()), \(bind: tender.rawValue), \(bind: organisation.rawValue), \(bind: user.rawValue), \(bind: now))
            """).run()
    }

    public func markTenderSeen(_ tender: TenderID, organisation: OrganisationID, now: Date) async throws {
        try await sql.raw("""
            UPDATE tender_matches SET seen_at = \(bind: now) WHERE tender_id = \(bind: tender.rawValue) AND organisation_id = \(bind: organisation.rawValue) AND seen_at IS NULL
            """).run()
    }

    public func tenderViews(_ tender: TenderID) async throws -> [(OrganisationID, UserID, Date)] {
        try await sql.raw("SELECT organisation_id, user_id, viewed_at FROM tender_views WHERE tender_id = \(bind: tender.rawValue) ORDER BY viewed_at").all().map {
            (OrganisationID(try $0.decode(column: "organisation_id", as: UUID.self)), UserID(try $0.decode(column: "user_id", as: UUID.self)),
             try $0.decode(column: "viewed_at", as: Date.self))
        }
    }

    public func createOffer(tender: TenderID, partner: OrganisationID, user: UserID, message: String, price: Money?, validUntil: Date?,
                            requestedAccess: AccessType, currency: Currency, now: Date) async throws -> OfferID {
        let id = OfferID(UUID.timeOrdered())
        try await sql.raw("""
            INSERT INTO tender_offers (id, tender_id, organisation_id, user_id, message, price, currency, valid_until, requested_access, created_at)
            VALUES (\(bind: id.rawValue), \(bind: tender.rawValue), \(bind: partner.rawValue), \(bind: user.rawValue), \(bind: message),
              \(bind: price?.minorUnits), \(bind: (price?.currency ?? currency).rawValue), \(bind: validUntil), \(bind: requestedAccess.rawValue), \(bind: now))
            """).run()
        return id
    }

    /// The offers on a tender, oldest first; `partner` narrows to one partner's own.
    public func offers(tender: TenderID, partner: OrganisationID? = nil) async throws -> [TenderOffer] {
        var query: SQLQueryString = """
            SELECT f.id, f.tender_id, f.organisation_id, o.name AS partner_name, f.user_id, f.message, f.price, f.currency, f.valid_until, f.requested_access,
              f.created_at, f.accepted_at, f.partnership_id
            FROM tender_offers f JOIN organisations o ON o.id = f.organisation_id WHERE f.tender_id = \(bind: tender.rawValue)
            """
        if let partner { query = query + " AND f.organisation_id = \(bind: partner.rawValue)" }
        return try await sql.raw(query + " ORDER BY f.created_at").all().map { row in
            let currency = Currency(rawValue: try row.decode(column: "currency", as: String.self)) ?? .chf
            return TenderOffer(id: OfferID(try row.decode(column: "id", as: UUID.self)), tenderID: tender,
                               partnerID: OrganisationID(try row.decode(column: "organisation_id", as: UUID.self)),
                               partnerName: try row.decode(column: "partner_name", as: String.self), userID: UserID(try row.decode(column: "user_id", as: UUID.self)),
                               message: try row.decode(column: "message", as: String.self),
                               price: try row.decode(column: "price", as: Int64?.self).map { Money(minorUnits: $0, currency: currency) },
                               validUntil: try row.decode(column: "valid_until", as: Date?.self),
                               requestedAccess: AccessType(rawValue: try row.decode(column: "requested_access", as: String.self)) ?? .full,
                               createdAt: try row.decode(column: "created_at", as: Date.self), acceptedAt: try row.decode(column: "accepted_at", as: Date?.self),
                               partnershipID: try row.decode(column: "partnership_id", as: UUID?.self).map(PartnershipID.init))
        }
    }

    /// R-T4: an offer is accepted once; a second click finds it accepted.
    public func acceptOffer(_ id: OfferID, partnership: PartnershipID, now: Date) async throws -> Bool {
        try await sql.raw("""
            UPDATE tender_offers SET accepted_at = \(bind: now), partnership_id = \(bind: partnership.rawValue) WHERE id = \(bind: id.rawValue) AND accepted_at IS NULL RETURNING id
            """).first() != nil
    }
}
