import FluentKit
import Foundation

final class UserRow: Model, @unchecked Sendable {
    static let schema = "users"
    @ID(key: .id) var id: UUID?
    /// Lower-cased (EmailAddress), so the unique index makes addresses unique regardless of case.
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "support_code") var supportCode: String
    @OptionalField(key: "language") var language: String?
    @Field(key: "created_at") var createdAt: Date
    init() {}
}
