import ArgumentParser
import Foundation
import PartnerCore
import PartnerStore
import Vapor

/// `partnerhub`: serve | migrate | verify-audit | verify-ledger | staff add | partner approve | quote | renew.
public struct PartnerHubCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "partnerhub",
        abstract: "PartnerHub: run a cloud provider's partner (reseller) program.",
        subcommands: [Serve.self, Migrate.self, VerifyAudit.self, VerifyLedger.self, Staff.self, PartnerCommand.self, Quote.self, Renew.self,
                      FanOutTenders.self, AffiliatePayouts.self, RoutesCommand.self])
    public init() {}
}

/// Builds the application without serving it, runs `body`, shuts down.
func withApplication<T>(demo: Bool = false, _ body: (Application) async throws -> T) async throws -> T {
    var configuration = AppConfiguration.fromEnvironment()
    configuration.demo = demo
    let app = try await Application.make(Environment(name: "production", arguments: ["partnerhub"]))
    app.logger.logLevel = .warning
    do {
        try await buildApplication(app, configuration)
        let result = try await body(app)
        try await app.asyncShutdown()
        return result
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the console and the API (migrates first).")
    @ArgumentParser.Option(help: "The address to listen on.") var hostname = "127.0.0.1"
    @ArgumentParser.Option(help: "The port to listen on.") var port = 8080
    @ArgumentParser.Flag(help: "Seed a demo world once, print its logins and open the development mailbox.") var demo = false
    @ArgumentParser.Flag(help: "Run no background jobs (outbox, tender fan-out, renewals): another instance or cron runs them.") var noBackgroundJobs = false

    func run() async throws {
        var configuration = AppConfiguration.fromEnvironment()
        configuration.demo = demo
        if demo && ProcessInfo.processInfo.environment["PARTNERHUB_TWO_FACTOR_REQUIRED"] != "1" { configuration.twoFactorRequired = false }
        configuration.runBackgroundJobs = !noBackgroundJobs
        if ProcessInfo.processInfo.environment["PARTNERHUB_BASE_URL"] == nil { configuration.baseURL = "http://\(hostname):\(port)" }
        var env = Environment(name: "production", arguments: ["partnerhub", "serve", "--hostname", hostname, "--port", String(port)])
        try LoggingSystem.bootstrap(from: &env)
        let app = try await Application.make(env)
        do {
            try await buildApplication(app, configuration)
            if demo {
                let logins = try await DemoSeed.seedIfNeeded(app)
                print("PartnerHub demo — every demo login uses the password: \(DemoSeed.password)")
                for login in logins { print("  \(login.email.padding(toLength: 26, withPad: " ", startingAt: 0)) \(login.who)") }
                print("  Development mailbox: http://\(hostname):\(port)/dev/mailbox")
            }
            print("PartnerHub on \(configuration.database.kind.rawValue): http://\(hostname):\(port)/")
            try await app.execute()
            try await app.asyncShutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }
}

/// The route table, one `METHOD /path/:parameter` a line: the crawlers of the hostile-input and
/// injection tests (R-H1) check that they reached every page and form it lists.
struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "routes", abstract: "Print every registered route (METHOD /path), sorted.")
    func run() async throws {
        let lines = try await withApplication { app in
            app.routes.all.map { route in
                "\(route.method.rawValue) /" + route.path.map { "\($0)" }.joined(separator: "/")
            }
        }
        for line in Set(lines).sorted() { print(line) }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")
    func run() async throws {
        try await withApplication { app in print("Migrations applied on \(app.partnerHub.kind.rawValue).") }
    }
}

struct VerifyAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify-audit", abstract: "Recompute the audit hash chain (R-L1); exit 1 at the first broken link.")
    func run() async throws {
        let (checked, broken) = try await withApplication { app in
            try await app.store.verifyAudit { count in
                FileHandle.standardError.write(Data("\rchecked \(count) events…".utf8))
            }
        }
        FileHandle.standardError.write(Data("\n".utf8))
        if let broken {
            print("BROKEN after \(checked) intact events: \(describe(broken))")
            throw ExitCode(1)
        }
        print("OK: \(checked) audit events, chain intact.")
    }

    func describe(_ broken: AuditChain.Break) -> String {
        switch broken {
        case .contentChanged(let sequence): return "event \(sequence) was changed (its hash does not match its content)"
        case .previousHashMismatch(let sequence): return "event \(sequence) does not link to the event before it"
        case .gap(let after, let found): return "events missing between \(after) and \(found)"
        }
    }
}

struct Staff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage provider staff (R-O3).", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a provider staff member.")
        @ArgumentParser.Argument(help: "E-mail address") var email: String
        @ArgumentParser.Option(help: "program-admin or support") var role: String
        @ArgumentParser.Option(help: "Display name") var name: String?
        @ArgumentParser.Option(help: "Password (otherwise PARTNERHUB_STAFF_PASSWORD, otherwise one is generated and printed)") var password: String?

        func run() async throws {
            guard let staffRole = StaffRole(rawValue: role) else {
                FileHandle.standardError.write(Data("error: --role must be program-admin or support\n".utf8))
                throw ExitCode(2)
            }
            let generated = SystemSecretSource().token(byteCount: 12)
            let secret = password ?? ProcessInfo.processInfo.environment["PARTNERHUB_STAFF_PASSWORD"] ?? generated
            do {
                let member = try await withApplication { app in
                    try await app.partnerHub.accounts.addStaff(email: email, name: name ?? email, role: staffRole, password: secret, store: app.store)
                }
                print("Added \(member.role.rawValue) \(member.email.value). Sign in at /provider/login.")
                if secret == generated { print("Generated password: \(generated)") }
            } catch AppError.validation(let errors) {
                FileHandle.standardError.write(Data("error: \(errors.map { "\($0.field) \($0.code.rawValue)" }.joined(separator: ", "))\n".utf8))
                throw ExitCode(2)
            } catch AppError.conflict, StoreError.conflict {
                FileHandle.standardError.write(Data("error: a staff member with this e-mail exists\n".utf8))
                throw ExitCode(2)
            }
        }
    }
}

struct PartnerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "partner", abstract: "Manage partner status.", subcommands: [Approve.self])

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve an organisation as a partner (by id or exact name).")
        @ArgumentParser.Argument(help: "The organisation's id or exact name") var organisation: String

        func run() async throws {
            let name = try await withApplication { app -> String? in
                let all = try await app.store.allOrganisations()
                let matches = all.filter { $0.id.string == organisation.lowercased() || $0.name == organisation }
                guard matches.count == 1, let match = matches.first else { return nil }
                try await app.partnerHub.partnerships.approvePartner(match.id, actor: "cli", store: app.store)
                return match.name
            }
            guard let name else {
                FileHandle.standardError.write(Data("error: no single organisation with id or name '\(organisation)'\n".utf8))
                throw ExitCode(2)
            }
            print("\(name) is an approved partner.")
        }
    }
}

struct Quote: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the R-B2 price steps of a line, from the catalogue in the database.")
    @ArgumentParser.Option(help: "A product category: web-hosting, mail-hosting, vps, …") var product: String?
    @ArgumentParser.Option(help: "Number of units (hostings)") var quantity: String?
    @ArgumentParser.Option(help: "CHF or EUR") var currency: String?
    @ArgumentParser.Option(name: .customLong("partner-discount"), help: "Partner discount in percent, 0–35") var partnerDiscount: String?
    @ArgumentParser.Option(help: "Use this approved partner's rate for the category (organisation id or exact name)") var partner: String?
    @ArgumentParser.Option(name: .customLong("tier-count"), help: "Hostings counted for the tier (default: the quantity)") var tierCount: String?

    func run() async throws {
        do {
            if partner != nil && partnerDiscount != nil { throw QuoteError(text: "give either --partner or --partner-discount, not both") }
            let (list, rate) = try await withApplication { app -> (PriceList, String?) in
                let list = try await app.store.priceList()
                guard let partner else { return (list, nil) }
                let organisations = try await app.store.allOrganisations()
                guard let found = organisations.first(where: { $0.id.string == partner.lowercased() || $0.name == partner }), found.isPartner else {
                    throw QuoteError(text: "no approved partner '\(partner)'")
                }
                guard let category = ProductCategory(rawValue: product ?? "") else { return (list, nil) }
                let bp = try await app.store.partnerRates(found.id).rate(category)
                return (list, MoneyFormat.plain(Money(minorUnits: Int64(bp.value), currency: .chf), withCurrency: false))
            }
            print(try Self.render(product: product, quantity: quantity, currency: currency, partnerDiscount: rate ?? partnerDiscount ?? "0",
                                  tierCount: tierCount, list: list))
        } catch let message as QuoteError {
            FileHandle.standardError.write(Data("error: \(message.text)\n".utf8))
            throw ExitCode(2)
        }
    }

    struct QuoteError: Error { let text: String }

    /// The lines printed, each ending with its amount in the plain `CHF 347.20` form.
    static func render(product: String?, quantity: String?, currency: String?, partnerDiscount: String, tierCount: String?,
                       list: PriceList = .standard) throws -> String {
        let known = ProductCategory.allCases.filter { list.entries[$0] != nil && $0 != .domain }.map(\.rawValue).joined(separator: ", ")
        guard let product, let category = ProductCategory(rawValue: product), category != .domain, let entry = list.entries[category] else {
            throw QuoteError(text: "unknown product '\(product ?? "")' (known: \(known))")
        }
        guard let quantityText = quantity, let units = Int64(quantityText), units > 0, units <= 1_000_000 else {
            throw QuoteError(text: "quantity must be a whole number from 1 to 1000000")
        }
        guard let currencyText = currency, let money = Currency(rawValue: currencyText.uppercased()) else { throw QuoteError(text: "currency must be CHF or EUR") }
        guard let rate = MoneyFormat.parseAmount(partnerDiscount), rate >= 0, BasisPoints(Int(min(rate, 10_000))) <= Catalogue.maximumPartnerDiscount else {
            throw QuoteError(text: "partner discount must be a percentage from 0 to 35")
        }
        var count = units
        if let tierCount {
            guard let parsed = Int64(tierCount), parsed >= units else { throw QuoteError(text: "tier count must be a whole number no smaller than the quantity") }
            count = parsed
        }
        guard entry.prices[money] != nil else { throw QuoteError(text: "the catalogue has no \(money.rawValue) price for \(product)") }
        let price = try list.quote(category, quantity: units, currency: money, partnerDiscount: BasisPoints(Int(rate)), tierCount: count)
        let s = price.steps
        return [
            "List price (\(units) × \(MoneyFormat.plain(price.unitPrice))): \(MoneyFormat.plain(s[0].amount))",
            "After partner discount (\(s[1].rate)): \(MoneyFormat.plain(s[1].amount))",
            "After tier discount (\(s[2].rate)): \(MoneyFormat.plain(s[2].amount))",
            "Final price: \(MoneyFormat.plain(price.final))",
        ].joined(separator: "\n")
    }
}

extension PartnerHubCommand {
    public static func runFromCommandLine() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
