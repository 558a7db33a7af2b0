"""Building SIP2 answers: dates as the protocol writes them, one message from fields,
and the one denial every request type has."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from lidgeld.domain.blocks import Reason
from lidgeld.errors import LidgeldError
from lidgeld.sip2.codec import Message, clean
from lidgeld.sip2.session import Edge, Session
from lidgeld.sip2.texts import TEXTS, text

# Which messages this ACS answers, in the order of the BX field of the SIP2 spec:
# 23, 11, 09, 01, 99, 97, 93, 63, 35, 37, 17, 19, 25, 15, 29, 65.
log = logging.getLogger("lidgeld.sip2")

SUPPORTED = "YYYNYYYYYYYNNNYY"

# SIP2 language codes (fixed field of 23/24/63/64) for the borrower's language.
SIP_LANGUAGE = {"en": "001", "fr": "002", "nl": "005"}
LANGUAGE_OF_SIP = {"001": "en", "002": "fr", "005": "nl", "024": "en", "026": "nl"}


def short_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def message_of(
    code: str, request: Message, fixed: dict[str, str], fields: Sequence[tuple[str, str | None]]
) -> Message:
    return Message(
        code=code,
        fixed=fixed,
        fields=tuple((key, clean(value)[:255]) for key, value in fields if value is not None),
        sequence=request.sequence,
    )


def institution_of(session: Session | None, request: Message) -> str:
    return request.get("AO") or (session.instance_code if session else "")


def request_language(request: Message) -> str:
    return LANGUAGE_OF_SIP.get(request.fixed.get("language", ""), "nl")


# -- the one denial for every message, used for errors and refusals before a patron is known


def negative(session: Session | None, request: Message, edge: Edge, screen: str) -> Message | None:
    """A well-formed 'no' to ``request``, with ``screen`` as the screen message."""
    ao = institution_of(session, request)
    aa = request.get("AA") or ""
    ab = request.get("AB") or ""
    date_field = {"transaction_date": edge.stamp}
    language = request.fixed.get("language", "000")
    denied = "YYYY" + " " * 10
    code = request.code
    if code == "23":
        fixed = {"patron_status": denied, "language": language, **date_field}
        return message_of(
            "24", request, fixed, [("AO", ao), ("AA", aa), ("AE", ""), ("BL", "N"), ("AF", screen)]
        )
    if code == "63":
        fixed = {"patron_status": denied, "language": language, **date_field}
        for name in ("hold", "overdue", "charged", "fine", "recall"):
            fixed[f"{name}_items_count"] = "0000"
        fixed["unavailable_holds_count"] = "0000"
        return message_of(
            "64", request, fixed, [("AO", ao), ("AA", aa), ("AE", ""), ("BL", "N"), ("AF", screen)]
        )
    if code in ("11", "29"):
        fixed = {
            "ok": "0",
            "renewal_ok": "N",
            "magnetic_media": "U",
            "desensitize": "N",
            **date_field,
        }
        fields = [("AO", ao), ("AA", aa), ("AB", ab), ("AJ", ""), ("AH", ""), ("AF", screen)]
        return message_of("12" if code == "11" else "30", request, fixed, fields)
    if code == "09":
        fixed = {"ok": "0", "resensitize": "N", "magnetic_media": "U", "alert": "N", **date_field}
        return message_of(
            "10", request, fixed, [("AO", ao), ("AB", ab), ("AQ", ""), ("AF", screen)]
        )
    if code == "65":
        fixed = {"ok": "0", "renewed_count": "0000", "unrenewed_count": "0000", **date_field}
        return message_of("66", request, fixed, [("AO", ao), ("AF", screen)])
    if code == "17":
        fixed = {
            "circulation_status": "01",
            "security_marker": "00",
            "fee_type": "01",
            **date_field,
        }
        return message_of("18", request, fixed, [("AB", ab), ("AJ", ""), ("AF", screen)])
    if code == "37":
        fixed = {"payment_accepted": "N", **date_field}
        return message_of("38", request, fixed, [("AO", ao), ("AA", aa), ("AF", screen)])
    if code == "35":
        fixed = {"end_session": "N", **date_field}
        return message_of("36", request, fixed, [("AO", ao), ("AA", aa), ("AF", screen)])
    # The messages we do not support: their own response, refusing.
    if code in ("01", "25"):
        # A block (01) is answered by a patron status, a patron enable (25) by its own;
        # BL is left out: the card is not said to be invalid, only the action refused.
        fixed = {"patron_status": denied, "language": language, **date_field}
        fields = [("AO", ao), ("AA", aa), ("AE", ""), ("AF", screen)]
        return message_of("24" if code == "01" else "26", request, fixed, fields)
    if code == "15":
        fixed = {"ok": "0", "available": "N", **date_field}
        fields = [("AO", ao), ("AA", aa), ("AB", request.get("AB") or ""), ("AF", screen)]
        return message_of("16", request, fixed, fields)
    if code == "19":
        fixed = {"item_properties_ok": "0", **date_field}
        return message_of("20", request, fixed, [("AB", ab), ("AF", screen)])
    return None


def refused_text(error: LidgeldError, language: str) -> str:
    if error.code in TEXTS:
        return text(error.code, language)
    if error.code in {reason.value for reason in Reason}:
        return error.message  # the block's sentence, already in the borrower's language
    log.info("sip2 refusal shown as is: %s", error.code)
    return error.localized(language)
