import PartnerCore

// Plot and Vapor export types with the same names as the domain's; inside PartnerWeb the
// domain's win.
typealias Language = PartnerCore.Language
typealias SessionID = PartnerCore.SessionID
