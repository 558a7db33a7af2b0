"""The one e-mail the portal sends itself: a link to choose a new PIN.

It is not a notice in the outbox: the link is a secret that should not rest in the
database, and it is only good for an hour, so retrying it for days makes no sense.
It leaves through the same transport as the notices (``LIDGELD_SMTP_URL``, else the
local mail folder), from the library's own address, in a thread of its own: the
visitor's answer then takes as long whether the card exists or not.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lidgeld.borrowers.models import Borrower
from lidgeld.errors import InvalidInput
from lidgeld.notices.emails import FALLBACK_SENDER
from lidgeld.notices.transports import DeliveryError, transport_from_settings

logger = logging.getLogger("lidgeld.portal.mail")


def pin_reset_mail(
    *, borrower: Borrower, link: str, valid_minutes: int, now: datetime
) -> EmailMessage:
    """The mail in the borrower's language, from their library."""
    instance = borrower.home_instance
    sender = (instance.sender_email or "").strip() or FALLBACK_SENDER
    library = (instance.sender_name or "").strip() or instance.name
    with translation.override(borrower.language):
        subject = _("Choose a new PIN for My Library")
        body = "\n\n".join(
            [
                _("Dear %(name)s,") % {"name": borrower.first_name},
                _(
                    "Someone (hopefully you) asked to choose a new PIN for library card "
                    "%(card)s. Open this link to choose it:"
                )
                % {"card": borrower.card_number},
                link,
                _(
                    "The link works once, for %(minutes)d minutes. If you did not ask for "
                    "it, you need not do anything: your PIN stays the same."
                )
                % {"minutes": valid_minutes},
                _("Kind regards,") + "\n" + library,
            ]
        )
    mail = EmailMessage()
    mail["From"] = Address(display_name=library, addr_spec=sender)
    mail["To"] = Address(addr_spec=borrower.email.strip())
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.localtime(now))
    mail["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] or "localhost")
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no holiday replies
    mail.set_content(body + "\n", charset="utf-8")
    mail["Content-Language"] = borrower.language
    return mail


def _deliver(mail: EmailMessage, sender: str, recipient: str, card: str) -> None:
    try:
        transport = transport_from_settings()
        connection = transport.open()
    except InvalidInput as error:
        logger.error("PIN reset mail for card %s not sent: %s", card, error.message)
        return
    try:
        connection.send(mail, sender=sender, recipient=recipient)
    except DeliveryError as error:
        logger.warning("PIN reset mail for card %s not sent: %s", card, error.answer)
    finally:
        connection.close()


def pin_reset_mail_send(
    *, borrower: Borrower, link: str, valid_minutes: int, now: datetime
) -> threading.Thread:
    mail = pin_reset_mail(borrower=borrower, link=link, valid_minutes=valid_minutes, now=now)
    sender = (borrower.home_instance.sender_email or "").strip() or FALLBACK_SENDER
    thread = threading.Thread(
        target=_deliver,
        args=(mail, sender, borrower.email.strip(), borrower.card_number),
        name="pin-reset-mail",
        daemon=True,
    )
    thread.start()
    return thread
