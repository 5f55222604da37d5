import Foundation

/// A typed identifier: `Tagged<UserTag, UUID>` and `Tagged<OrganisationTag, UUID>` are different
/// types, so a user id cannot be passed where an organisation id is expected (STYLE.md).
public struct Tagged<Tag, RawValue: Hashable & Sendable & Codable>: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: RawValue
    public init(_ rawValue: RawValue) { self.rawValue = rawValue }
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(RawValue.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public var description: String { "\(rawValue)" }
}

extension Tagged where RawValue == UUID {
    /// Parses the textual form; nil for anything that is not a UUID.
    public init?(string: String) {
        guard let uuid = UUID(uuidString: string) else { return nil }
        self.init(uuid)
    }
    public var string: String { rawValue.uuidString.lowercased() }
}

public enum UserTag {}
public enum OrganisationTag {}
public enum MembershipTag {}
public enum InvitationTag {}
public enum StaffTag {}
public enum SessionTag {}
public enum AccessTokenTag {}

public typealias UserID = Tagged<UserTag, UUID>
public typealias OrganisationID = Tagged<OrganisationTag, UUID>
public typealias MembershipID = Tagged<MembershipTag, UUID>
public typealias InvitationID = Tagged<InvitationTag, UUID>
public typealias StaffID = Tagged<StaffTag, UUID>
public typealias SessionID = Tagged<SessionTag, UUID>
public typealias AccessTokenID = Tagged<AccessTokenTag, UUID>
