import FluentKit
import Foundation
import PartnerCore
import PartnerStore
import PartnerTestSupport
import Testing

/// Lists load with a fixed number of queries whatever their length (issue #3, no N+1).
@Suite("Query counts")
struct QueryCountTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    /// A partner with `clients` active clients, each granting `products` products; returns the
    /// number of statements the clients list (as the legal representative and as the assigned
    /// employee sees it) and `clientAccess` + `products(of:)` used.
    func measure(clients: Int, products: Int) async throws -> (clientsList: Int, productsList: Int, employeeList: Int) {
        let database = try await TestDatabase.make()
        let history = QueryHistory()
        let statements = StatementCounter()
        let (store, close) = try await database.openStore(history: history, statements: statements)
        let (partner, employee, firstClient) = try await store.write { tx in
            var code = 10_000_000
            func nextCode() -> SupportCode { code += 1; return SupportCode(String(code))! }
            let owner = try await tx.createUser(email: EmailAddress("owner@partner.test")!, name: "O", passwordHash: "h", supportCode: nextCode(), language: nil, now: now)
            let partner = try await tx.createOrganisation(name: "Partner", country: CountryCode("CH")!, currency: .chf, now: now)
            let ownerMembership = try await tx.addMembership(organisation: partner.id, user: owner.id, role: .legalRepresentative, now: now)
            let employee = try await tx.createUser(email: EmailAddress("employee@partner.test")!, name: "E", passwordHash: "h", supportCode: nextCode(), language: nil, now: now)
            let employeeMembership = try await tx.addMembership(organisation: partner.id, user: employee.id, role: .employee, now: now)
            _ = ownerMembership
            var first: OrganisationID? = nil
            for i in 0..<clients {
                let clientOwner = try await tx.createUser(email: EmailAddress("c\(i)@client.test")!, name: "C", passwordHash: "h", supportCode: nextCode(), language: nil, now: now)
                let client = try await tx.createOrganisation(name: "Client \(i)", country: CountryCode("FR")!, currency: .eur, now: now)
                let context = OrganisationContext(organisationID: client.id, userID: clientOwner.id, role: .legalRepresentative,
                                                  membershipID: try await tx.addMembership(organisation: client.id, user: clientOwner.id, role: .legalRepresentative, now: now))
                var grants: [ProductGrant] = []
                for j in 0..<products {
                    let product = try await tx.createProduct(context, category: .webHosting, name: "Web \(i)-\(j)", now: now)
                    grants.append(ProductGrant(product: product.id, technical: true, statistics: true))
                }
                let p = try await tx.createPartnership(.init(clientID: client.id, partnerID: partner.id, invitedEmail: nil, initiator: .client, access: .limited,
                                                             paymentMode: .client, grants: grants, tokenHash: "t\(i)", invitedBy: clientOwner.id), now: now)
                try await tx.transitionPartnership(p.id, from: .invited, to: .active, now: now)
                try await tx.assign(p.id, to: employeeMembership, now: now)
                if first == nil { first = client.id }
            }
            return (partner, (employee, employeeMembership), first!)
        }
        var before = statements.value
        let listed = try await store.clientListings(partner: partner.id, onlyAssignedTo: nil)
        #expect(listed.count == clients && listed.allSatisfy { $0.assignedMemberships == [employee.1] })
        let clientsList = statements.value - before
        history.queries = []
        let access = try await store.clientAccess(user: employee.0.id, organisation: firstClient)
        let list = try await store.products(of: firstClient)
        #expect(list.count == products && access.partnerSides.count == 1)
        let productsList = history.queries.count
        // The hot path of the clients page is plain SQL: count the statements the driver ran.
        before = statements.value
        let assigned = try await store.clientListings(partner: partner.id, onlyAssignedTo: employee.1)
        #expect(assigned.count == clients && assigned.allSatisfy { $0.partnership.grants.count == products })
        let employeeList = statements.value - before
        await close()
        await database.drop()
        return (clientsList, productsList, employeeList)
    }

    @Test("A partner's clients list and a client's products list take the same number of queries for 3 and for 30 entries")
    func fixedQueries() async throws {
        let small = try await measure(clients: 3, products: 2)
        let large = try await measure(clients: 30, products: 12)
        #expect(small.clientsList == large.clientsList)
        #expect(small.productsList == large.productsList)
        #expect(small.employeeList == large.employeeList && large.employeeList == 3, "\(large.employeeList) statements")
        #expect(large.clientsList == 3 && large.productsList <= 5)
    }
}
