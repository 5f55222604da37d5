import PartnerCore
import PartnerStore
import Vapor

/// The errors of the HTTP layer; one middleware turns them into RFC 9457 problem JSON under
/// /api and into a friendly page elsewhere.
enum AppError: Error {
    case validation([FieldError])
    case notFound
    case unauthorised
    case forbidden(String)
    case conflict(field: String, code: FieldError.Code)
    case tooManyRequests(retryAfter: Int)
    case badRequest(String, field: String?)
    case csrf
    case gone(String)
    /// A rule refuses the change (e.g. R-O1's last legal representative); the string is a message key.
    case refused(String)
    /// R-H1: the path exists with other methods (RFC 9110: 405 with `Allow`).
    case methodNotAllowed(allow: String)
    /// R-H1: a documented limit on a request's work (lines per order, orders an hour …); `field`
    /// is the input that exceeds it, `limit` says the limit in words for the API's problem detail.
    case overLimit(field: String, limit: String)
    /// R-O4: the password was right; the second factor is missing or wrong (401 naming `otp`).
    case secondFactor
    /// R-R1: the database cannot be reached, or the request ran past its deadline (503 with
    /// `Retry-After`); `reason` is the problem detail in English.
    case unavailable(reason: String, retryAfter: Int)

    var status: HTTPResponseStatus {
        switch self {
        case .validation: return .unprocessableEntity
        case .notFound: return .notFound
        case .unauthorised: return .unauthorized
        case .forbidden: return .forbidden
        case .conflict: return .conflict
        case .tooManyRequests: return .tooManyRequests
        case .badRequest: return .badRequest
        case .csrf: return .forbidden
        case .gone: return .gone
        case .refused: return .conflict
        case .methodNotAllowed: return .methodNotAllowed
        case .overLimit: return .unprocessableEntity
        case .secondFactor: return .unauthorized
        case .unavailable: return .serviceUnavailable
        }
    }

    static func from(_ error: StoreError) -> AppError {
        switch error {
        case .notFound: return .notFound
        case .conflict(let field): return .conflict(field: field, code: .taken)
        }
    }
}
