import Foundation
import PartnerCore
import PartnerStore
@testable import PartnerWeb
import Testing
import VaporTesting

/// R-X1 Swiss Backup: one account per partner, one group per client, no moves, groups kept
/// after a partnership ends until the partner deletes them.
@Suite("R-X1 Swiss Backup")
struct BackupTests {
    let partnerships = PartnershipTests()

    func ownBackupProduct(_ t: TestApp, _ account: TestApp.Account) async throws -> String {
        try await t.orderProducts(account, [(.swissBackup, "Swiss Backup Alpen")])[0]
    }

    /// The world with the limited partnership active, the partner's backup account and a group for the client.
    func setUp(_ t: TestApp) async throws -> (PartnershipTests.World, partnership: String, group: String) {
        let w = try await partnerships.world(t)
        let partnership = try await partnerships.limitedPartnership(t, w)
        let product = try await ownBackupProduct(t, w.partner)
        let designated = try await t.send(.POST, "/api/v1/organisations/\(w.partner.organisationID)/backup-account", token: w.partner.token,
                                          json: #"{"product_id":"\#(product)"}"#)
        try #require(designated.status == .created, "\(designated.body.string)")
        let group = try await t.send(.POST, "/api/v1/organisations/\(w.partner.organisationID)/backup-groups", token: w.partner.token,
                                     json: #"{"client_id":"\#(w.client.organisationID)","name":"Client AG"}"#)
        try #require(group.status == .created, "\(group.body.string)")
        return (w, partnership, (try t.json(group) as! [String: Any])["id"] as! String)
    }

    func overview(_ t: TestApp, _ account: TestApp.Account) async throws -> [String: Any] {
        try #require(try t.json(try await t.send(.GET, "/api/v1/organisations/\(account.organisationID)/backup", token: account.token)) as? [String: Any])
    }

    @Test("R-X1 a partner designates one of its own Swiss Backup products once; a client's product or a second account is refused")
    func designate() async throws {
        try await TestApp.with { t in
            let (w, _, _) = try await setUp(t)
            let again = try await t.send(.POST, "/api/v1/organisations/\(w.partner.organisationID)/backup-account", token: w.partner.token,
                                         json: #"{"product_id":"\#(try await ownBackupProduct(t, w.partner))"}"#)
            #expect(again.status == .conflict)
            let clients = try await t.send(.POST, "/api/v1/organisations/\(w.partner.organisationID)/backup-account", token: w.partner.token,
                                           json: #"{"product_id":"\#(w.products[0])"}"#)
            #expect(clients.status == .unprocessableEntity && clients.body.string.contains("\"product_id\""))
            // The client is no partner: it holds no backup account (R-O5/R-E2: told so, 403).
            let own = try await ownBackupProduct(t, w.client)
            #expect(try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/backup-account", token: w.client.token,
                                     json: #"{"product_id":"\#(own)"}"#).status == .forbidden)
            let account = try #require(try await overview(t, w.partner)["account"] as? [String: Any])
            #expect(account["product_name"] as? String == "Swiss Backup Alpen")
        }
    }

    @Test("R-X1 one group per managed client; none for a client without an active partnership; the client sees where its backups are")
    func groups() async throws {
        try await TestApp.with { t in
            let (w, _, group) = try await setUp(t)
            let twice = try await t.send(.POST, "/api/v1/organisations/\(w.partner.organisationID)/backup-groups", token: w.partner.token,
                                         json: #"{"client_id":"\#(w.client.organisationID)","name":"Again"}"#)
            #expect(twice.status == .conflict)
            let stranger = try await t.signUp("sam@stranger.test", organisation: "Stranger AG")
            let unmanaged = try await t.send(.POST, "/api/v1/organisations/\(w.partner.organisationID)/backup-groups", token: w.partner.token,
                                             json: #"{"client_id":"\#(stranger.organisationID)","name":"Stranger"}"#)
            #expect(unmanaged.status == .unprocessableEntity && unmanaged.body.string.contains("\"client_id\""))
            let kept = try #require(try await overview(t, w.client)["kept_for"] as? [[String: Any]])
            #expect(kept.map { $0["id"] as? String } == [group])
            let browser = Browser(t)
            try await browser.logIn(w.client.email)
            #expect(try await browser.get("/console/orgs/\(w.client.organisationID)/backup").body.string.contains("In Partner GmbH&#39;s backup account, group “Client AG”."))
        }
    }

    @Test("R-X1 moving a group to another backup account is always refused, with the reason")
    func moveRefused() async throws {
        try await TestApp.with { t in
            let (w, _, group) = try await setUp(t)
            let move = try await t.send(.POST, "/api/v1/organisations/\(w.partner.organisationID)/backup-groups/\(group)/move", token: w.partner.token)
            #expect(move.status == .conflict && move.body.string.contains("cannot be migrated between two accounts"), "\(move.body.string)")
            #expect(try await t.send(.POST, "/api/v1/organisations/\(w.partner.organisationID)/backup-groups/\(UUID().uuidString)/move", token: w.partner.token).status == .notFound)
            #expect((try await overview(t, w.partner)["groups"] as? [Any])?.count == 1)
            let browser = Browser(t)
            try await browser.logIn(w.partner.email)
            #expect(try await browser.get("/console/orgs/\(w.partner.organisationID)/backup").body.string.contains("cannot be migrated"))
        }
    }

    @Test("R-X1 when the partnership ends the group stays, marked, both sides are told; the partner deletes it after confirming")
    func partnershipEnds() async throws {
        try await TestApp.with { t in
            let (w, partnership, group) = try await setUp(t)
            let ended = try await t.send(.POST, "/api/v1/organisations/\(w.client.organisationID)/partnerships/\(partnership)/end", token: w.client.token,
                                         json: #"{"password":"\#(TestApp.password)"}"#)
            #expect(ended.status == .noContent)
            let groups = try #require(try await overview(t, w.partner)["groups"] as? [[String: Any]])
            #expect(groups.count == 1 && groups[0]["partnership_ended_at"] != nil)
            for email in [w.partner.email, w.client.email] {
                #expect(try await t.store.outbox(recipient: EmailAddress(email)!).contains { $0.subject.hasPrefix("Swiss Backup: partnership") && $0.body.contains("Client AG") },
                        "\(email)")
            }
            let browser = Browser(t)
            try await browser.logIn(w.partner.email)
            let confirm = try await browser.get("/console/orgs/\(w.partner.organisationID)/backup/groups/\(group)/delete")
            #expect(confirm.status == .ok && confirm.body.string.contains("cannot be undone"))
            #expect(try await browser.post("/console/orgs/\(w.partner.organisationID)/backup/groups/\(group)/delete", [:]).status == .seeOther)
            #expect((try await overview(t, w.partner)["groups"] as? [Any])?.isEmpty == true)
            #expect((try await overview(t, w.client)["kept_for"] as? [Any])?.isEmpty == true)
            #expect(try await t.store.auditEvents(organisation: OrganisationID(string: w.partner.organisationID)!, limit: 50).map(\.action)
                .contains("backup.group_deleted"))
        }
    }

    @Test("R-X1 another organisation's backup routes answer 404; an employee of the partner cannot change the account")
    func isolation() async throws {
        try await TestApp.with { t in
            let (w, _, group) = try await setUp(t)
            let stranger = try await t.signUp("sam@stranger.test", organisation: "Stranger AG")
            let org = w.partner.organisationID
            for (method, path, body) in [
                (HTTPMethod.GET, "/api/v1/organisations/\(org)/backup", nil),
                (.POST, "/api/v1/organisations/\(org)/backup-account", #"{"product_id":"\#(UUID().uuidString)"}"#),
                (.POST, "/api/v1/organisations/\(org)/backup-groups", #"{"client_id":"\#(w.client.organisationID)","name":"x"}"#),
                (.DELETE, "/api/v1/organisations/\(org)/backup-groups/\(group)", nil),
                (.POST, "/api/v1/organisations/\(org)/backup-groups/\(group)/move", nil),
            ] as [(HTTPMethod, String, String?)] {
                #expect(try await t.send(method, path, token: stranger.token, json: body).status == .notFound, "\(method) \(path)")
            }
            // The stranger's own organisation does not reach the partner's group either: it is no
            // partner, and is told so (R-O5/R-E2) before any group is looked up.
            #expect(try await t.send(.DELETE, "/api/v1/organisations/\(stranger.organisationID)/backup-groups/\(group)", token: stranger.token).status == .forbidden)
            #expect(try await t.store.backupGroups(partner: OrganisationID(string: org)!).count == 1)
            let browser = Browser(t)
            try await browser.logIn("sam@stranger.test")
            #expect(try await browser.get("/console/orgs/\(org)/backup").status == .notFound)
            #expect(try await browser.get("/console/orgs/\(org)/backup/groups/\(group)/delete").status == .notFound)
            let employee = try await t.addMember(to: w.partner, email: "eve@partner.test", role: "employee")
            #expect(try await t.send(.DELETE, "/api/v1/organisations/\(org)/backup-groups/\(group)", token: employee.token).status == .forbidden)
            #expect((try await overview(t, w.partner)["groups"] as? [Any])?.count == 1)
        }
    }
}
