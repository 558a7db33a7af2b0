"""Default notice texts. The Dutch CAE body is the seed's standard text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NoticeText:
    subject: str
    greeting: str  # followed by the borrower's first name and a comma
    body: str
    closing: str  # followed by the instance name


END_OF_CONTRIBUTION: dict[str, NoticeText] = {
    "nl": NoticeText(
        subject="Je lidmaatschap van de bibliotheek loopt binnenkort af",
        greeting="Beste",
        body=(
            "Binnenkort loopt je lidmaatschap in onze bibliotheek af. Wil je niets van onze "
            "diensten missen? Kom dan vóór het einde van deze maand even langs de balie om je "
            "lidmaatschap te vernieuwen. Zo kan je blijven gebruik maken van ons aanbod en ook "
            "via Mijn Bibliotheek blijven verlengen en reserveren."
        ),
        closing="Met vriendelijke groeten,",
    ),
    "fr": NoticeText(
        subject="Votre abonnement à la bibliothèque expire bientôt",
        greeting="Bonjour",
        body=(
            "Votre abonnement à notre bibliothèque expire bientôt. Vous ne voulez rien manquer "
            "de nos services ? Passez au comptoir avant la fin de ce mois pour renouveler votre "
            "abonnement. Vous pourrez ainsi continuer à profiter de notre offre et à prolonger "
            "et réserver via Ma Bibliothèque."
        ),
        closing="Cordialement,",
    ),
    "en": NoticeText(
        subject="Your library membership ends soon",
        greeting="Dear",
        body=(
            "Your membership of our library ends soon. Don't want to miss any of our services? "
            "Then drop by the desk before the end of this month to renew your membership. That "
            "way you can keep using everything we offer, and keep renewing and reserving in My "
            "Library."
        ),
        closing="Kind regards,",
    ),
}


def late_reason(days_late: int, max_delay: int) -> str:
    return (
        f"Niet verstuurd: {days_late} dagen te laat (maximum {max_delay}); "
        f"not sent: {days_late} days late (at most {max_delay})"
    )
