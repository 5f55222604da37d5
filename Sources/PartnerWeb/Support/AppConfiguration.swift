import Foundation
import PartnerCore
import PartnerStore

/// Everything the composition root needs; tests and `main` build it the same way.
public struct AppConfiguration: Sendable {
    public var database: DatabaseLocation
    /// bcrypt cost: ≥ 12 outside tests (issue #2); tests lower it to stay fast.
    public var bcryptCost: Int
    /// Demo mode: the development mailbox is reachable and the demo world is seeded.
    public var demo: Bool
    /// Mark cookies Secure (when served over https, e.g. behind a TLS-terminating proxy).
    public var secureCookies: Bool
    /// The public base URL used in e-mailed links.
    public var baseURL: String
    public var clock: any Clock
    public var random: any SecretSource
    public var loginThrottle: LoginThrottle
    /// Run migrations when the application boots (`serve` does; tests too).
    public var autoMigrate: Bool
    public var logLevel: String?
    /// `serve` runs the outbox worker and the time-bound partnership job; tests call them directly.
    public var runBackgroundJobs = false
    /// SMTP delivery of the outbox (R-N1); without it the development mailbox is the only reader.
    var smtp: SMTPConfiguration?
    /// The card payment provider (issue #4: simulated; a real one plugs in here).
    var payments: any PaymentProvider = SimulatedCardProvider()
    /// Database pool size per event loop; nil for the driver's default of this app.
    public var connectionsPerEventLoop: Int?
    /// Seconds a request waits for a database connection before it is answered 503 (DATABASE_POOL_TIMEOUT).
    public var poolTimeoutSeconds: Int?
    /// Addresses of reverse proxies whose `X-Forwarded-For` names the client (PARTNERHUB_TRUSTED_PROXIES):
    /// behind a proxy every visitor would otherwise share its address, and one address's limits
    /// (sign-in, tenders, referral clicks) would lock out everyone.
    public var trustedProxies: Set<String> = []
    /// R-O4: a console session left idle this long ends (PARTNERHUB_SESSION_IDLE_MINUTES, default 480 = 8 hours,
    /// DESIGN.md R-O4):
    /// a console left open on a shared computer does not stay signed in for its 30 days.
    public var sessionIdleTimeout: TimeInterval = 8 * 60 * 60
    /// R-O4: whether provider staff and partners' legal representatives and admins must use
    /// two-factor sign-in (PARTNERHUB_TWO_FACTOR_REQUIRED, default on; `serve --demo` turns it off
    /// unless the variable says 1, so the printed demo logins work without an authenticator app).
    /// Off, two-factor sign-in stays available to everyone who sets it up.
    public var twoFactorRequired = true
    /// R-R1: every request is answered within this many seconds (503 with `Retry-After` after).
    public var requestDeadline: TimeInterval = 15

    public init(database: DatabaseLocation, bcryptCost: Int = 12, demo: Bool = false, secureCookies: Bool = false,
                baseURL: String = "http://127.0.0.1:8080", clock: any Clock = SystemClock(),
                random: any SecretSource = SystemSecretSource(), loginThrottle: LoginThrottle = LoginThrottle(),
                autoMigrate: Bool = true, logLevel: String? = nil) {
        self.database = database
        self.bcryptCost = bcryptCost
        self.demo = demo
        self.secureCookies = secureCookies
        self.baseURL = baseURL
        self.clock = clock
        self.random = random
        self.loginThrottle = loginThrottle
        self.autoMigrate = autoMigrate
        self.logLevel = logLevel
    }

    /// From the process environment: DATABASE_URL, SQLITE_PATH, PARTNERHUB_BASE_URL, PARTNERHUB_SECURE_COOKIES, SMTP_URL, DATABASE_POOL_TIMEOUT.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> AppConfiguration {
        var configuration = AppConfiguration(database: .fromEnvironment(env))
        if let base = env["PARTNERHUB_BASE_URL"], !base.isEmpty { configuration.baseURL = base }
        configuration.secureCookies = env["PARTNERHUB_SECURE_COOKIES"] == "1" || configuration.baseURL.hasPrefix("https://")
        if let url = env["SMTP_URL"], !url.isEmpty { configuration.smtp = SMTPConfiguration.parse(url) }
        if let seconds = env["DATABASE_POOL_TIMEOUT"].flatMap(Int.init), seconds > 0 { configuration.poolTimeoutSeconds = seconds }
        if let minutes = env["PARTNERHUB_SESSION_IDLE_MINUTES"].flatMap({ ASCIIDecimal.parse($0) }), minutes > 0, minutes <= 43_200 {
            configuration.sessionIdleTimeout = TimeInterval(minutes) * 60
        }
        if let required = env["PARTNERHUB_TWO_FACTOR_REQUIRED"] { configuration.twoFactorRequired = required != "0" }
        if let deadline = env["PARTNERHUB_REQUEST_DEADLINE"].flatMap(Double.init), deadline.isFinite, deadline >= 1, deadline <= 3600 {
            configuration.requestDeadline = deadline
        }
        if let proxies = env["PARTNERHUB_TRUSTED_PROXIES"] {
            configuration.trustedProxies = Set(proxies.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        return configuration
    }
}

/// The clock is handed in (STYLE.md): no hidden `Date()` in the flows.
public protocol Clock: Sendable {
    func now() -> Date
}

/// Whole seconds: a stored time read back compares equal to the one written on both databases
/// (SQLite keeps a double since 1970, Foundation one since 2001, PostgreSQL microseconds; only
/// whole seconds survive every conversion exactly). Expiries and renewal claims rely on it.
public struct SystemClock: Clock {
    public init() {}
    public func now() -> Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }
}

/// Randomness for secrets (tokens, support codes) is handed in too; the system source draws from
/// the operating system's CSPRNG (`SystemRandomNumberGenerator`).
public protocol SecretSource: Sendable {
    func bytes(_ count: Int) -> [UInt8]
    func supportCode() -> SupportCode
}

public struct SystemSecretSource: SecretSource {
    public init() {}
    public func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
    public func supportCode() -> SupportCode {
        var generator = SystemRandomNumberGenerator()
        return SupportCode.generate(using: &generator)
    }
}

extension SecretSource {
    /// A URL-safe token of `byteCount` random bytes (base64url, no padding).
    func token(byteCount: Int = InvitationRules.tokenBytes) -> String {
        Data(bytes(byteCount)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
