"""The EPC QR code ("scan to pay"): the payload of a SEPA credit transfer as EPC069-12 defines it.

A payload is up to twelve lines joined by ``"\\n"`` and at most 331 bytes (what a version 13
QR code holds at error correction level M, the level EPC069-12 prescribes)::

     1  BCD                    service tag
     2  002                    version (the BIC may be left out within the EEA)
     3  1                      character set: 1 = UTF-8
     4  SCT                    SEPA credit transfer
     5  GKCCBEBB               BIC of the beneficiary's bank, or empty
     6  Bibliotheek Gent       beneficiary name, at most 70 characters
     7  BE68539007547034       IBAN, without spaces
     8  EUR12.50               amount, 0.01 to 999999999.99, a dot, at most two decimals
     9                         purpose code: left empty
    10  123456789002           remittance information, structured (the creditor reference)
    11                         remittance information, unstructured: empty, see below
    12  Lidgeld 2026           beneficiary to originator information (only shown to the payer)

Lines after the last filled one are left out, as EPC069-12 asks.

**Where the Belgian structured communication goes.** In the structured remittance line
(10), as its 12 digits without ``+++`` and slashes (``+++123/4567/89002+++`` becomes
``123456789002``); the unstructured line (11) stays empty, because EPC069-12 allows only
one of the two. EPC069-12 describes line 10 as the creditor reference, "ISO 11649 RF
Creditor Reference *may* be used", so it is not reserved for RF references, and a Belgian
structured communication is exactly such a creditor reference:

* Febelfin's SEPA credit transfer rules carry the Belgian structured communication in
  ``RmtInf/Strd/CdtrRefInf`` (code ``SCOR``, issuer ``BBA``), the ISO 20022 element that
  EPC QR line 10 fills in a banking app (https://wiki.xmldation.com/Support/Febelfin/Strd).
* Odoo (a Belgian publisher) writes a valid Belgian structured communication, stripped to
  its 12 digits, to line 10 and leaves line 11 empty (odoo/odoo,
  ``addons/account_qr_code_sepa/models/res_bank.py`` with ``odoo/tools/structured_reference.py``).
* Belgian invoicing projects moved it from line 11 to line 10 because banking apps showed
  it as a free message instead of a structured communication: letspeppol/letspeppol issue
  #274 (fixed in PR #286) and Dolibarr/dolibarr PR #38880.

So a payment made by scanning arrives with the structured communication that
``lidgeld bank import`` matches on, not with a free-text message a person has to read.
An ISO 11649 ``RF`` reference is accepted in the same line. Pure: no Django, stdlib only.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from lidgeld.domain.payment_reference import check_digits, parse_structured_communication
from lidgeld.domain.sentences import RuleRefusal, gettext_noop

MAX_PAYLOAD_BYTES = 331
MAX_NAME = 70
MAX_INFORMATION = 70
MIN_AMOUNT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999.99")

# IBAN lengths of the countries a Flemish library's account is likely to be in; any other
# country gets the general ISO 13616 checks (15 to 34 characters, mod-97).
IBAN_LENGTHS = {"BE": 16, "NL": 18, "LU": 20, "DE": 22, "FR": 27}

_IBAN_SHAPE = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}")
_BIC_SHAPE = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")
_RF_SHAPE = re.compile(r"RF\d{2}[A-Z0-9]{1,21}")
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _compact(text: str) -> str:
    return _SPACES.sub("", text).upper()


def _mod97(text: str) -> int:
    """ISO 7064 MOD 97-10 of letters and digits, letters counted as A=10 … Z=35."""
    return int("".join(str(int(char, 36)) for char in text)) % 97


def iban_problem(iban: str) -> str | None:
    """Why ``iban`` is not a valid IBAN, or None when it is. Spaces are allowed."""
    refusal = iban_refusal(iban)
    return None if refusal is None else str(refusal)


def iban_refusal(iban: str) -> RuleRefusal | None:
    """:func:`iban_problem` as a refusal an adapter can show in the reader's language."""
    compact = _compact(iban)

    def refused(template: str, **params: object) -> RuleRefusal:
        return RuleRefusal(template, code="iban_invalid", params={"iban": iban, **params})

    if not compact:
        return RuleRefusal(gettext_noop("no IBAN given"), code="iban_missing")
    if not _IBAN_SHAPE.fullmatch(compact):
        return refused(
            gettext_noop(
                "'%(iban)s' is not an IBAN: two letters of a country, two check digits "
                "and 11 to 30 letters or digits"
            )
        )
    expected = IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return refused(
            gettext_noop(
                "'%(iban)s' is not an IBAN: one from %(country)s has %(expected)s "
                "characters, not %(length)s"
            ),
            country=compact[:2],
            expected=expected,
            length=len(compact),
        )
    if _mod97(compact[4:] + compact[:4]) != 1:
        return refused(
            gettext_noop("'%(iban)s' is not an IBAN: its check digits are wrong (a typing error?)")
        )
    if compact[:2] == "BE":
        # The Belgian account number inside carries its own check: the first ten
        # digits modulo 97 (0 written as 97).
        if not compact[4:].isdigit():
            return refused(
                gettext_noop("'%(iban)s' is not a Belgian IBAN: after BE come 14 digits")
            )
        number, check = int(compact[4:14]), int(compact[14:])
        if (number % 97 or 97) != check:
            return refused(
                gettext_noop("'%(iban)s' is not a Belgian IBAN: its account number check is wrong")
            )
    return None


def iban_is_valid(iban: str) -> bool:
    """ISO 13616 (mod-97), the length of the country where known, and the Belgian account
    number check for ``BE``. Spaces and lower case are accepted."""
    return iban_problem(iban) is None


def format_iban(iban: str) -> str:
    """The IBAN in groups of four as printed on paper: ``BE68 5390 0754 7034``.
    Formats only; check with :func:`iban_is_valid`."""
    compact = _compact(iban)
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def bic_is_valid(bic: str) -> bool:
    """ISO 9362 shape: 4 letters of the bank, 2 of the country, 2 of the location and an
    optional 3 of the branch."""
    return bool(_BIC_SHAPE.fullmatch(_compact(bic)))


def creditor_reference(reference: str) -> str:
    """The reference as line 10 carries it: a Belgian structured communication in any of
    the forms banks print (``+++123/4567/89002+++``, ``***…***``, bare digits) becomes its
    12 digits; an ISO 11649 ``RF`` reference loses its spaces. ValueError for anything else."""
    compact = _compact(reference)
    if compact.startswith("RF"):
        if not _RF_SHAPE.fullmatch(compact) or _mod97(compact[4:] + compact[:4]) != 1:
            raise ValueError(f"'{reference}' is not a valid ISO 11649 creditor reference")
        return compact
    try:
        number = parse_structured_communication(reference)
    except ValueError as error:
        raise ValueError(
            f"the reference must be a Belgian structured communication: {error}"
        ) from None
    # The 12 digits of the structured communication: reference number and check digits.
    return f"{number:010d}{check_digits(number):02d}"


def format_amount(amount: Decimal | int) -> str:
    """``EUR12.50``; ValueError outside 0.01 … 999999999.99 or with more than two decimals."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise ValueError(f"the amount must be a Decimal in euros, not {amount!r}")
    value = Decimal(amount)
    if not value.is_finite():
        raise ValueError(f"the amount must be a number of euros, not {amount!r}")
    try:
        cents = value.quantize(MIN_AMOUNT)
    except InvalidOperation:  # too many digits to hold in cents
        raise ValueError(f"the amount must be from € {MIN_AMOUNT} to € {MAX_AMOUNT}") from None
    if cents != value:
        raise ValueError(f"the amount € {amount} has more than two decimals")
    if not MIN_AMOUNT <= cents <= MAX_AMOUNT:
        raise ValueError(
            f"the amount must be from € {MIN_AMOUNT} to € {MAX_AMOUNT}, not € {amount}"
        )
    return f"EUR{cents:.2f}"


def _one_line(label: str, value: str, limit: int, *, required: bool) -> str:
    value = value.strip()
    if _CONTROL.search(value):
        raise ValueError(f"the {label} must be one line without control characters")
    if required and not value:
        raise ValueError(f"the {label} is required")
    if len(value) > limit:
        raise ValueError(f"the {label} has {len(value)} characters, at most {limit} fit: '{value}'")
    return value


def epc_payload(
    *, name: str, iban: str, amount: Decimal, reference: str, bic: str = "", text: str = ""
) -> str:
    """The EPC069-12 version 002 payload for paying ``amount`` to ``iban`` with ``reference``.

    ``reference`` is a Belgian structured communication (or an RF creditor reference) and
    goes in the structured remittance line (see the module docstring for why). ``text`` is
    the optional "beneficiary to originator information" (line 12), a note the banking app
    shows to the payer but does not send with the transfer. ValueError with the reason for
    a bad name, IBAN, BIC, amount, reference or a payload over 331 bytes.
    """
    beneficiary = _one_line("beneficiary name", name, MAX_NAME, required=True)
    problem = iban_problem(iban)
    if problem:
        raise ValueError(problem)
    if bic.strip() and not bic_is_valid(bic):
        raise ValueError(f"'{bic}' is not a BIC: 8 or 11 letters and digits like GKCCBEBB")
    information = _one_line("information for the payer", text, MAX_INFORMATION, required=False)
    lines = [
        "BCD",
        "002",
        "1",
        "SCT",
        _compact(bic),
        beneficiary,
        _compact(iban),
        format_amount(amount),
        "",  # purpose
        creditor_reference(reference),
        "",  # unstructured remittance: not allowed next to a structured one
        information,
    ]
    while lines[-1] == "":
        lines.pop()
    payload = "\n".join(lines)
    size = len(payload.encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise ValueError(
            f"the EPC QR payload is {size} bytes, at most {MAX_PAYLOAD_BYTES} fit; "
            "shorten the name or the information"
        )
    return payload
