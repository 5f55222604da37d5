import Foundation

/// R-H1, R-N1: a header value that can never write a header of its own. Whatever the text holds —
/// a tender title with CR/LF typed before validation existed, an organisation's name — line breaks
/// and other controls become spaces, and anything that is not printable ASCII is sent as RFC 2047
/// encoded-words (`=?UTF-8?B?…?=`, at most 75 characters each, cut between characters), folded
/// with CRLF and a space. The only line breaks in the result are that folding.
public enum MailHeader {
    public static func encode(_ value: String) -> String {
        let cleaned = String(String.UnicodeScalarView(value.unicodeScalars.map { TextInput.isAllowed($0, in: .singleLine) ? $0 : " " }))
        if cleaned.utf8.allSatisfy({ (0x20...0x7E).contains($0) }), !cleaned.contains("=?"), cleaned.utf8.count <= 900 {
            return cleaned
        }
        // 75 - "=?UTF-8?B?".count - "?=".count = 63 characters of base64 = 45 bytes of text at most.
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in cleaned.unicodeScalars {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append(word(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(word(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    static func word(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
    }
}
