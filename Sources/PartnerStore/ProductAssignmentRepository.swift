import FluentKit
import Foundation
import PartnerCore

/// R-O2: which of its organisation's products an employee or external user manages.
extension Store {
    public func assignedProducts(_ membership: MembershipID) async throws -> Set<ProductID> {
        Set(try await ProductAssignmentRow.query(on: database).filter(\.$membershipID == membership.rawValue).all().map { ProductID($0.productID) })
    }

    /// Replaces a member's assignments with `products` (all of the member's organisation; the caller checked).
    public func setAssignedProducts(_ membership: MembershipID, products: Set<ProductID>, now: Date) async throws {
        try await ProductAssignmentRow.query(on: database).filter(\.$membershipID == membership.rawValue).delete()
        for product in products {
            let row = ProductAssignmentRow()
            row.membershipID = membership.rawValue
            row.productID = product.rawValue
            row.createdAt = now
            try await row.create(on: database)
        }
    }
}
