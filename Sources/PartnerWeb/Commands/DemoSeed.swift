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
                try await tx.createUser(email: EmailAddress(email)!, name: name, passwordHash: hash, supportCode: config.random.supportCode(), language: nil, now: now)
            }
            func org(_ name: String, _ country: String) async throws -> Organisation {
                let c = CountryCode(country)!
                return try await tx.createOrganisation(name: name, country: c, currency: Currency.default(forCountry: c), now: now)
            }
            for (name, email, role) in [("Petra Programm", "admin@provider.demo", StaffRole.programAdmin), ("Sam Support", "support@provider.demo", .support)] {
                _ = try await tx.createStaff(email: EmailAddress(email)!, name: name, role: role, passwordHash: hash, now: now)
            }
            // Two partner organisations (partner status itself arrives with the partnerships issue).
            let partners: [(String, String, [(String, String, OrganisationRole)])] = [
                ("Alpenweb GmbH", "CH", [("Anna Alpen", "anna@alpenweb.demo", .legalRepresentative), ("Beat Berger", "beat@alpenweb.demo", .admin),
                                         ("Carla Conti", "carla@alpenweb.demo", .employee), ("Dario Dumas", "dario@alpenweb.demo", .employee)]),
                ("Agence Lumière SARL", "FR", [("Élise Laurent", "elise@lumiere.demo", .legalRepresentative), ("Fabien Morel", "fabien@lumiere.demo", .employee),
                                               ("Gaëlle Roux", "gaelle@lumiere.demo", .employee)]),
            ]
            let clients: [(String, String, String, String)] = [
                ("Bäckerei Huber", "CH", "Hans Huber", "hans@huber.demo"), ("Weingut Keller", "CH", "Ines Keller", "ines@keller.demo"),
                ("Studio Vaduz", "LI", "Jonas Frick", "jonas@vaduz.demo"), ("Café Parisien", "FR", "Léa Martin", "lea@parisien.demo"),
                ("Brauhaus Köln", "DE", "Moritz Becker", "moritz@brauhaus.demo"),
            ]
            for (name, country, people) in partners {
                let organisation = try await org(name, country)
                for (person, email, role) in people {
                    let u = try await user(person, email)
                    _ = try await tx.addMembership(organisation: organisation.id, user: u.id, role: role, now: now)
                }
            }
            for (name, country, person, email) in clients {
                let organisation = try await org(name, country)
                let u = try await user(person, email)
                _ = try await tx.addMembership(organisation: organisation.id, user: u.id, role: .legalRepresentative, now: now)
            }
            try await tx.appendAudit(AuditEntry(actor: "cli", action: "demo.seeded"), now: now)
            try await tx.setSetting("demo_seeded", ISO8601DateFormatter().string(from: now))
        }
        return logins
    }

    static let plannedLogins: [Login] = [
        Login(who: "Provider program admin (/provider/login)", email: "admin@provider.demo"),
        Login(who: "Provider support agent (/provider/login)", email: "support@provider.demo"),
        Login(who: "Alpenweb GmbH, legal representative (CHF)", email: "anna@alpenweb.demo"),
        Login(who: "Alpenweb GmbH, administrator", email: "beat@alpenweb.demo"),
        Login(who: "Alpenweb GmbH, employee", email: "carla@alpenweb.demo"),
        Login(who: "Agence Lumière SARL, legal representative (EUR)", email: "elise@lumiere.demo"),
        Login(who: "Bäckerei Huber, client (CHF)", email: "hans@huber.demo"),
        Login(who: "Café Parisien, client (EUR)", email: "lea@parisien.demo"),
    ]
}
