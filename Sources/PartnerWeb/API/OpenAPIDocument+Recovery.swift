import Foundation
import PartnerCore

/// R-O6: "forgot password" in the API.
extension OpenAPIDocument {
    static var recoveryPaths: JSON {
        [
            "/api/v1/password-resets": ["post": operation("requestPasswordReset",
                "E-mail a reset link (single use, one hour) if the address has an account; the same answer either way (R-H1); limited per address and recipient (429)",
                tag: "accounts", secured: false, body: jsonBody(ref("PasswordResetRequest")),
                responses: ["202": response("Accepted, whether or not the address has an account", ref("PasswordResetAccepted"))])],
            "/api/v1/password-resets/confirm": ["post": operation("confirmPasswordReset",
                "Set a new password with the link's token; every session and API token of the user ends; 410 when the link is unknown, used or expired",
                tag: "accounts", secured: false, body: jsonBody(ref("PasswordResetConfirm")), responses: ["204": response("Changed; sign in with the new password")])],
        ]
    }

    static var recoverySchemas: JSON {
        [
            "PasswordResetRequest": object(["email": email], required: ["email"]),
            "PasswordResetAccepted": object(["status": ["type": "string", "enum": ["accepted"]]], required: ["status"]),
            "PasswordResetConfirm": object(["token": secret, "new_password": newPassword], required: ["token", "new_password"]),
        ]
    }
}
