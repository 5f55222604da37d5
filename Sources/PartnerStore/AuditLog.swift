import FluentKit
import Foundation
import PartnerCore
import SQLKit

/// One audit event before it is chained (R-L1).
public struct AuditEntry: Sendable {
    public let actor: String
    public let organisation: String
    public let action: String
    public let target: String
    public let details: String
    public init(actor: String, organisation: String = "", action: String, target: String = "", details: String = "") {
        self.actor = actor
        self.organisation = organisation
        self.action = action
        self.target = target
        self.details = details
    }
}

extension Store {
    /// Appends an event to the hash chain inside the caller's transaction.
    public func appendAudit(_ entry: AuditEntry, now: Date) async throws {
        try await appendAudit([entry], now: now)
    }

    /// Appends events to the hash chain, in order, inside the caller's transaction: the chain's
    /// end is read once and the events go in as one multi-row insert (a renewal batch writes
    /// hundreds). On PostgreSQL a transaction-scoped advisory lock orders concurrent appenders;
    /// on SQLite the write gate does. The unique sequence index is the last line of defence.
    public func appendAudit(_ entries: [AuditEntry], now: Date) async throws {
        guard !entries.isEmpty else { return }
        if kind == .postgres {
            try await sql.raw("SELECT pg_advisory_xact_lock(7240001)").run()
        }
        let last = try await sql.raw("SELECT sequence, hash FROM audit_events ORDER BY sequence DESC LIMIT 1").first()
        var sequence = try last.map { try $0.decode(column: "sequence", as: Int64.self) } ?? 0
        var previous = try last.map { try $0.decode(column: "hash", as: String.self) } ?? AuditChain.genesis
        // Whole milliseconds: what both databases store exactly and the canonical form hashes.
        let at = Date(timeIntervalSince1970: (now.timeIntervalSince1970 * 1000).rounded() / 1000)
        var rows: [[Bindable]] = []
        rows.reserveCapacity(entries.count)
        for entry in entries {
            sequence += 1
            let hash = Self.sha256Hex(AuditChain.canonical(
                sequence: sequence, occurredAt: at, actor: entry.actor, organisation: entry.organisation,
                action: entry.action, target: entry.target, details: entry.details, previousHash: previous))
            rows.append([UUID.timeOrdered(), sequence, at, entry.actor, entry.organisation, entry.action, entry.target, entry.details, previous, hash])
            previous = hash
        }
        try await insertRows("audit_events", columns: ["id", "sequence", "occurred_at", "actor", "organisation", "action", "target", "details", "previous_hash", "hash"],
                             rows: rows)
    }

    /// Reads the chain in pages and checks it (R-L1); `progress` is told how many events were read.
    public func verifyAudit(progress: (Int) -> Void = { _ in }) async throws -> (checked: Int, firstBreak: AuditChain.Break?) {
        var checked = 0
        var after: Int64 = 0
        var carry: AuditRecord? = nil
        let pageSize = 1000
        while true {
            let rows = try await AuditEventRow.query(on: database).filter(\.$sequence > after)
                .sort(\.$sequence).limit(pageSize).all()
            guard let lastRow = rows.last else { break }
            let records = rows.map(\.record)
            // Each page continues from the last event of the previous one, so links across pages are checked.
            if let broken = AuditChain.verify(records, after: carry, sha256Hex: Self.sha256Hex) {
                return (checked, broken)
            }
            checked += rows.count
            progress(checked)
            carry = records.last
            after = lastRow.sequence
        }
        return (checked, nil)
    }

    /// Newest first; `before`: the sequence of the last event of the previous page.
    public func auditEvents(organisation: OrganisationID, limit: Int, before: Int64? = nil) async throws -> [AuditRecord] {
        var query = AuditEventRow.query(on: database).filter(\.$organisation == organisation.string)
        if let before { query = query.filter(\.$sequence < before) }
        return try await query.sort(\.$sequence, .descending).limit(limit).all().map(\.record)
    }

    /// The organisation's events plus those of its partnerships recorded by the other side (a
    /// partner accepting, ending, assigning), newest first.
    public func auditTimeline(organisation: OrganisationID, limit: Int) async throws -> [AuditRecord] {
        let partnerships = try await PartnershipRow.query(on: database).filter(\.$clientID == organisation.rawValue).all()
        let targets = partnerships.compactMap { row in row.id.map { "partnership:\($0.uuidString.lowercased())" } }
        return try await AuditEventRow.query(on: database)
            .group(.or) { $0.filter(\.$organisation == organisation.string).filter(\.$target ~~ targets) }
            .sort(\.$sequence, .descending).limit(limit).all().map(\.record)
    }

    /// Events outside any organisation — the provider's own actions (catalogue edits), newest first.
    public func providerAuditEvents(limit: Int) async throws -> [AuditRecord] {
        try await AuditEventRow.query(on: database).filter(\.$organisation == "").sort(\.$sequence, .descending).limit(limit).all().map(\.record)
    }

    /// For tests of the verifier: change a stored event behind the application's back.
    public func tamperWithAuditEvent(sequence: Int64, actor: String) async throws {
        try await AuditEventRow.query(on: database).filter(\.$sequence == sequence).set(\.$actor, to: actor).update()
    }
}

extension AuditEventRow {
    var record: AuditRecord {
        AuditRecord(sequence: sequence, occurredAt: occurredAt, actor: actor, organisation: organisation, action: action,
                    target: target, details: details, previousHash: previousHash, hash: hash)
    }
}
