import Foundation
import Testing
@testable import PartnerCore

@Suite("R-E1 … R-E4 applying to the partner program")
struct ApplicationRulesTests {
    func input(register: String = "CHE-116.281.710", website: String = "https://alpenweb.ch", terms: String? = ResellerTerms.currentVersion,
               commits: Bool = true) -> ApplicationInput {
        ApplicationInput(registerID: register, website: website, acceptedTermsVersion: terms, commitsToMinimumVolume: commits)
    }

    @Test("R-E1 a Swiss UID with a good check digit is verified and normalised; a French SIRET too; other registers go to manual review",
          arguments: [
            ("CHE116281710", RegisterStatus.verified, "CHE-116.281.710"),
            ("CHE-116.281.710", .verified, "CHE-116.281.710"),
            ("732 829 320 00074", .verified, "73282932000074"),
            ("HRB 12345 Amtsgericht München", .manualReview, "HRB 12345 Amtsgericht München"),
          ])
    func registerAccepted(raw: String, status: RegisterStatus, normalized: String) throws {
        let valid = try ProgramRules.validate(input(register: raw))
        #expect(valid.registerStatus == status && valid.registerID == normalized)
    }

    @Test("R-E1 a register id with a wrong check digit is refused, naming the field", arguments: ["CHE-116.281.711", "73282932000075"])
    func wrongCheckDigit(raw: String) {
        #expect(throws: ValidationErrors([FieldError("register_id", .invalidRegisterID)])) { try ProgramRules.validate(input(register: raw)) }
    }

    @Test("R-E1 the website must be an absolute http(s) URL with a host",
          arguments: [("https://alpenweb.ch", true), ("http://www.alpenweb.ch/de/", true), ("https://alpenweb.ch:8443/x?y=1", true),
                      ("www.alpenweb.ch", false), ("ftp://alpenweb.ch", false), ("https://", false), ("https://localhost", false),
                      ("https://user:pw@alpenweb.ch", false), ("javascript:alert(1)", false), ("https://alpen web.ch", false), ("//alpenweb.ch", false),
                      // R-H1: only public host names (no IP literal, no special-use name) and RFC 3986 characters without quotes.
                      ("http://169.254.169.254/latest/meta-data", false), ("http://10.0.0.1/", false), ("http://127.0.0.1:8080/", false),
                      ("http://[::1]/", false), ("https://intranet.local/", false), ("https://db.internal", false), ("https://x.localhost", false),
                      ("https://alpenweb.ch/\"><script>", false), ("https://alpenweb.ch/'onmouseover=x", false), ("https://alpenweb.ch/%zz", false),
                      ("https://alpenweb.ch/a%20b", true), ("https://xn--bckerei-huber-jkb.ch/", true), ("https://bäckerei.ch/", false),
                      ("https://alpenweb.ch\u{0}.evil.example", false), ("https://alpenweb.ch:0/", false), ("https://alpenweb.ch:99999/", false)])
    func website(raw: String, accepted: Bool) {
        #expect((Website.normalized(raw) != nil) == accepted)
    }

    @Test("R-E1 the current terms must be accepted and the minimum volume committed to")
    func termsAndCommitment() {
        #expect(throws: ValidationErrors([FieldError("accept_terms", .required)])) { try ProgramRules.validate(input(terms: nil)) }
        #expect(throws: ValidationErrors([FieldError("accept_terms", .required)])) { try ProgramRules.validate(input(terms: "2025-1")) }
        #expect(throws: ValidationErrors([FieldError("minimum_volume", .required)])) { try ProgramRules.validate(input(commits: false)) }
        #expect(throws: ValidationErrors([FieldError("register_id", .required), FieldError("website", .required)])) {
            try ProgramRules.validate(input(register: " ", website: ""))
        }
    }

    @Test("R-E1/R-E4 who may apply", arguments: [
        (ApplicantFacts(isPartner: false, hasPendingApplication: false, applicantIsAffiliate: false, memberIsAffiliate: false), nil as ProgramProblem?),
        (ApplicantFacts(isPartner: true, hasPendingApplication: false, applicantIsAffiliate: false, memberIsAffiliate: false), .alreadyPartner),
        (ApplicantFacts(isPartner: false, hasPendingApplication: true, applicantIsAffiliate: false, memberIsAffiliate: false), .alreadyApplied),
        (ApplicantFacts(isPartner: false, hasPendingApplication: false, applicantIsAffiliate: true, memberIsAffiliate: false), .affiliateCannotBePartner),
        (ApplicantFacts(isPartner: false, hasPendingApplication: false, applicantIsAffiliate: false, memberIsAffiliate: true), .memberIsAffiliate),
    ])
    func mayApply(facts: ApplicantFacts, expected: ProgramProblem?) {
        #expect(ProgramRules.mayApply(facts) == expected)
    }

    @Test("R-E4 a member of a partner organisation (or of one applying) cannot become an affiliate; nor can an affiliate twice")
    func mayBecomeAffiliate() {
        #expect(ProgramRules.mayBecomeAffiliate(isAffiliate: false, memberOfPartnerOrApplicant: false) == nil)
        #expect(ProgramRules.mayBecomeAffiliate(isAffiliate: false, memberOfPartnerOrApplicant: true) == .partnerCannotBeAffiliate)
        #expect(ProgramRules.mayBecomeAffiliate(isAffiliate: true, memberOfPartnerOrApplicant: false) == .alreadyAffiliate)
    }

    @Test("R-E2 only a pending application is decided", arguments: [(ApplicationStatus.pending, nil as ProgramProblem?), (.approved, .notPending), (.rejected, .notPending)])
    func decide(status: ApplicationStatus, expected: ProgramProblem?) {
        #expect(ProgramRules.decide(status) == expected)
    }

    @Test("R-E3 below CHF 2000 / EUR 1800 counts only from 12 months after approval", arguments: [
        (Int64(199_999), Currency.chf, 365.0, true), (200_000, .chf, 365, false), (0, .chf, 364, false),
        (179_999, .eur, 400, true), (180_000, .eur, 400, false), (199_999, .eur, 400, false),
    ])
    func minimumVolume(volume: Int64, currency: Currency, daysSinceApproval: Double, below: Bool) {
        let approved = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(ProgramRules.isBelowMinimum(volume: Money(minorUnits: volume, currency: currency), approvedAt: approved,
                                            now: approved.addingTimeInterval(daysSinceApproval * 86_400)) == below)
    }
}

@Suite("R-T1 … R-T5 tenders")
struct TenderRulesTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    func tender(categories: Set<String> = ["hosting-migration"], region: TenderRegion = .zurich, language: TenderLanguage = .de,
                createdAt: Date? = nil, deletedAt: Date? = nil, addressedTo: OrganisationID? = nil, description: String = "We move our shop.") -> Tender {
        Tender(id: TenderID(UUID()), title: "Shop", description: description, categories: categories, region: region, language: language, budget: .open,
               contact: TenderContact(name: "Vera", email: EmailAddress("vera@example.ch")!, phone: nil, organisation: nil),
               addressedTo: addressedTo, createdAt: createdAt ?? now, deletedAt: deletedAt)
    }

    let subscription = TenderSubscription(categories: ["hosting-migration", "e-mail"], regions: [.zurich, .remote], languages: [.de, .en])

    @Test("R-T2 a shared category AND the region AND the language match")
    func allThree() { #expect(TenderRules.matches(subscription, tender())) }

    @Test("R-T2 no shared category: no match")
    func category() { #expect(!TenderRules.matches(subscription, tender(categories: ["development"]))) }

    @Test("R-T2 another region: no match")
    func region() { #expect(!TenderRules.matches(subscription, tender(region: .ticino))) }

    @Test("R-T2 another language: no match")
    func language() { #expect(!TenderRules.matches(subscription, tender(language: .fr))) }

    @Test("R-T2 an empty subscription, or an empty dimension of one, matches nothing")
    func empty() {
        #expect(!TenderRules.matches(.none, tender()))
        #expect(!TenderRules.matches(TenderSubscription(categories: [], regions: [.zurich], languages: [.de]), tender()))
        #expect(!TenderRules.matches(TenderSubscription(categories: ["hosting-migration"], regions: [], languages: [.de]), tender()))
        #expect(!TenderRules.matches(TenderSubscription(categories: ["hosting-migration"], regions: [.zurich], languages: []), tender()))
    }

    @Test("R-T2/R-D1 recipients: every matching partner; a directory request reaches only the addressed partner")
    func recipients() {
        let a = OrganisationID(UUID()), b = OrganisationID(UUID()), c = OrganisationID(UUID())
        let subscriptions = [(a, subscription), (b, TenderSubscription.none), (c, subscription)]
        #expect(TenderRules.recipients(of: tender(), subscriptions: subscriptions) == [a, c])
        #expect(TenderRules.recipients(of: tender(addressedTo: b), subscriptions: subscriptions) == [b])
    }

    @Test("R-T3/R-T5 a tender is available until deleted or 30 days old", arguments: [
        (0.0, false, true), (29.99, false, true), (30.0, false, false), (1.0, true, false),
    ])
    func available(ageDays: Double, deleted: Bool, available: Bool) {
        let t = tender(createdAt: now.addingTimeInterval(-ageDays * 86_400), deletedAt: deleted ? now : nil)
        #expect(TenderRules.isAvailable(t, now: now) == available)
    }

    @Test("R-T2 the excerpt is the title, categories, region and the first 200 characters")
    func excerpt() {
        let long = String(repeating: "ä", count: 150) + String(repeating: "b", count: 100)
        let e = TenderRules.excerpt(tender(description: long))
        #expect(e.text == String(repeating: "ä", count: 150) + String(repeating: "b", count: 50) + "…")
        #expect(TenderRules.excerpt(tender()).text == "We move our shop.")
    }

    func input(description: String = "Our shop moves.", email: String = "vera@example.ch", categories: [String] = ["hosting-migration"]) -> TenderInput {
        TenderInput(title: "Shop", description: description, categories: categories, region: "ch-zurich", language: "de", budget: "1000-5000",
                    contactName: "Vera", contactEmail: email, contactPhone: "+41 44 000 00 00", contactOrganisation: "")
    }

    @Test("R-T1 a tender needs the contact's e-mail, at most 10,000 characters, and known categories")
    func badInput() {
        #expect(throws: ValidationErrors([FieldError("contact_email", .required)])) { try TenderRules.validate(input(email: ""), knownCategories: ["hosting-migration"]) }
        #expect(throws: ValidationErrors([FieldError("description", .tooLong)])) {
            try TenderRules.validate(input(description: String(repeating: "x", count: 100_000)), knownCategories: ["hosting-migration"])
        }
        // A category the program does not have (any more): refused by what is stored, not by the contract (R-H1).
        #expect(throws: ValidationErrors([FieldError("categories", .unknownReference)])) {
            try TenderRules.validate(input(categories: ["astrology"]), knownCategories: ["hosting-migration"])
        }
        #expect(throws: Never.self) { try TenderRules.validate(input(description: String(repeating: "x", count: 10_000)), knownCategories: ["hosting-migration"]) }
    }

    @Test("R-T4 an offer needs a message; a price is an amount; validity lies ahead")
    func offers() throws {
        let ok = try TenderRules.validateOffer(OfferInput(message: "We can do it.", price: "1200.50", validUntil: now.addingTimeInterval(86_400)), now: now)
        #expect(ok.price == 120_050 && ok.message == "We can do it.")
        #expect(throws: ValidationErrors([FieldError("message", .required)])) { try TenderRules.validateOffer(OfferInput(message: " ", price: "", validUntil: nil), now: now) }
        #expect(throws: ValidationErrors([FieldError("price", .invalidValue)])) { try TenderRules.validateOffer(OfferInput(message: "m", price: "cheap", validUntil: nil), now: now) }
        #expect(throws: ValidationErrors([FieldError("valid_until", .notInFuture)])) { try TenderRules.validateOffer(OfferInput(message: "m", price: "", validUntil: now), now: now) }
    }
}

@Suite("R-D1 directory")
struct DirectoryRulesTests {
    let profile = DirectoryProfile(organisationID: OrganisationID(UUID()), name: "Alpenweb", description: "Web", website: "https://alpenweb.ch",
                                   languages: [.de, .en], regions: [.zurich], specialties: ["website-creation"], published: true, registerVerified: true)

    @Test("R-D1 a published profile is found by its region, language and specialty; each filter narrows", arguments: [
        (DirectoryFilter(), true), (DirectoryFilter(region: .zurich), true), (DirectoryFilter(region: .ticino), false),
        (DirectoryFilter(language: .en), true), (DirectoryFilter(language: .fr), false),
        (DirectoryFilter(specialty: "website-creation"), true), (DirectoryFilter(specialty: "backup"), false),
        (DirectoryFilter(region: .zurich, language: .de, specialty: "website-creation"), true),
    ])
    func filters(filter: DirectoryFilter, found: Bool) {
        #expect(DirectoryRules.matches(profile, filter) == found)
    }

    @Test("R-D1 a profile that did not opt in is never listed")
    func optIn() {
        let hidden = DirectoryProfile(organisationID: profile.organisationID, name: "A", description: "", website: "", languages: [.de], regions: [.zurich],
                                      specialties: [], published: false, registerVerified: true)
        #expect(!DirectoryRules.matches(hidden, DirectoryFilter()))
    }
}

@Suite("R-A1 affiliates")
struct AffiliateRulesTests {
    @Test("R-A1 the rate rises with cumulative earnings: 25 % → 30 % from 50 → 35 % from 1,000 → 50 % from 20,000", arguments: [
        (Int64(0), 2500), (4_999, 2500), (5_000, 3000), (99_999, 3000), (100_000, 3500), (1_999_999, 3500), (2_000_000, 5000), (9_000_000, 5000),
    ])
    func rate(cumulative: Int64, basisPoints: Int) {
        #expect(AffiliateScheme.rate(cumulative: Money(minorUnits: cumulative, currency: .chf)) == BasisPoints(basisPoints))
    }

    @Test("R-A1 a commission is the rate of the order's net, rounded half-up", arguments: [
        (Int64(10_000), Int64(0), Int64(2_500)), (2, 0, 1), (34_720, 5_000, 10_416), (1, 0, 0), (992, 100_000, 347),
    ])
    func commission(net: Int64, cumulative: Int64, expected: Int64) throws {
        // 347.20 × 30 % = 104.16; 9.92 × 35 % = 3.472 → 3.47; 0.02 × 25 % = 0.005 → 0.01; 0.01 × 25 % = 0.0025 → 0.00.
        let c = try AffiliateScheme.commission(net: Money(minorUnits: net, currency: .eur), cumulative: Money(minorUnits: cumulative, currency: .eur))
        #expect(c.amount == Money(minorUnits: expected, currency: .eur))
    }

    @Test("R-A1 a click attributes a sign-up within 30 days of it, not before it")
    func attribution() {
        let click = Date(timeIntervalSince1970: 1_795_000_000)
        #expect(AffiliateScheme.attributes(clickedAt: click, signedUpAt: click.addingTimeInterval(30 * 86_400)))
        #expect(!AffiliateScheme.attributes(clickedAt: click, signedUpAt: click.addingTimeInterval(30 * 86_400 + 1)))
        #expect(!AffiliateScheme.attributes(clickedAt: click, signedUpAt: click.addingTimeInterval(-1)))
    }

    @Test("R-A1 commissions for 365 days after attribution; pending 30 days, then payable; only unpaid ones are reversed")
    func lifecycle() {
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        #expect(AffiliateScheme.earns(attributedAt: start, orderAt: start.addingTimeInterval(364 * 86_400)))
        #expect(!AffiliateScheme.earns(attributedAt: start, orderAt: start.addingTimeInterval(365 * 86_400)))
        #expect(AffiliateScheme.status(.pending, createdAt: start, now: start.addingTimeInterval(29 * 86_400)) == .pending)
        #expect(AffiliateScheme.status(.pending, createdAt: start, now: start.addingTimeInterval(30 * 86_400)) == .payable)
        #expect(AffiliateScheme.status(.paid, createdAt: start, now: start.addingTimeInterval(90 * 86_400)) == .paid)
        #expect(CommissionStatus.allCases.filter(AffiliateScheme.reversible) == [.pending, .payable])
        #expect(!AffiliateScheme.payoutDue(payable: Money(minorUnits: 4_999, currency: .chf)))
        #expect(AffiliateScheme.payoutDue(payable: Money(minorUnits: 5_000, currency: .chf)))
    }

    @Test("R-A1 referral codes have ten characters without look-alikes")
    func codes() {
        var g = SystemRandomNumberGenerator()
        for _ in 0..<200 { #expect(AffiliateScheme.isReferralCode(AffiliateScheme.referralCode(using: &g))) }
        #expect(!AffiliateScheme.isReferralCode("abc0l1oi22") && !AffiliateScheme.isReferralCode("short"))
    }
}

@Suite("R-X1 Swiss Backup")
struct SwissBackupRulesTests {
    @Test("R-X1 moving a group or its backups to another backup account is always refused")
    func move() {
        let group = BackupGroup(id: BackupGroupID(UUID()), accountID: BackupAccountID(UUID()), partnerID: OrganisationID(UUID()), clientID: OrganisationID(UUID()),
                                name: "Huber", createdAt: Date(), partnershipEndedAt: nil)
        #expect(SwissBackupRules.move(group, to: BackupAccountID(UUID())) == .moveRefused)
    }

    @Test("R-X1 one backup account per partner, made of one of its own Swiss Backup products")
    func account() {
        #expect(SwissBackupRules.mayDesignate(product: .swissBackup, productOwnedByPartner: true, hasAccount: false) == nil)
        #expect(SwissBackupRules.mayDesignate(product: .swissBackup, productOwnedByPartner: true, hasAccount: true) == .accountExists)
        #expect(SwissBackupRules.mayDesignate(product: .kDrive, productOwnedByPartner: true, hasAccount: false) == .notASwissBackupProduct)
        #expect(SwissBackupRules.mayDesignate(product: .swissBackup, productOwnedByPartner: false, hasAccount: false) == .notASwissBackupProduct)
    }

    @Test("R-X1 one group per client, for an active partnership, in an existing account")
    func groups() {
        #expect(SwissBackupRules.mayCreateGroup(hasAccount: true, partnershipActive: true, clientHasGroup: false) == nil)
        #expect(SwissBackupRules.mayCreateGroup(hasAccount: false, partnershipActive: true, clientHasGroup: false) == .noAccount)
        #expect(SwissBackupRules.mayCreateGroup(hasAccount: true, partnershipActive: false, clientHasGroup: false) == .noActivePartnership)
        #expect(SwissBackupRules.mayCreateGroup(hasAccount: true, partnershipActive: true, clientHasGroup: true) == .groupExists)
    }
}

@Suite("R-E1 / R-H1 the contract's website pattern")
struct WebsitePatternTests {
    @Test("The contract's website pattern accepts what Website.normalized accepts, and refuses the rest",
          arguments: ["https://alpenweb.ch", "HTTP://Alpenweb.CH/De/?q=1#top", "https://alpenweb.ch:8443/x", "https://alpenweb.ch:0/", "https://alpenweb.ch:65536/",
                      "https://intranet.LOCAL/", "https://x.localhost", "https://local.ch", "http://169.254.169.254/", "https://alpenweb.ch/a%20b",
                      "https://alpenweb.ch/%zz", "https://alpenweb.ch/'x", "https://user@alpenweb.ch/", "ftp://alpenweb.ch", "https://alpen-.ch",
                      "https://a.b.c.example.ch/@x", "https://alpenweb.c1"])
    func agrees(url: String) throws {
        let whole = NSRange(url.startIndex..., in: url)
        let matches = try NSRegularExpression(pattern: Website.pattern).firstMatch(in: url, range: whole).map { $0.range == whole } ?? false
        #expect(matches == (Website.normalized(url) != nil), "\(url)")
    }
}
