"""One notice as an e-mail: sender, Message-ID, headers, the text and its payment QR."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from django.utils import timezone

from lidgeld.finance.selectors import PaymentInstructions, instructions_for, payment_instructions
from lidgeld.notices.models import ACCOUNT_KINDS, Message
from lidgeld.notices.qr import epc_qr_png

FALLBACK_SENDER = "noreply@localhost"


# --- building the mail ---------------------------------------------------------------------


def sender_of(message: Message) -> tuple[str, str]:
    instance = message.instance
    address = (instance.sender_email or "").strip() or FALLBACK_SENDER
    name = (instance.sender_name or "").strip() or instance.name
    return name, address


def message_id_for(message: Message) -> str:
    """``<lidgeld-{pk}-{hash}@{domain}>``: unique per message and the same on every
    retry (it is stored at the first claim)."""
    _, address = sender_of(message)
    domain = address.rsplit("@", 1)[-1] or "localhost"
    seed = (
        f"{message.pk}|{message.created_at.isoformat() if message.created_at else ''}|"
        f"{message.borrower_id}|{message.type}{message.kind}|{message.date}"
    )
    digest = hashlib.sha256(seed.encode("utf-8")).hexdigest()[:16]
    return f"<lidgeld-{message.pk}-{digest}@{domain}>"


def email_build(message: Message, *, now: datetime) -> EmailMessage:
    """The e-mail for a rendered message."""
    name, address = sender_of(message)
    mail = EmailMessage()
    mail["From"] = Address(display_name=name, addr_spec=address)
    reply_to = (message.instance.reply_to_email or "").strip()
    if reply_to:
        mail["Reply-To"] = Address(addr_spec=reply_to)
    mail["To"] = Address(addr_spec=message.to_address.strip())
    mail["Subject"] = " ".join(message.subject.split())
    mail["Date"] = format_datetime(timezone.localtime(now))
    mail["Message-ID"] = message.message_id or message_id_for(message)
    # RFC 3834: tells auto-responders (holiday replies) not to answer.
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(message.body, charset="utf-8")
    if message.body_html.strip():
        mail.add_alternative(message.body_html, subtype="html", charset="utf-8")
    if qr := _payment_qr(message):
        # Scan to pay: the same EPC code the letter prints, for the item the text names.
        mail.add_attachment(qr, maintype="image", subtype="png", filename="betalen-qr.png")
    # After the content: set_content and add_alternative move Content-* headers.
    mail["Content-Language"] = message.language
    return mail


def _payment_qr(message: Message) -> bytes | None:
    if message.kind in ACCOUNT_KINDS:
        # about the account, not money: a "scan to pay" there would read as phishing
        return None
    posting = message.posting
    instructions: PaymentInstructions | None
    if posting is not None and posting.status == "open":
        instructions = instructions_for(posting)
    else:
        instructions = payment_instructions(borrower_id=message.borrower_id)
    if instructions is None or instructions.epc_qr is None:
        return None
    return epc_qr_png(instructions.epc_qr)
