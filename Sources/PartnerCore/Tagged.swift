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
    /// Lower-case canonical form, written straight from the bytes (ids are formatted on every
    /// list row; `uuidString.lowercased()` showed up in profiles).
    public var string: String {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(36)
        withUnsafeBytes(of: rawValue.uuid) { raw in
            for (index, byte) in raw.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { bytes.append(UInt8(ascii: "-")) }
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
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
