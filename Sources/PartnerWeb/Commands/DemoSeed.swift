import Foundation
import PartnerCore
import PartnerStore
import Vapor

/// `serve --demo`: seeds, once, a demo world and prints its logins.
enum DemoSeed {
    static let password = "demo-password-2026"

    struct Login { let who: String; let email: String }

    static func seedIfNeeded(_ app: Application) async throws -> [Login] {
        let store = app.store
        let config = app.partnerHub.configuration
        let logins = plannedLogins
        if try await store.setting("demo_seeded") != nil { return logins }
        let hash = try await app.partnerHub.accounts.hasher.hash(password)
        let now = config.clock.now()
        try await store.write { tx in
            func user(_ name: String, _ email: String) async throws -> User {
                try await tx.createUser(email: try require(EmailAddress(email)), name: name, passwordHash: hash, supportCode: config.random.supportCode(), language: nil, now: now)
            }
            func org(_ name: String, _ country: String) async throws -> Organisation {
                let c = try require(CountryCode(country))
                return try await tx.createOrganisation(name: name, country: c, currency: Currency.default(forCountry: c), now: now)
            }
            for (name, email, role) in [("Petra Programm", "admin@provider.demo", StaffRole.programAdmin), ("Sam Support", "support@provider.demo", .support)] {
                _ = try await tx.createStaff(email: try require(EmailAddress(email)), name: name, role: role, passwordHash: hash, now: now)
            }
            // Two partner organisations (partner status itself arrives with the partnerships issue).
            let partners: [(String, String, [(String, String, OrganisationRole)])] = [
                ("Alpenweb GmbH", "CH", [("Anna Alpen", "anna@alpenweb.demo", .legalRepresentative), ("Beat Berger", "beat@alpenweb.demo", .admin),
                                         ("Carla Conti", "carla@alpenweb.demo", .employee), ("Dario Dumas", "dario@alpenweb.demo", .employee)]),
                ("Agence Lumière SARL", "FR", [("Élise Laurent", "elise@lumiere.demo", .legalRepresentative), ("Fabien Morel", "fabien@lumiere.demo", .employee),
                                               ("Gaëlle Roux", "gaelle@lumiere.demo", .employee)]),
            ]
            let clients: [(String, String, String, String, String)] = [
                ("Bäckerei Huber", "CH", "Hans Huber", "hans@huber.demo", "baeckerei-huber.ch"),
                ("Weingut Keller", "CH", "Ines Keller", "ines@keller.demo", "weingut-keller.ch"),
                ("Studio Vaduz", "LI", "Jonas Frick", "jonas@vaduz.demo", "studio-vaduz.li"),
                ("Café Parisien", "FR", "Léa Martin", "lea@parisien.demo", "cafe-parisien.fr"),
                ("Brauhaus Köln", "DE", "Moritz Becker", "moritz@brauhaus.demo", "brauhaus-koeln.de"),
            ]
            var partnerIDs: [OrganisationID] = []
            var memberships: [String: MembershipID] = [:]
            for (name, country, people) in partners {
                let organisation = try await org(name, country)
                try await tx.approvePartner(organisation.id, now: now)
                partnerIDs.append(organisation.id)
                for (person, email, role) in people {
                    let u = try await user(person, email)
                    memberships[email] = try await tx.addMembership(organisation: organisation.id, user: u.id, role: role, now: now)
                }
            }
            // Every client holds products (R-B9); partnerships in every state (issue #3).
            var clientProducts: [[Product]] = []
            var clientIDs: [(OrganisationID, UserID)] = []
            for (name, country, person, email, domain) in clients {
                let organisation = try await org(name, country)
                let u = try await user(person, email)
                let membership = try await tx.addMembership(organisation: organisation.id, user: u.id, role: .legalRepresentative, now: now)
                let context = OrganisationContext(organisationID: organisation.id, userID: u.id, role: .legalRepresentative, membershipID: membership)
                var products: [Product] = []
                for (category, label) in [(ProductCategory.webHosting, "Web hosting \(domain)"), (.mailHosting, "Mail \(domain)"),
                                          (.domain, domain), (.kDrive, "kDrive \(name)")] {
                    products.append(try await tx.createProduct(context, category: category, name: label, now: now))
                }
                clientProducts.append(products)
                clientIDs.append((organisation.id, u.id))
            }
            let alpenweb = partnerIDs[0], lumiere = partnerIDs[1]
            func partnership(_ client: Int, _ partner: OrganisationID, _ access: AccessType, _ mode: PaymentMode, grants: [Int], state: PartnershipState) async throws {
                let g = grants.map { ProductGrant(product: clientProducts[client][$0].id, technical: true, statistics: $0 != 2) }
                let p = try await tx.createPartnership(.init(clientID: clientIDs[client].0, partnerID: partner, invitedEmail: nil, initiator: .client,
                                                             access: access, paymentMode: mode, grants: g, tokenHash: "demo-\(client)-\(state.rawValue)",
                                                             invitedBy: clientIDs[client].1), now: now)
                if state != .invited {
                    try await tx.transitionPartnership(p.id, from: .invited, to: state == .ended ? .active : state, now: now)
                    if state == .ended { try await tx.transitionPartnership(p.id, from: .active, to: .ended, now: now) }
                }
                if state == .active, partner == alpenweb, client == 0, let carla = memberships["carla@alpenweb.demo"] {
                    try await tx.assign(p.id, to: carla, now: now)
                }
            }
            try await partnership(0, alpenweb, .limited, .client, grants: [0, 1], state: .active)     // Bäckerei Huber
            try await partnership(1, alpenweb, .full, .partner, grants: [], state: .active)           // Weingut Keller
            try await partnership(2, alpenweb, .limited, .client, grants: [0], state: .invited)       // Studio Vaduz
            try await partnership(3, lumiere, .full, .client, grants: [], state: .active)             // Café Parisien
            try await partnership(4, lumiere, .limited, .client, grants: [0], state: .ended)          // Brauhaus Köln
            try await partnership(4, alpenweb, .full, .client, grants: [], state: .declined)
            try await tx.appendAudit(AuditEntry(actor: "cli", action: "demo.seeded"), now: now)
            try await tx.setSetting("demo_seeded", ISO8601DateFormatter().string(from: now))
        }
        try await seedBilling(app)
        try await seedProgram(app)
        return logins
    }

    /// Money in the demo world (issue #4), through the real flows: wallets topped up by the
    /// simulated card, orders priced by R-B3 with invoices and cashback.
    static func seedBilling(_ app: Application) async throws {
        let store = app.store
        let billing = app.partnerHub.billing
        struct Missing: Error {}
        func user(_ email: String) async throws -> User {
            guard let user = try await store.user(email: try require(EmailAddress(email))) else { throw Missing() }
            return user
        }
        /// A demo organisation by name, found through one of its legal representatives.
        func organisation(_ name: String, via email: String) async throws -> OrganisationID {
            guard let found = try await store.organisations(of: try await user(email).id).first(where: { $0.0.name == name }) else { throw Missing() }
            return found.0.id
        }
        func order(_ email: String, _ client: String, via clientRep: String, _ line: LineRequest, method: PaymentMethod) async throws {
            let actor = try await user(email)
            let clientID = try await organisation(client, via: clientRep)
            let quote = try await billing.quote(user: actor, client: clientID, input: .init(lines: [line], renew: nil, means: nil), store: store)
            _ = try await billing.confirm(user: actor, client: quote.clientID, quoteID: quote.id, method: method, card: "4242424242424242", idempotency: nil, store: store)
        }
        let anna = try await user("anna@alpenweb.demo")
        let alpenweb = try await organisation("Alpenweb GmbH", via: "anna@alpenweb.demo")
        guard let context = try await store.context(user: anna.id, organisation: alpenweb) else { return }
        _ = try await billing.topUp(context, user: anna, amount: "1000.00", currency: "CHF", card: "4242424242424242", idempotency: nil, store: store)
        // Weingut Keller: full access, mode partner — Alpenweb orders at its preferential price (row 5).
        try await order("anna@alpenweb.demo", "Weingut Keller", via: "ines@keller.demo", LineRequest(category: .webHosting, name: "Web hosting shop.weingut-keller.ch", quantity: 3), method: .wallet)
        // Café Parisien: full access, mode client — the client pays, Lumière earns cashback (row 2).
        try await order("lea@parisien.demo", "Café Parisien", via: "lea@parisien.demo", LineRequest(category: .mailHosting, name: "Mail cafe-parisien.fr", quantity: 2), method: .card)
        // Bäckerei Huber: limited access; a new VPS is not managed by the partner (row 9).
        try await order("hans@huber.demo", "Bäckerei Huber", via: "hans@huber.demo", LineRequest(category: .vps, name: "VPS Huber", quantity: 1), method: .card)
    }

    /// The program in the demo world (issue #5), through the real services: both partners
    /// subscribed to tenders and listed in the directory, one open tender sent to Alpenweb, and a
    /// pending application in the provider's queue.
    static func seedProgram(_ app: Application) async throws {
        let store = app.store
        let hub = app.partnerHub
        let now = hub.configuration.clock.now()
        struct Missing: Error {}
        func context(_ email: String, _ organisation: String) async throws -> (OrganisationContext, User) {
            guard let user = try await store.user(email: try require(EmailAddress(email))),
                  let found = try await store.organisations(of: user.id).first(where: { $0.0.name == organisation }),
                  let context = try await store.context(user: user.id, organisation: found.0.id) else { throw Missing() }
            return (context, user)
        }
        let (alpenweb, anna) = try await context("anna@alpenweb.demo", "Alpenweb GmbH")
        try await hub.tenders.setSubscription(alpenweb, user: anna, categories: ["website-creation", "hosting-migration", "e-mail"],
                                              regions: ["ch-zurich", "ch-east", "ch-central", "remote"], languages: ["de", "en"], store: store)
        try await hub.directory.save(alpenweb, user: anna, input: DirectoryProfileInput(
            description: "Websites, hosting and e-mail for small businesses in eastern and central Switzerland. We move your existing sites without downtime.",
            website: "https://alpenweb.example.ch", languages: ["de", "en"], regions: ["ch-zurich", "ch-east", "ch-central"],
            specialties: ["website-creation", "hosting-migration", "e-mail"], published: true), store: store)
        let (lumiere, elise) = try await context("elise@lumiere.demo", "Agence Lumière SARL")
        try await hub.tenders.setSubscription(lumiere, user: elise, categories: ["website-creation", "development"], regions: ["fr", "ch-lake-geneva"],
                                              languages: ["fr"], store: store)
        try await hub.directory.save(lumiere, user: elise, input: DirectoryProfileInput(
            description: "Agence web à Lyon et Genève : sites vitrines, boutiques en ligne et développement sur mesure.",
            website: "https://lumiere.example.fr", languages: ["fr", "en"], regions: ["fr", "ch-lake-geneva"], specialties: ["website-creation", "development"],
            published: true), store: store)
        let tender = try await hub.tenders.submit(TenderInput(
            title: "Neue Website für unsere Schreinerei", description: "Wir sind eine Schreinerei mit acht Mitarbeitenden in Winterthur und suchen eine moderne Website "
                + "mit Referenzprojekten und Kontaktformular. Die bisherige Seite und drei Mailboxen sollen umziehen.",
            categories: ["website-creation", "hosting-migration"], region: "ch-zurich", language: "de", budget: "1000-5000", contactName: "Urs Widmer",
            contactEmail: "urs@schreinerei.demo", contactPhone: "+41 52 555 01 02", contactOrganisation: "Schreinerei Widmer"),
            language: .de, ip: "demo-seed", store: store)
        try await hub.tenders.fanOut(tender, store: store)
        // A pending application: Webstudio Bern's legal representative applied with a valid UID.
        let hash = try await hub.accounts.hasher.hash(password)
        let (studio, otto) = try await store.write { tx in
            let otto = try await tx.createUser(email: try require(EmailAddress("otto@webstudio.demo")), name: "Otto Studer", passwordHash: hash,
                                               supportCode: hub.configuration.random.supportCode(), language: nil, now: now)
            let studio = try await tx.createOrganisation(name: "Webstudio Bern", country: try require(CountryCode("CH")), currency: .chf, now: now)
            let membership = try await tx.addMembership(organisation: studio.id, user: otto.id, role: .legalRepresentative, now: now)
            return (OrganisationContext(organisationID: studio.id, userID: otto.id, role: .legalRepresentative, membershipID: membership), otto)
        }
        _ = try await hub.program.apply(studio, user: otto, input: ApplicationInput(registerID: "CHE-123.456.788", website: "https://webstudio-bern.example.ch",
                                                                                   acceptedTermsVersion: ResellerTerms.currentVersion, commitsToMinimumVolume: true),
                                        store: store)

        /// R-B9: a product comes with a paid order, here by card, as its customer would order it.
        func ordered(_ email: String, _ organisation: String, _ category: ProductCategory, _ name: String) async throws -> (OrganisationContext, Product) {
            let (context, user) = try await context(email, organisation)
            let quote = try await hub.billing.quote(user: user, client: context.organisationID,
                                                    input: .init(lines: [LineRequest(category: category, name: name, quantity: 1)], renew: nil, means: nil), store: store)
            _ = try await hub.billing.confirm(user: user, client: context.organisationID, quoteID: quote.id, method: .card, card: "4242424242424242",
                                              idempotency: nil, store: store)
            return (context, try require(try await store.products(of: context.organisationID).first { $0.name == name }))
        }
        // R-S2: Bäckerei Huber subscribed to Premium Support, so it has a VIP code.
        let (huber, _) = try await ordered("hans@huber.demo", "Bäckerei Huber", .premiumSupport, "Premium Support Bäckerei Huber")
        _ = try await hub.support.vipCode(huber, store: store)
        // R-X1: Alpenweb keeps Weingut Keller's backups in its own Swiss Backup account.
        let (_, backup) = try await ordered("anna@alpenweb.demo", "Alpenweb GmbH", .swissBackup, "Swiss Backup Alpenweb")
        _ = try await hub.backup.designate(alpenweb, user: anna, product: backup.id, store: store)
        if let keller = try await store.organisations(of: try require(try await store.user(email: try require(EmailAddress("ines@keller.demo")))).id).first?.0 {
            _ = try await hub.backup.createGroup(alpenweb, user: anna, client: keller.id, name: "Weingut Keller", store: store)
        }
        // R-A1: an affiliate, and Bäckerei Huber's sibling shop signed up through the link.
        let affiliate = try await store.write { tx -> Affiliate in
            let alex = try await tx.createUser(email: try require(EmailAddress("alex@affiliate.demo")), name: "Alex Amrein", passwordHash: hash,
                                               supportCode: hub.configuration.random.supportCode(), language: nil, now: now)
            let wallet = try await tx.createOrganisation(name: "Alex Amrein (affiliate)", country: try require(CountryCode("CH")), currency: .chf, now: now)
            _ = try await tx.addMembership(organisation: wallet.id, user: alex.id, role: .legalRepresentative, now: now)
            return try await hub.affiliates.enrol(tx, user: alex, wallet: wallet.id, now: now)
        }
        let referral = try require(try await hub.affiliates.click(code: affiliate.code, existing: nil, ip: "127.0.0.1", store: store))
        let outcome = try await hub.accounts.signUp(SignUpInput(name: "Pia Huber", email: "pia@konditorei.demo", password: password, organisationName: "Konditorei Huber",
                                                                country: "CH", currency: nil), language: .de, referral: referral, ip: "127.0.0.1", store: store)
        guard case .created(let referred) = outcome else { throw Missing() }
        guard let pia = try await store.context(user: referred.user.id, organisation: referred.organisation.id) else { throw Missing() }
        let quote = try await hub.billing.quote(user: referred.user, client: pia.organisationID,
                                                input: .init(lines: [LineRequest(category: .webHosting, name: "Web hosting konditorei-huber.ch", quantity: 2)], renew: nil, means: nil),
                                                store: store)
        _ = try await hub.billing.confirm(user: referred.user, client: pia.organisationID, quoteID: quote.id, method: .card, card: "4242424242424242", idempotency: nil,
                                          store: store)
    }

    struct Unexpected: Error {}
    static func require<T>(_ value: T?) throws -> T {
        guard let value else { throw Unexpected() }
        return value
    }

    static let plannedLogins: [Login] = [
        Login(who: "Provider program admin (/provider/login)", email: "admin@provider.demo"),
        Login(who: "Provider support agent (/provider/login)", email: "support@provider.demo"),
        Login(who: "Alpenweb GmbH, legal representative (CHF)", email: "anna@alpenweb.demo"),
        Login(who: "Alpenweb GmbH, administrator", email: "beat@alpenweb.demo"),
        Login(who: "Alpenweb GmbH, employee assigned to Bäckerei Huber", email: "carla@alpenweb.demo"),
        Login(who: "Alpenweb GmbH, employee with no client", email: "dario@alpenweb.demo"),
        Login(who: "Agence Lumière SARL, legal representative (EUR)", email: "elise@lumiere.demo"),
        Login(who: "Bäckerei Huber, client (CHF)", email: "hans@huber.demo"),
        Login(who: "Café Parisien, client (EUR)", email: "lea@parisien.demo"),
        Login(who: "Webstudio Bern, applicant waiting in the provider's queue", email: "otto@webstudio.demo"),
        Login(who: "Affiliate (a private person) with one referred organisation", email: "alex@affiliate.demo"),
        Login(who: "Konditorei Huber, signed up through the affiliate's link", email: "pia@konditorei.demo"),
    ]
}
