import Foundation
import PartnerCore
import PartnerStore

/// The tender platform (R-T1 … R-T5, R-D1's requests for an offer). Anyone submits for free;
/// matching partners hear of it through the outbox (the fan-out runs apart from the submission,
/// so ten thousand partners never slow it down); partners open, offer; the contact manages it
/// all from links in their e-mails.
struct TenderService: Sendable {
    let clock: any Clock
    let random: any SecretSource
    let baseURL: String
    let partnerships: PartnershipService

    // MARK: submitting (R-T1)

    /// `addressedTo`: a directory request for an offer, for that partner only (R-D1).
    func submit(_ input: TenderInput, language: Language, addressedTo: OrganisationID? = nil, user: User? = nil, ip: String, store: Store) async throws -> TenderID {
        let known = Set(try await store.tenderCategories().map(\.key))
        let valid: ValidTender
        do { valid = try TenderRules.validate(input, knownCategories: known) } catch { throw AppError.validation(error.errors) }
        if let addressedTo {
            // Only partners that opted in to the directory take requests from it.
            guard try await store.directoryProfile(addressedTo)?.published == true else { throw AppError.notFound }
        }
        let now = clock.now()
        let token = random.token()
        return try await store.write { tx in
            // Counted and recorded under one lock per key (R-H1), so simultaneous submissions
            // cannot all pass the limit.
            try await tx.lockAttemptKeys(["tender-ip:\(ip)", "tender-email:\(valid.contact.email.value)"])
            let recent = try await tx.recentTenderSubmissions(ip: ip, email: valid.contact.email,
                                                              since: now.addingTimeInterval(-TenderRules.submissionLimit.window))
            for times in [recent.ip, recent.email] {
                if case .retryAfter(let seconds) = TenderRules.submissionLimit.decide(failures: times, now: now) { throw AppError.tooManyRequests(retryAfter: seconds) }
            }
            let id = try await tx.createTender(valid, contactLanguage: language, addressedTo: addressedTo, submittedBy: user?.id, ip: ip, now: now)
            try await tx.addTenderLink(id, tokenHash: Store.sha256Hex(token), now: now)
            try await tx.appendAudit(AuditEntry(actor: user.map { "user:\($0.id.string)" } ?? "visitor", action: "tender.submitted", target: "tender:\(id.string)",
                                                details: "{\"categories\":[\(valid.categories.sorted().map { "\"\($0)\"" }.joined(separator: ","))],\"region\":\"\(valid.region.rawValue)\",\"addressed\":\(addressedTo != nil)}"),
                                     now: now)
            let s = Strings(language: language)
            try await tx.enqueueMail(to: valid.contact.email, subject: s("mail.tender_received.subject", ["title": valid.title]),
                                     body: s("mail.tender_received.body", ["name": valid.contact.name, "title": valid.title, "link": "\(baseURL)/tenders/manage/\(token)",
                                                                           "delete": "\(baseURL)/tenders/manage/\(token)/delete"]), now: now)
            return id
        }
    }

    // MARK: fan-out (R-T2)

    /// Sends a tender to every matching partner (or the addressed one): a console notification and
    /// an e-mail with the excerpt, never the contact. Claimed once, whichever instance gets there
    /// first; returns how many partners it reached (nil: someone else did it).
    @discardableResult
    func fanOut(_ id: TenderID, store: Store) async throws -> Int? {
        let now = clock.now()
        guard let stored = try await store.tender(id) else { return nil }
        let recipients: [OrganisationID]
        if stored.tender.deletedAt != nil {
            recipients = []
        } else {
            recipients = TenderRules.recipients(of: stored.tender, subscriptions: try await store.tenderSubscriptions())
        }
        let people = try await store.representatives(of: recipients)
        let categories = Dictionary(uniqueKeysWithValues: try await store.tenderCategories(includingInactive: true).map { ($0.key, $0) })
        let excerpt = TenderRules.excerpt(stored.tender)
        return try await store.write { tx in
            guard try await tx.claimFanOut(id, now: now) else { return nil }
            try await tx.insertTenderMatches(id, partners: recipients, now: now)
            var mails: [Store.Mail] = []
            mails.reserveCapacity(recipients.count * 2)
            for partner in recipients {
                for (email, language) in people[partner] ?? [] {
                    let s = Strings(language: language ?? .en)
                    let names = excerpt.categories.map { categories[$0]?.name(s.language) ?? $0 }.joined(separator: ", ")
                    mails.append(Store.Mail(to: email, subject: s("mail.tender_match.subject", ["title": excerpt.title]),
                                            body: s("mail.tender_match.body", ["title": excerpt.title, "categories": names, "region": s("region.\(excerpt.region.rawValue)"),
                                                                               "excerpt": excerpt.text, "link": "\(baseURL)/console/orgs/\(partner.string)/tenders/\(id.string)"])))
                }
            }
            try await tx.enqueueMails(mails, now: now)
            return recipients.count
        }
    }

    /// Every tender not yet sent (the background job, and after a crash).
    func fanOutPending(store: Store) async throws {
        for id in try await store.tendersAwaitingFanOut() { try await fanOut(id, store: store) }
    }

    // MARK: the partner's side (R-T2 … R-T4)

    /// Tenders are for the partner's legal representatives and admins (choice: employees see
    /// only assigned clients, R-P9).
    func requirePartner(_ context: OrganisationContext, store: Store) async throws -> Organisation {
        let organisation = try await store.organisation(context)
        guard organisation.isPartner else { throw AppError.notFound }
        guard context.role == .legalRepresentative || context.role == .admin else { throw AppError.forbidden("tender.only_representatives") }
        return organisation
    }

    func setSubscription(_ context: OrganisationContext, user: User, categories: [String], regions: [String], languages: [String], store: Store) async throws {
        _ = try await requirePartner(context, store: store)
        let known = Set(try await store.tenderCategories().map(\.key))
        var errors = ValidationErrors()
        if !Set(categories).isSubset(of: known) { errors.add("categories", .unknownReference) }
        let parsedRegions = regions.compactMap(TenderRegion.init(rawValue:)), parsedLanguages = languages.compactMap(TenderLanguage.init(rawValue:))
        if parsedRegions.count != regions.count { errors.add("regions", .invalidValue) }
        if parsedLanguages.count != languages.count { errors.add("languages", .invalidValue) }
        if !errors.isEmpty { throw AppError.validation(errors.errors) }
        let subscription = TenderSubscription(categories: Set(categories), regions: Set(parsedRegions), languages: Set(parsedLanguages))
        let now = clock.now()
        try await store.write { tx in
            try await tx.setTenderSubscription(context.organisationID, subscription, now: now)
            try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", organisation: context.organisationID.string, action: "tender.subscription_changed",
                                                target: "organisation:\(context.organisationID.string)",
                                                details: "{\"categories\":\(subscription.categories.count),\"regions\":\(subscription.regions.count),\"languages\":\(subscription.languages.count)}"),
                                     now: now)
        }
    }

    enum Opened: Sendable {
        case available(StoredTender, [TenderOffer])
        /// R-T3/R-T5: deleted or too old — no contact details, to anyone.
        case noLongerAvailable(title: String)
    }

    /// R-T3: the full tender, while it is valid; the view is logged. A tender this partner was
    /// never sent is not found.
    func open(_ context: OrganisationContext, user: User, tender id: TenderID, store: Store) async throws -> Opened {
        _ = try await requirePartner(context, store: store)
        guard try await store.wasSent(id, to: context.organisationID), let stored = try await store.tender(id) else { throw AppError.notFound }
        let now = clock.now()
        guard TenderRules.isAvailable(stored.tender, now: now) else { return .noLongerAvailable(title: stored.tender.title) }
        try await store.write { tx in
            try await tx.recordTenderView(id, organisation: context.organisationID, user: user.id, now: now)
            try await tx.markTenderSeen(id, organisation: context.organisationID, now: now)
            try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", organisation: context.organisationID.string, action: "tender.viewed",
                                                target: "tender:\(id.string)"), now: now)
        }
        return .available(stored, try await store.offers(tender: id, partner: context.organisationID))
    }

    /// R-T4: an offer reaches the contact by e-mail, with a link to every offer.
    func sendOffer(_ context: OrganisationContext, user: User, tender id: TenderID, input: OfferInput, access rawAccess: String, store: Store) async throws -> OfferID {
        let partner = try await requirePartner(context, store: store)
        guard try await store.wasSent(id, to: context.organisationID), let stored = try await store.tender(id) else { throw AppError.notFound }
        let now = clock.now()
        guard TenderRules.isAvailable(stored.tender, now: now) else { throw AppError.gone("tender.no_longer_available") }
        let offer: (message: String, price: Int64?, validUntil: Date?)
        do { offer = try TenderRules.validateOffer(input, now: now) } catch { throw AppError.validation(error.errors) }
        guard let access = rawAccess.isEmpty ? AccessType.full : AccessType(rawValue: rawAccess) else { throw AppError.validation([FieldError("access", .invalidValue)]) }
        let token = random.token()
        return try await store.write { tx in
            let offerID = try await tx.createOffer(tender: id, partner: partner.id, user: user.id, message: offer.message,
                                                   price: offer.price.map { Money(minorUnits: $0, currency: partner.currency) }, validUntil: offer.validUntil,
                                                   requestedAccess: access, currency: partner.currency, now: now)
            try await tx.addTenderLink(id, tokenHash: Store.sha256Hex(token), now: now)
            try await tx.appendAudit(AuditEntry(actor: "user:\(user.id.string)", organisation: partner.id.string, action: "tender.offer_sent",
                                                target: "tender:\(id.string)", details: "{\"offer\":\"\(offerID.string)\"}"), now: now)
            let s = Strings(language: stored.contactLanguage)
            try await tx.enqueueMail(to: stored.tender.contact.email, subject: s("mail.tender_offer.subject", ["partner": partner.name, "title": stored.tender.title]),
                                     body: s("mail.tender_offer.body", ["name": stored.tender.contact.name, "partner": partner.name, "title": stored.tender.title,
                                                                        "message": offer.message, "link": "\(baseURL)/tenders/manage/\(token)"]), now: now)
            return offerID
        }
    }

    // MARK: the contact's side (R-T4, R-T5), reached by a link from their e-mails

    func byLink(_ token: String, store: Store) async throws -> StoredTender {
        guard !token.isEmpty, token.count <= 100, let stored = try await store.tender(linkTokenHash: Store.sha256Hex(token)) else { throw AppError.notFound }
        return stored
    }

    /// The tender and every offer on it; a deleted one says so and shows nothing more.
    func contactView(token: String, store: Store) async throws -> (StoredTender, [TenderOffer]) {
        let stored = try await byLink(token, store: store)
        if stored.tender.deletedAt != nil { throw AppError.gone("tender.deleted") }
        return (stored, try await store.offers(tender: stored.tender.id))
    }

    /// R-T5: immediate; a link used twice is told so.
    func delete(token: String, store: Store) async throws {
        let stored = try await byLink(token, store: store)
        let now = clock.now()
        try await store.write { tx in
            guard try await tx.deleteTender(stored.tender.id, now: now) else { throw AppError.gone("tender.already_deleted") }
            try await tx.appendAudit(AuditEntry(actor: "tender-contact", action: "tender.deleted", target: "tender:\(stored.tender.id.string)"), now: now)
        }
    }

    /// R-T4: the contact accepts an offer, which starts "partner adds a client" (R-P2) for that
    /// partner: the contact receives the partner's request for the access the offer named.
    func acceptOffer(token: String, offer offerID: OfferID, store: Store) async throws -> PartnershipID {
        let (stored, offers) = try await contactView(token: token, store: store)
        guard let offer = offers.first(where: { $0.id == offerID }) else { throw AppError.notFound }
        if offer.acceptedAt != nil { throw AppError.refused("tender.offer_already_accepted") }
        guard let partner = try await store.organisation(id: offer.partnerID), partner.isPartner else { throw AppError.gone("tender.partner_gone") }
        let now = clock.now()
        let representatives = try await store.representatives(of: [partner.id])[partner.id] ?? []
        return try await store.write { tx in
            let partnership = try await partnerships.requestClient(partner: partner, inviter: offer.userID, email: stored.tender.contact.email,
                                                                   terms: .init(access: offer.requestedAccess, paymentMode: .client, grants: [], endsAt: nil),
                                                                   language: stored.contactLanguage, store: tx)
            guard try await tx.acceptOffer(offerID, partnership: partnership, now: now) else { throw AppError.refused("tender.offer_already_accepted") }
            try await tx.appendAudit(AuditEntry(actor: "tender-contact", organisation: partner.id.string, action: "tender.offer_accepted",
                                                target: "tender:\(stored.tender.id.string)",
                                                details: "{\"offer\":\"\(offerID.string)\",\"partnership\":\"\(partnership.string)\"}"), now: now)
            try await tx.enqueueMails(representatives.map { email, language in
                let s = Strings(language: language ?? .en)
                return Store.Mail(to: email, subject: s("mail.tender_accepted.subject", ["title": stored.tender.title]),
                                  body: s("mail.tender_accepted.body", ["title": stored.tender.title, "contact": stored.tender.contact.name,
                                                                        "link": "\(baseURL)/console/orgs/\(partner.id.string)/clients"]))
            }, now: now)
            return partnership
        }
    }
}
