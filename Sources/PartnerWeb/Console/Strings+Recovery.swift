/// R-O6: texts of "forgot password". (de, en, fr)
extension Strings {
    static let recovery: [String: (String, String, String)] = [
        "forgot.link": ("Passwort vergessen?", "Forgot your password?", "Mot de passe oublié ?"),
        "forgot.title": ("Passwort zurücksetzen", "Reset your password", "Réinitialiser le mot de passe"),
        "forgot.intro": ("Geben Sie die E-Mail-Adresse Ihres Kontos an. Wir senden Ihnen einen Link, der eine Stunde lang gültig ist.",
                         "Enter your account's e-mail address. We send you a link that works for one hour.",
                         "Indiquez l'adresse e-mail de votre compte. Nous vous envoyons un lien valable une heure."),
        "forgot.submit": ("Link senden", "Send the link", "Envoyer le lien"),
        "forgot.sent_title": ("Sehen Sie in Ihrem Posteingang nach", "Check your inbox", "Consultez votre boîte de réception"),
        "forgot.sent": ("Falls zu {email} ein Konto besteht, ist ein Link zum Zurücksetzen unterwegs. Er ist eine Stunde lang gültig und funktioniert einmal.",
                        "If {email} has an account, a reset link is on its way. It works once, for one hour.",
                        "Si {email} a un compte, un lien de réinitialisation est en route. Il fonctionne une fois, pendant une heure."),
        "forgot.again": ("Einen neuen Link anfordern", "Ask for a new link", "Demander un nouveau lien"),
        "reset.title": ("Neues Passwort festlegen", "Choose a new password", "Choisir un nouveau mot de passe"),
        "reset.submit": ("Passwort speichern", "Save the password", "Enregistrer le mot de passe"),
        "reset.unknown": ("Dieser Link ist ungültig.", "This link is not valid.", "Ce lien n'est pas valide."),
        "reset.used": ("Dieser Link wurde bereits verwendet.", "This link has been used already.", "Ce lien a déjà été utilisé."),
        "reset.expired": ("Dieser Link ist abgelaufen (er gilt eine Stunde).", "This link has expired (it works for one hour).",
                          "Ce lien a expiré (il est valable une heure)."),
        "reset.done": ("Ihr Passwort wurde geändert. Alle Sitzungen und API-Tokens wurden beendet; melden Sie sich mit dem neuen Passwort an.",
                       "Your password was changed. Every session and API token was ended; sign in with the new password.",
                       "Votre mot de passe a été modifié. Toutes les sessions et tous les jetons API ont été fermés ; connectez-vous avec le nouveau mot de passe."),
        "mail.reset.subject": ("Passwort zurücksetzen", "Reset your password", "Réinitialiser votre mot de passe"),
        "mail.reset.body": ("Jemand (hoffentlich Sie) hat verlangt, das Passwort Ihres PartnerHub-Kontos zurückzusetzen. Dieser Link gilt eine Stunde und einmal:\n{link}\n\nWenn Sie das nicht waren, ignorieren Sie diese E-Mail; Ihr Passwort bleibt unverändert.",
                            "Someone (hopefully you) asked to reset the password of your PartnerHub account. This link works once, for one hour:\n{link}\n\nIf this was not you, ignore this e-mail; your password stays as it is.",
                            "Quelqu'un (vous, espérons-le) a demandé à réinitialiser le mot de passe de votre compte PartnerHub. Ce lien fonctionne une fois, pendant une heure :\n{link}\n\nSi ce n'était pas vous, ignorez cet e-mail ; votre mot de passe reste inchangé."),
    ]
}
