"""Built-in notice texts, used until a library writes its own.

The Dutch end-of-contribution (CAE) text is the seed's standard text; the
others follow its tone. They are templates like any library's own, so they
pass the same validation (tests/notices/test_templates.py checks that).
"""

from __future__ import annotations

from dataclasses import dataclass

from lidgeld.notices.models import (
    KIND_AGE_LIMIT,
    KIND_EMAIL_CHANGED,
    KIND_END_OF_CONTRIBUTION,
    KIND_REMINDER,
    KIND_RENEWAL,
    KIND_UNPAID,
)


@dataclass(frozen=True)
class DefaultText:
    subject: str
    body_text: str
    body_html: str = ""


_PAYMENT_NL = (
    "{% if open_amount and iban %}\n\n"
    "Je kan je lidgeld van € {{ open_amount }} ook overschrijven naar {{ iban }} met de gestructureerde mededeling {{ payment_reference }}."
    "\n{% endif %}\n"
)
_PAYMENT_FR = (
    "{% if open_amount and iban %}\n\n"
    "Vous pouvez aussi virer votre cotisation de {{ open_amount }} € au compte {{ iban }} avec la communication structurée {{ payment_reference }}."
    "\n{% endif %}\n"
)
_PAYMENT_EN = (
    "{% if open_amount and iban %}\n\n"
    "You can also transfer your fee of € {{ open_amount }} to {{ iban }} with the structured reference {{ payment_reference }}."
    "\n{% endif %}\n"
)

_SIGNATURE_NL = "\nMet vriendelijke groeten,\n{{ instance_name }}\n"
_SIGNATURE_FR = "\nCordialement,\n{{ instance_name }}\n"
_SIGNATURE_EN = "\nKind regards,\n{{ instance_name }}\n"

DEFAULTS: dict[str, dict[str, DefaultText]] = {
    KIND_END_OF_CONTRIBUTION: {
        "nl": DefaultText(
            "Je lidmaatschap van de bibliotheek loopt binnenkort af",
            "Beste {{ first_name }},\n\n"
            "Binnenkort loopt je lidmaatschap in onze bibliotheek af. Wil je niets van onze "
            "diensten missen? Kom dan vóór het einde van deze maand even langs de balie om je "
            "lidmaatschap te vernieuwen. Zo kan je blijven gebruik maken van ons aanbod en ook "
            "via Mijn Bibliotheek blijven verlengen en reserveren.\n" + _SIGNATURE_NL,
        ),
        "fr": DefaultText(
            "Votre abonnement à la bibliothèque expire bientôt",
            "Bonjour {{ first_name }},\n\n"
            "Votre abonnement à notre bibliothèque expire bientôt. Vous ne voulez rien manquer "
            "de nos services ? Passez au comptoir avant la fin de ce mois pour renouveler votre "
            "abonnement. Vous pourrez ainsi continuer à profiter de notre offre et à prolonger "
            "et réserver via Ma Bibliothèque.\n" + _SIGNATURE_FR,
        ),
        "en": DefaultText(
            "Your library membership ends soon",
            "Dear {{ first_name }},\n\n"
            "Your membership of our library ends soon. Don't want to miss any of our services? "
            "Then drop by the desk before the end of this month to renew your membership. That "
            "way you can keep using everything we offer, and keep renewing and reserving in My "
            "Library.\n" + _SIGNATURE_EN,
        ),
    },
    KIND_REMINDER: {
        "nl": DefaultText(
            "Herinnering: je lidgeld is nog niet betaald",
            "Beste {{ first_name }},\n\n"
            "Je lidgeld van € {{ open_amount }} is nog niet betaald. Tot het betaald is, kan je "
            "niet lenen aan de zelfuitleentoestellen. Je kan betalen aan de balie.\n"
            + _PAYMENT_NL
            + _SIGNATURE_NL,
        ),
        "fr": DefaultText(
            "Rappel : votre cotisation n'est pas encore payée",
            "Bonjour {{ first_name }},\n\n"
            "Votre cotisation de {{ open_amount }} € n'est pas encore payée. D'ici là, vous ne "
            "pouvez pas emprunter aux automates de prêt. Vous pouvez payer au comptoir.\n"
            + _PAYMENT_FR
            + _SIGNATURE_FR,
        ),
        "en": DefaultText(
            "Reminder: your membership fee is not paid yet",
            "Dear {{ first_name }},\n\n"
            "Your membership fee of € {{ open_amount }} is not paid yet. Until it is, you cannot "
            "borrow at the self-checkout kiosks. You can pay at the desk.\n"
            + _PAYMENT_EN
            + _SIGNATURE_EN,
        ),
    },
    KIND_UNPAID: {
        "nl": DefaultText(
            "Je lidgeld is niet betaald",
            "Beste {{ first_name }},\n\n"
            "Je lidgeld van € {{ open_amount }} is nog altijd niet betaald. Tot het betaald is, "
            "kan je in Mijn Bibliotheek niet verlengen of reserveren. Blijft het open, dan wordt "
            "je lidmaatschap ongeldig.\n" + _PAYMENT_NL + _SIGNATURE_NL,
        ),
        "fr": DefaultText(
            "Votre cotisation n'est pas payée",
            "Bonjour {{ first_name }},\n\n"
            "Votre cotisation de {{ open_amount }} € n'est toujours pas payée. D'ici là, vous ne "
            "pouvez ni prolonger ni réserver dans Ma Bibliothèque. Sans paiement, votre abonnement "
            "sera annulé.\n" + _PAYMENT_FR + _SIGNATURE_FR,
        ),
        "en": DefaultText(
            "Your membership fee is unpaid",
            "Dear {{ first_name }},\n\n"
            "Your membership fee of € {{ open_amount }} is still unpaid. Until it is paid you "
            "cannot renew or reserve in My Library. If it stays open, your membership will be "
            "cancelled.\n" + _PAYMENT_EN + _SIGNATURE_EN,
        ),
    },
    KIND_RENEWAL: {
        "nl": DefaultText(
            "Je lidmaatschap is verlengd",
            "Beste {{ first_name }},\n\n"
            "Je lidmaatschap van {{ instance_name }} is verlengd tot {{ membership_end }}.\n"
            + _PAYMENT_NL
            + _SIGNATURE_NL,
        ),
        "fr": DefaultText(
            "Votre abonnement est renouvelé",
            "Bonjour {{ first_name }},\n\n"
            "Votre abonnement à {{ instance_name }} est renouvelé jusqu'au {{ membership_end }}.\n"
            + _PAYMENT_FR
            + _SIGNATURE_FR,
        ),
        "en": DefaultText(
            "Your membership has been renewed",
            "Dear {{ first_name }},\n\n"
            "Your membership of {{ instance_name }} has been renewed until {{ membership_end }}.\n"
            + _PAYMENT_EN
            + _SIGNATURE_EN,
        ),
    },
    KIND_AGE_LIMIT: {
        "nl": DefaultText(
            "Je jeugdlidmaatschap loopt af",
            "Beste {{ first_name }},\n\n"
            "Je jeugdlidmaatschap loopt af op {{ membership_end }}."
            "{% if age_at_next_start %} Vanaf {{ next_period_start }} ben je "
            "{{ age_at_next_start }}, daarom wordt het niet meer vanzelf verlengd.{% endif %}\n\n\n"
            "{% if next_type_name %}\n"
            "Wil je lid blijven? Dan word je lid als {{ next_type_name }}"
            "{% if next_type_fee %} voor € {{ next_type_fee }} per {{ next_type_months }} "
            "maanden{% endif %}. Kom daarvoor vóór het einde van deze maand langs de balie.\n"
            "{% else %}\n"
            "Wil je lid blijven? Kom dan vóór het einde van deze maand langs de balie.\n"
            "{% endif %}\n" + _SIGNATURE_NL,
        ),
        "fr": DefaultText(
            "Votre abonnement jeunesse expire",
            "Bonjour {{ first_name }},\n\n"
            "Votre abonnement jeunesse expire le {{ membership_end }}."
            "{% if age_at_next_start %} À partir du {{ next_period_start }}, vous aurez "
            "{{ age_at_next_start }} ans : il n’est donc plus renouvelé automatiquement."
            "{% endif %}\n\n\n"
            "{% if next_type_name %}\n"
            "Vous voulez rester membre ? Vous devenez alors membre {{ next_type_name }}"
            "{% if next_type_fee %} pour {{ next_type_fee }} € par {{ next_type_months }} "
            "mois{% endif %}. Passez pour cela au comptoir avant la fin de ce mois.\n"
            "{% else %}\n"
            "Vous voulez rester membre ? Passez au comptoir avant la fin de ce mois.\n"
            "{% endif %}\n" + _SIGNATURE_FR,
        ),
        "en": DefaultText(
            "Your youth membership ends",
            "Dear {{ first_name }},\n\n"
            "Your youth membership ends on {{ membership_end }}."
            "{% if age_at_next_start %} From {{ next_period_start }} you are "
            "{{ age_at_next_start }}, so it is no longer renewed automatically.{% endif %}\n\n\n"
            "{% if next_type_name %}\n"
            "Want to stay a member? Then you become a member as {{ next_type_name }}"
            "{% if next_type_fee %} for € {{ next_type_fee }} per {{ next_type_months }} "
            "months{% endif %}. Drop by the desk before the end of this month.\n"
            "{% else %}\n"
            "Want to stay a member? Drop by the desk before the end of this month.\n"
            "{% endif %}\n" + _SIGNATURE_EN,
        ),
    },
    KIND_EMAIL_CHANGED: {
        "nl": DefaultText(
            "Het e-mailadres van je bibliotheekaccount is gewijzigd",
            "Beste {{ first_name }},\n\n"
            "Op {{ notice_date }} werd het e-mailadres van je account bij {{ instance_name }} "
            "{% if changed_in_portal %}via Mijn Bibliotheek{% else %}aan de balie{% endif %} "
            "{% if new_email_masked %}gewijzigd in {{ new_email_masked }}. Berichten van de "
            "bibliotheek gaan voortaan naar dat adres.{% else %}verwijderd.{% endif %}\n\n"
            "Heb je dat niet zelf gevraagd? Neem dan zo snel mogelijk contact op met de "
            "bibliotheek.\n" + _SIGNATURE_NL,
        ),
        "fr": DefaultText(
            "L’adresse e-mail de votre compte à la bibliothèque a été modifiée",
            "Bonjour {{ first_name }},\n\n"
            "Le {{ notice_date }}, l’adresse e-mail de votre compte auprès de "
            "{{ instance_name }} a été "
            "{% if new_email_masked %}remplacée par {{ new_email_masked }}{% else %}supprimée"
            "{% endif %} {% if changed_in_portal %}via Ma Bibliothèque{% else %}au comptoir"
            "{% endif %}.{% if new_email_masked %} Les messages de la bibliothèque seront "
            "désormais envoyés à cette adresse.{% endif %}\n\n"
            "Vous n’avez pas demandé cette modification ? Contactez alors la bibliothèque au "
            "plus vite.\n" + _SIGNATURE_FR,
        ),
        "en": DefaultText(
            "The e-mail address of your library account was changed",
            "Dear {{ first_name }},\n\n"
            "On {{ notice_date }} the e-mail address of your account at {{ instance_name }} was "
            "{% if new_email_masked %}changed to {{ new_email_masked }}{% else %}removed"
            "{% endif %} {% if changed_in_portal %}in My Library{% else %}at the desk{% endif %}."
            "{% if new_email_masked %} From now on the library writes to that address.{% endif %}"
            "\n\n"
            "Did you not ask for this? Then contact the library as soon as you can.\n"
            + _SIGNATURE_EN,
        ),
    },
}
