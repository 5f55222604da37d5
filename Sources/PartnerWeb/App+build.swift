import Fluent
import PartnerCore
import PartnerStore
import Vapor

/// What every request can reach: the configuration and the use-case services.
struct PartnerHub: Sendable {
    let configuration: AppConfiguration
    let accounts: AccountService
    let partnerships: PartnershipService
    let support: SupportService
    let billing: BillingService
    let provider: ProviderService
    let program: ProgramService
    let tenders: TenderService
    let directory: DirectoryService
    let backup: BackupService
    let affiliates: AffiliateService
    let twoFactor: TwoFactorService
    var kind: DatabaseKind { configuration.database.kind }
}

struct PartnerHubKey: StorageKey { typealias Value = PartnerHub }

extension Application {
    var partnerHub: PartnerHub {
        get { storage[PartnerHubKey.self]! }
        set { storage[PartnerHubKey.self] = newValue }
    }
    /// A store on the application's default database (for commands and the demo seed).
    var store: Store { Store(database: db, kind: partnerHub.kind) }
}

extension Request {
    var partnerHub: PartnerHub { application.partnerHub }
    var store: Store { Store(database: db, kind: partnerHub.kind) }
    var accounts: AccountService { partnerHub.accounts }
    var partnerships: PartnershipService { partnerHub.partnerships }
    var support: SupportService { partnerHub.support }
    var billing: BillingService { partnerHub.billing }
    var provider: ProviderService { partnerHub.provider }
    var program: ProgramService { partnerHub.program }
    var tenders: TenderService { partnerHub.tenders }
    var directory: DirectoryService { partnerHub.directory }
    var backup: BackupService { partnerHub.backup }
    var affiliates: AffiliateService { partnerHub.affiliates }
}

/// The one composition root (STYLE.md): configuration → database → services → middleware →
/// routes. `main` and the tests both call it.
public func buildApplication(_ app: Application, _ configuration: AppConfiguration) async throws {
    app.databases.use(try configuration.database.configuration(connectionsPerEventLoop: configuration.connectionsPerEventLoop, poolTimeoutSeconds: configuration.poolTimeoutSeconds), as: DatabaseID(string: "main"), isDefault: true)
    app.migrations.add(PartnerMigrations.all)
    let hasher = try PasswordHasher(cost: configuration.bcryptCost, threadPool: app.threadPool)
    let partnerships = PartnershipService(clock: configuration.clock, random: configuration.random, hasher: hasher, baseURL: configuration.baseURL)
    let provider = ProviderService(clock: configuration.clock)
    app.partnerHub = PartnerHub(
        configuration: configuration,
        accounts: AccountService(clock: configuration.clock, random: configuration.random, hasher: hasher,
                                 throttle: configuration.loginThrottle, baseURL: configuration.baseURL),
        partnerships: partnerships,
        support: SupportService(clock: configuration.clock, random: configuration.random),
        billing: BillingService(clock: configuration.clock, payments: configuration.payments, baseURL: configuration.baseURL),
        provider: provider,
        program: ProgramService(clock: configuration.clock, baseURL: configuration.baseURL, provider: provider),
        tenders: TenderService(clock: configuration.clock, random: configuration.random, baseURL: configuration.baseURL, partnerships: partnerships),
        directory: DirectoryService(clock: configuration.clock),
        backup: BackupService(clock: configuration.clock, baseURL: configuration.baseURL),
        affiliates: AffiliateService(clock: configuration.clock, random: configuration.random, baseURL: configuration.baseURL),
        twoFactor: TwoFactorService(clock: configuration.clock, random: configuration.random, enforced: configuration.twoFactorRequired))

    // R-H1: a body over its route's limit (BodyLimits) is refused with 413 before any check or
    // controller reads it; the routes' own collection never sees more than that.
    app.routes.defaultMaxBodySize = ByteCount(integerLiteral: BodyLimits.standard)
    app.middleware = Middlewares()
    // Security headers outermost, so error pages (the refused form among them) carry them too;
    // the input gate after identity, so a refused form is shown to whoever sent it, signed in.
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(ProblemMiddleware())
    // R-R1: inside the problem middleware, which answers a request past its deadline.
    app.middleware.use(DeadlineMiddleware(seconds: configuration.requestDeadline))
    app.middleware.use(BodyCollectionMiddleware())
    app.middleware.use(IdentityMiddleware())
    // R-O5: the route's action is decided before its body, CSRF token or contract is looked at.
    app.middleware.use(AuthorityMiddleware())
    app.middleware.use(InputGateMiddleware())
    app.middleware.use(CSRFMiddleware())
    app.middleware.use(ContractMiddleware(document: OpenAPIDocument.document))

    try await app.store.prepareConnection()
    if configuration.autoMigrate { try await app.autoMigrate() }

    if configuration.runBackgroundJobs {
        let worker = configuration.smtp.map { OutboxWorker(client: SMTPClient(configuration: $0, group: app.eventLoopGroup), clock: configuration.clock) }
        app.lifecycle.use(BackgroundJobs(worker: worker, partnerships: app.partnerHub.partnerships, billing: app.partnerHub.billing,
                                         tenders: app.partnerHub.tenders, affiliates: app.partnerHub.affiliates))
    }

    try routes(app)
    // Innermost, so it sees only requests no route matched.
    app.middleware.use(MethodNotAllowedMiddleware(routes: app.routes))
}

func routes(_ app: Application) throws {
    app.get("health") { req async throws -> Response in
        // Touch the database so "ok" means it answers; R-R1: JSON 503 naming it when it does not.
        do {
            _ = try await req.store.userCount()
        } catch {
            req.logger.warning("health: database unreachable: \(String(reflecting: type(of: error)))")
            let response = try jsonResponse(["status": "unavailable", "database": req.partnerHub.kind.rawValue, "reason": "the database cannot be reached"])
            response.status = .serviceUnavailable
            response.headers.replaceOrAdd(name: .retryAfter, value: "5")
            return response
        }
        return try jsonResponse(["status": "ok", "database": req.partnerHub.kind.rawValue])
    }.named(.visitPublic)
    try app.register(collection: ConsoleController())
    try app.register(collection: ProviderConsoleController())
    try app.register(collection: PartnershipConsoleController())
    try app.register(collection: BillingConsoleController())
    try app.register(collection: ProviderBillingController())
    try app.register(collection: BenefitsController())
    try app.register(collection: ProductAssignmentController())
    try app.register(collection: APIController())
    try app.register(collection: PartnershipAPIController())
    try app.register(collection: BillingAPIController())
    try app.register(collection: ProviderAPIController())
    try app.register(collection: ProgramConsoleController())
    try app.register(collection: ProviderProgramController())
    try app.register(collection: PublicTenderController())
    try app.register(collection: ProgramAPIController())
    try app.register(collection: SupportConsoleController())
    try app.register(collection: BackupController())
    try app.register(collection: AffiliateController())
    try app.register(collection: TwoFactorController())
    try app.register(collection: SpendingAPIController())
    try app.register(collection: SpendingConsoleController())
    if app.partnerHub.configuration.demo { try app.register(collection: MailboxController()) }
}

func jsonResponse<T: Encodable>(_ value: T, status: HTTPResponseStatus = .ok) throws -> Response {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    encoder.outputFormatting = [.sortedKeys]
    let response = Response(status: status, body: .init(data: try encoder.encode(value)))
    response.headers.contentType = .json
    return response
}
