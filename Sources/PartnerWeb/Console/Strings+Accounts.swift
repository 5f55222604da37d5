/// Texts of R-O5's refusals and of two-factor sign-in (R-O4). (de, en, fr)
extension Strings {
    static let accounts: [String: (String, String, String)] = [
        // R-O5: one message per refusal reason of `Policy.decide`.
        "policy.refused.role": ("Ihre Rolle in dieser Organisation erlaubt das nicht.", "Your role in this organisation does not allow this.",
                                "Votre rôle dans cette organisation ne le permet pas."),
        "policy.refused.staff_role": ("Nur Programm-Administratoren dürfen das.", "Only program admins may do this.",
                                      "Seuls les administrateurs du programme peuvent le faire."),
        "policy.refused.partner_side_only": ("Administratoren tun das nur auf der Partnerseite; hier entscheidet der gesetzliche Vertreter.",
                                             "Admins do this on the partner side only; here the legal representative decides.",
                                             "Les administrateurs ne le font que du côté partenaire ; ici, le représentant légal décide."),
        "policy.refused.client_only": ("Das tut nur der Kunde selbst, nicht sein Partner.", "Only the client itself does this, not its partner.",
                                       "Seul le client lui-même peut le faire, pas son partenaire."),
        "policy.refused.access_level": ("Die Zugriffsstufe dieser Partnerschaft erlaubt das nicht.", "This partnership's access level does not allow this.",
                                        "Le niveau d'accès de ce partenariat ne le permet pas."),
        "policy.refused.not_permitted_to_spend": ("Sie dürfen nicht mit dem Geld Ihres Partnerunternehmens bestellen; ein gesetzlicher Vertreter kann es Ihnen erlauben.",
                                                  "You may not order on your partner organisation's money; a legal representative can allow it.",
                                                  "Vous ne pouvez pas commander avec l'argent de votre organisation partenaire ; un représentant légal peut vous y autoriser."),
        "policy.refused.not_a_partner": ("Das steht nur zugelassenen Partnern offen.", "This is open to approved partners only.",
                                         "Ceci est réservé aux partenaires agréés."),
        "vip.requires_premium": ("Ein VIP-Code setzt ein bezahltes Premium Support voraus.", "A VIP code requires a paid Premium Support subscription.",
                                 "Un code VIP nécessite un abonnement Premium Support payé."),
        "policy.refused.not_signed_in": ("Bitte melden Sie sich an.", "Please sign in.", "Veuillez vous connecter."),
        "policy.refused.no_standing": ("Nicht gefunden.", "Not found.", "Introuvable."),
        "policy.refused.wrong_audience": ("Nicht gefunden.", "Not found.", "Introuvable."),
    ]
}
