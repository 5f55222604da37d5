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
            "/api/v1/me/email": ["post": operation("requestEmailChange",
                "Change the sign-in address: with the current password, a confirmation link (single use, one hour) goes to the new address and a notice to the current one; the same answer if the new address is taken (R-H1)",
                tag: "profile", body: jsonBody(ref("EmailChangeRequest")), responses: ["202": response("Accepted", ref("PasswordResetAccepted"))])],
            "/api/v1/email-changes/confirm": ["post": operation("confirmEmailChange",
                "Confirm a new sign-in address with the link's token and the account's password; the old address is told and earlier reset links end; 410 when the link is unknown, used or expired, 403 for a wrong password, 409 when the address was taken meanwhile",
                tag: "accounts", secured: false, body: jsonBody(ref("EmailChangeConfirm")), responses: ["204": response("Changed")])],
        ]
    }

    static var recoverySchemas: JSON {
        [
            "PasswordResetRequest": object(["email": email], required: ["email"]),
            "PasswordResetAccepted": object(["status": ["type": "string", "enum": ["accepted"]]], required: ["status"]),
            "PasswordResetConfirm": object(["token": secret, "new_password": newPassword], required: ["token", "new_password"]),
            "EmailChangeRequest": object(["email": email, "password": secret], required: ["email", "password"]),
            "EmailChangeConfirm": object(["token": secret, "password": secret], required: ["token", "password"]),
        ]
    }
}
