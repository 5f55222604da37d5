import Foundation
import PartnerCore
import PartnerStore
import Plot
import Vapor

/// The activity log (R-L1) and the member invitation page reached from e-mail.
extension ConsoleController {
    // MARK: activity (R-L1)

    /// R-L1 and the client's view of it: every event of the organisation and of its partnerships;
    /// `by=partners` keeps what partner and support users did (actors who are not members), `q`
    /// filters by action. The same selection exports as CSV (R-B7 rules).
    func activityEvents(_ req: Request, _ context: OrganisationContext) async throws -> (events: [AuditRecord], byPartners: Bool, query: String, names: [String: String]) {
        // The organisation's audit trail is a management view: the route's action (R-O5 see_activity).
        let members = try await req.store.members(context)
        let memberActors = Set(members.map { "user:\($0.userID.string)" })
        let byPartners = (try? req.query.get(String.self, at: "by")) == "partners"
        let query = ((try? req.query.get(String.self, at: "q")) ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        var events = try await req.store.auditTimeline(organisation: context.organisationID, limit: 1000)
        if byPartners { events = events.filter { !memberActors.contains($0.actor) } }
        if !query.isEmpty { events = events.filter { $0.action.lowercased().contains(query) || $0.target.lowercased().contains(query) } }
        var names = Dictionary(uniqueKeysWithValues: members.map { ("user:\($0.userID.string)", "\($0.name) <\($0.email.value)>") })
        for actor in Set(events.map(\.actor)) where names[actor] == nil {
            if actor.hasPrefix("user:"), let id = UserID(string: String(actor.dropFirst(5))), let user = try await req.store.user(id) {
                names[actor] = "\(user.name) <\(user.email.value)>"
            } else if actor.hasPrefix("staff:"), let id = StaffID(string: String(actor.dropFirst(6))), let staff = try await req.store.staff(id) {
                names[actor] = "\(staff.name) (provider \(staff.role.rawValue))"
            }
        }
        return (events, byPartners, query, names)
    }

    func activityPage(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let (events, byPartners, query, names) = try await activityEvents(req, context)
        let organisation = try await req.store.organisation(context)
        let ctx = try await req.pageContext(current: organisation)
        let s = ctx.strings
        let base = "/console/orgs/\(organisation.id.string)/activity"
        let filter = "by=\(byPartners ? "partners" : "all")&q=\(query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        return Layout.page(s("activity.title"), ctx) {
            tag("div", cls("page-head")) {
                tag("h1") { text(s("activity.title")) }
                link(s("activity.export"), base + ".csv?\(filter)&delimiter=\(ctx.language == .en ? "comma" : "semicolon")", classes: "button secondary")
            }
            tag("form", attr("method", "get"), attr("action", base), cls("form inline"), attr("role", "search")) {
                selectField("by", label: s("activity.who"), options: [("all", s("activity.everyone")), ("partners", s("activity.partners_only"))],
                            selected: byPartners ? "partners" : "all")
                field("q", label: s("activity.what"), type: "search", value: query, required: false)
                button(s("partners.search_button"), style: "secondary")
            }
            if events.isEmpty {
                tag("p", cls("empty")) { text(s("activity.empty")) }
            } else {
                tag("table", cls("table")) {
                    tableHead([s("activity.when"), s("activity.who"), s("activity.what")])
                    tag("tbody") {
                        for event in events.prefix(200) {
                            tag("tr") {
                                tag("td") { text(Layout.date(event.occurredAt)) }
                                tag("td") { text(names[event.actor] ?? event.actor) }
                                tag("td") { tag("code") { text(event.action) }; text(" " + event.target) }
                            }
                        }
                    }
                }
                tag("p", cls("hint")) { text(s("time.zone_note")) }
            }
        }
    }

    func activityCSV(req: Request) async throws -> Response {
        let context = try await req.organisationContext()
        let (events, _, _, names) = try await activityEvents(req, context)
        let delimiter: CSV.Delimiter = (try? req.query.get(String.self, at: "delimiter")) == "semicolon" ? .semicolon : .comma
        var body = CSV.row(["time_utc", "sequence", "actor", "actor_name", "action", "target", "details"], delimiter: delimiter)
        let formatter = ISO8601DateFormatter()
        for event in events {
            body += CSV.row([formatter.string(from: event.occurredAt), String(event.sequence), event.actor, names[event.actor] ?? "",
                             event.action, event.target, event.details], delimiter: delimiter)
        }
        let response = Response(status: .ok, body: .init(string: body))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.contentDisposition = .init(.attachment, filename: "activity.csv")
        return response
    }

    // MARK: invitations (public page reached from the e-mail)

    func invitationPage(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        let ctx = try await req.pageContext()
        let s = ctx.strings
        switch try await req.accounts.lookUpInvitation(token: token, store: req.store) {
        case .problem(let key):
            return Layout.page(s("invite.title"), ctx, status: .gone) {
                tag("div", cls("narrow")) {
                    tag("h1") { text(s("invite.title")) }
                    tag("p") { text(s(key)) }
                }
            }
        case .open(let invitation, let organisationName):
            let path = "/invitations/\(token)"
            return Layout.page(s("invite.title"), ctx) {
                tag("div", cls("narrow")) {
                    tag("h1") { text(s("invite.title")) }
                    tag("p") { text(s("invite.text", ["org": organisationName, "role": s.role(invitation.role)])) }
                    if let user = ctx.user {
                        if user.email == invitation.email {
                            tag("div", cls("actions")) {
                                postForm(path + "/accept", csrf: ctx.csrf, classes: "inline") { button(s("invite.accept")) }
                                postForm(path + "/decline", csrf: ctx.csrf, classes: "inline") { button(s("invite.decline"), style: "secondary") }
                            }
                        } else {
                            tag("p", cls("error-summary")) { text(s("invite.wrong_user", ["email": invitation.email.value])) }
                        }
                    } else {
                        tag("p") { text(s("invite.sign_in_first", ["email": invitation.email.value])) }
                        tag("div", cls("actions")) {
                            link(s("login.title"), "/login?next=\(path)", classes: "button primary")
                            link(s("signup.title"), "/signup?next=\(path)&email=\(invitation.email.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")",
                                 classes: "button secondary")
                        }
                    }
                }
            }
        }
    }

    func answerInvitation(_ req: Request, accept: Bool) async throws -> Response {
        let user = try req.requireUser()
        let token = req.parameters.get("token") ?? ""
        let invitation = try await req.accounts.answerInvitation(token: token, user: user, accept: accept, store: req.store)
        if accept { return .redirect("/console/orgs/\(invitation.organisationID.string)") }
        return .redirect("/console", flash: "invite.declined")
    }
}
