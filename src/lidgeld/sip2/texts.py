"""What a kiosk shows (screen messages, AF), in the borrower's language: nl, fr, en.

The sentences are gettext msgids (English), translated in the shared catalogue
(src/lidgeld/locale). A kiosk message is in the language of the patron at the kiosk,
not of a page: each lookup overrides the active language with the patron's.
"""

from __future__ import annotations

from django.utils.translation import gettext, override
from django.utils.translation import gettext_noop as _

# A language the catalogues do not have gets Dutch, the network's first language.
LANGUAGES = ("nl", "fr", "en")

TEXTS: dict[str, str] = {
    "not_logged_in": _("This kiosk is not logged in. Please tell the desk."),
    "unknown_card": _("This card is not known here. Please ask at the desk."),
    "wrong_pin": _("The PIN is not correct. Try again or ask at the desk."),
    "pin_locked": _("Too many wrong PINs. Try again later or ask at the desk."),
    "transaction_reused": _(
        "This payment (transaction %(id)s) was already booked, for another amount or card. Please ask at the desk."
    ),
    "unreadable": _(
        "This message holds characters that are not allowed. Try again or ask at the desk."
    ),
    "unknown_item": _("This item is not known here. Please take it to the desk."),
    "on_loan": _("This item is already on loan. Please take it to the desk."),
    "reserved": _("Someone else reserved this item, so it cannot be renewed."),
    "not_your_loan": _("This item is not on loan to you."),
    "checked_out": _("On loan until %(due)s."),
    "renewed": _("Renewed until %(due)s."),
    "checked_in": _("Returned. Thank you!"),
    "not_on_loan": _("This item was not on loan."),
    "put_aside": _("Reserved: put this item aside."),
    "no_currency": _("Payments are in euro (EUR) only."),
    "bad_amount": _("The amount cannot be read. Please ask at the desk."),
    "nothing_open": _("There is no membership fee to pay."),
    "too_much": _("That is more than what is open (€ %(open)s)."),
    "paid_all": _("Paid: € %(paid)s. Thank you! You can borrow again."),
    "paid_part": _("Paid: € %(paid)s. Still open: € %(open)s."),
    "goodbye": _("Goodbye!"),
    "not_supported": _("This cannot be done at this kiosk. Please ask at the desk."),
    "no_holds": _(
        "Reservations cannot be placed at this kiosk. Use My Library or ask at the desk."
    ),
    "error": _("Something went wrong. Try again or ask at the desk."),
}


def text(key: str, language: str, **values: str) -> str:
    with override(language if language in LANGUAGES else "nl"):
        return gettext(TEXTS[key]) % values
