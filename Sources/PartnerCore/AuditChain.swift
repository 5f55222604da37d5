import Foundation

/// R-L1: the audit log is append-only and tamper-evident. Each event stores the hash of the
/// previous event; the event's own hash covers its content and that previous hash, so changing,
/// removing or reordering any event breaks every link after it.
public struct AuditRecord: Sendable, Hashable {
    public let sequence: Int64
    public let occurredAt: Date
    public let actor: String
    public let organisation: String
    public let action: String
    public let target: String
    public let details: String
    public let previousHash: String
    public let hash: String

    public init(sequence: Int64, occurredAt: Date, actor: String, organisation: String, action: String,
                target: String, details: String, previousHash: String, hash: String) {
        self.sequence = sequence
        self.occurredAt = occurredAt
        self.actor = actor
        self.organisation = organisation
        self.action = action
        self.target = target
        self.details = details
        self.previousHash = previousHash
        self.hash = hash
    }
}

public enum AuditChain {
    /// The hash of the first event's predecessor.
    public static let genesis = String(repeating: "0", count: 64)

    /// The exact bytes that are hashed: fields separated by a unit separator that cannot occur
    /// unescaped, times as whole milliseconds since 1970 so every database round-trips them.
    public static func canonical(sequence: Int64, occurredAt: Date, actor: String, organisation: String,
                                 action: String, target: String, details: String, previousHash: String) -> String {
        let millis = Int64((occurredAt.timeIntervalSince1970 * 1000).rounded())
        return [String(sequence), String(millis), actor, organisation, action, target, details, previousHash]
            // Only fields holding the separator need escaping (almost none: skip the search-and-replace).
            .map { $0.utf8.contains(0x1F) ? $0.replacingOccurrences(of: "\u{1F}", with: "\u{1F}\u{1F}") : $0 }
            .joined(separator: "\u{1F}")
    }

    public enum Break: Equatable, Sendable {
        /// The event's stored previous hash is not the hash of the event before it.
        case previousHashMismatch(sequence: Int64)
        /// The event's content does not hash to its stored hash (it was changed).
        case contentChanged(sequence: Int64)
        /// Sequence numbers are not consecutive (an event was removed).
        case gap(after: Int64, found: Int64)
    }

    /// Walks the events in order and returns the first broken link, or nil when the chain holds.
    /// `sha256Hex` is handed in: the core computes no hashes of its own.
    /// `after` is the already verified event before the first record (nil: the chain starts here).
    public static func verify(_ records: [AuditRecord], after: AuditRecord? = nil, sha256Hex: (String) -> String) -> Break? {
        var previous = after?.hash ?? genesis
        var lastSequence: Int64? = after?.sequence
        for record in records {
            if let last = lastSequence, record.sequence != last + 1 { return .gap(after: last, found: record.sequence) }
            if lastSequence == nil && record.sequence != 1 { return .gap(after: 0, found: record.sequence) }
            guard record.previousHash == previous else { return .previousHashMismatch(sequence: record.sequence) }
            let expected = sha256Hex(canonical(
                sequence: record.sequence, occurredAt: record.occurredAt, actor: record.actor,
                organisation: record.organisation, action: record.action, target: record.target,
                details: record.details, previousHash: record.previousHash))
            guard expected == record.hash else { return .contentChanged(sequence: record.sequence) }
            previous = record.hash
            lastSequence = record.sequence
        }
        return nil
    }
}
