"""What a kiosk shows (screen messages, AF), in the borrower's language: nl, fr, en.

Kept here rather than in gettext catalogues: a kiosk message is in the language of
the patron at the kiosk (or of the request), not of a page, and is sent as is.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "not_logged_in": {
        "nl": "Dit toestel is niet aangemeld. Verwittig de balie.",
        "fr": "Cet automate n'est pas connecté. Prévenez le comptoir.",
        "en": "This kiosk is not logged in. Please tell the desk.",
    },
    "unknown_card": {
        "nl": "Deze kaart is hier niet gekend. Vraag het aan de balie.",
        "fr": "Cette carte n'est pas connue ici. Adressez-vous au comptoir.",
        "en": "This card is not known here. Please ask at the desk.",
    },
    "wrong_pin": {
        "nl": "De pincode klopt niet. Probeer opnieuw of vraag het aan de balie.",
        "fr": "Le code PIN est incorrect. Réessayez ou adressez-vous au comptoir.",
        "en": "The PIN is not correct. Try again or ask at the desk.",
    },
    "pin_locked": {
        "nl": "Te vaak een foute pincode. Probeer later opnieuw of vraag het aan de balie.",
        "fr": "Trop de codes PIN erronés. Réessayez plus tard ou adressez-vous au comptoir.",
        "en": "Too many wrong PINs. Try again later or ask at the desk.",
    },
    "transaction_reused": {
        "nl": "Deze betaling (transactie {id}) is al geboekt, met een ander bedrag of een "
        "andere kaart. Vraag het aan de balie.",
        "fr": "Ce paiement (transaction {id}) est déjà enregistré, avec un autre montant ou "
        "une autre carte. Adressez-vous au comptoir.",
        "en": "This payment (transaction {id}) was already booked, for another amount or "
        "card. Please ask at the desk.",
    },
    "unreadable": {
        "nl": "Dit bericht bevat tekens die hier niet kunnen. Probeer opnieuw of vraag het "
        "aan de balie.",
        "fr": "Ce message contient des caractères non admis. Réessayez ou adressez-vous au "
        "comptoir.",
        "en": "This message holds characters that are not allowed. Try again or ask at the desk.",
    },
    "unknown_item": {
        "nl": "Dit exemplaar is hier niet gekend. Breng het naar de balie.",
        "fr": "Cet exemplaire n'est pas connu ici. Apportez-le au comptoir.",
        "en": "This item is not known here. Please take it to the desk.",
    },
    "on_loan": {
        "nl": "Dit exemplaar is al uitgeleend. Breng het naar de balie.",
        "fr": "Cet exemplaire est déjà prêté. Apportez-le au comptoir.",
        "en": "This item is already on loan. Please take it to the desk.",
    },
    "reserved": {
        "nl": "Dit exemplaar is gereserveerd door iemand anders en kan niet verlengd worden.",
        "fr": "Cet exemplaire est réservé par quelqu'un d'autre et ne peut être prolongé.",
        "en": "Someone else reserved this item, so it cannot be renewed.",
    },
    "not_your_loan": {
        "nl": "Dit exemplaar staat niet op jouw naam uitgeleend.",
        "fr": "Cet exemplaire n'est pas prêté à votre nom.",
        "en": "This item is not on loan to you.",
    },
    "checked_out": {
        "nl": "Uitgeleend tot {due}.",
        "fr": "Prêté jusqu'au {due}.",
        "en": "On loan until {due}.",
    },
    "renewed": {
        "nl": "Verlengd tot {due}.",
        "fr": "Prolongé jusqu'au {due}.",
        "en": "Renewed until {due}.",
    },
    "checked_in": {
        "nl": "Ingeleverd. Bedankt!",
        "fr": "Retour enregistré. Merci !",
        "en": "Returned. Thank you!",
    },
    "not_on_loan": {
        "nl": "Dit exemplaar was niet uitgeleend.",
        "fr": "Cet exemplaire n'était pas prêté.",
        "en": "This item was not on loan.",
    },
    "put_aside": {
        "nl": "Gereserveerd: leg dit exemplaar apart.",
        "fr": "Réservé : mettez cet exemplaire de côté.",
        "en": "Reserved: put this item aside.",
    },
    "no_currency": {
        "nl": "Betalen kan alleen in euro (EUR).",
        "fr": "Le paiement se fait uniquement en euros (EUR).",
        "en": "Payments are in euro (EUR) only.",
    },
    "bad_amount": {
        "nl": "Het bedrag is niet leesbaar. Vraag het aan de balie.",
        "fr": "Le montant est illisible. Adressez-vous au comptoir.",
        "en": "The amount cannot be read. Please ask at the desk.",
    },
    "nothing_open": {
        "nl": "Er staat geen lidgeld open.",
        "fr": "Aucune cotisation n'est due.",
        "en": "There is no membership fee to pay.",
    },
    "too_much": {
        "nl": "Dat is meer dan wat openstaat (€ {open}).",
        "fr": "C'est plus que le montant dû ({open} €).",
        "en": "That is more than what is open (€ {open}).",
    },
    "paid_all": {
        "nl": "Betaald: € {paid}. Bedankt! Je kan weer lenen.",
        "fr": "Payé : {paid} €. Merci ! Vous pouvez de nouveau emprunter.",
        "en": "Paid: € {paid}. Thank you! You can borrow again.",
    },
    "paid_part": {
        "nl": "Betaald: € {paid}. Nog open: € {open}.",
        "fr": "Payé : {paid} €. Reste dû : {open} €.",
        "en": "Paid: € {paid}. Still open: € {open}.",
    },
    "goodbye": {
        "nl": "Tot ziens!",
        "fr": "Au revoir !",
        "en": "Goodbye!",
    },
    "not_supported": {
        "nl": "Dit kan niet aan dit toestel. Vraag het aan de balie.",
        "fr": "Ce n'est pas possible à cet automate. Adressez-vous au comptoir.",
        "en": "This cannot be done at this kiosk. Please ask at the desk.",
    },
    "no_holds": {
        "nl": "Reserveren kan niet aan dit toestel. Doe het in Mijn Bibliotheek of aan de balie.",
        "fr": "Impossible de réserver à cet automate. Passez par Ma Bibliothèque ou le comptoir.",
        "en": "Reservations cannot be placed at this kiosk. Use My Library or ask at the desk.",
    },
    "error": {
        "nl": "Er ging iets mis. Probeer opnieuw of vraag het aan de balie.",
        "fr": "Une erreur s'est produite. Réessayez ou adressez-vous au comptoir.",
        "en": "Something went wrong. Try again or ask at the desk.",
    },
}


def text(key: str, language: str, **values: str) -> str:
    sentences = TEXTS[key]
    return (sentences.get(language) or sentences["nl"]).format(**values)
