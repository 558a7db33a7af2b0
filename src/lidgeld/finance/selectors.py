"""What a borrower needs to pay an open contribution by bank transfer (issue 3, item 5)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from lidgeld.domain.amounts import CENT
from lidgeld.domain.epc_qr import MAX_NAME, bic_is_valid, epc_payload, iban_is_valid
from lidgeld.domain.payment_reference import structured_communication
from lidgeld.finance.models import Posting


@dataclass(frozen=True)
class PaymentInstructions:
    """Pay ``amount`` to ``iban`` with ``reference``: one open contribution, the oldest.

    ``epc_qr`` is the EPC QR payload (see :mod:`lidgeld.domain.epc_qr`), None when the
    library has no valid IBAN: then the borrower pays at the desk."""

    posting_id: int
    reference: str
    amount: Decimal
    iban: str
    bic: str
    beneficiary: str
    epc_qr: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "amount": f"{self.amount:.2f}",
            "iban": self.iban,
            "bic": self.bic,
            "beneficiary": self.beneficiary,
            "epc_qr": self.epc_qr,
        }


def instructions_for(posting: Posting) -> PaymentInstructions:
    """The instructions for one open item, to the account of the instance that booked it."""
    instance = posting.instance
    reference = structured_communication(posting.pk)
    beneficiary = (instance.sender_name or instance.name).strip()
    iban = "".join(instance.iban.split()).upper()
    bic = "".join(instance.bic.split()).upper()
    payload: str | None = None
    if iban_is_valid(iban):
        try:
            payload = epc_payload(
                # Banks compare the name with the account holder; the QR code holds 70
                # characters, and the start of the name is what they match best.
                name=beneficiary[:MAX_NAME].strip(),
                iban=iban,
                amount=posting.balance,
                reference=reference,
                # Optional in version 002: a BIC with a typing error is left out rather
                # than costing the borrower the code.
                bic=bic if bic_is_valid(bic) else "",
            )
        except ValueError:
            # A name the code cannot hold (a line break in it): the borrower still gets
            # the IBAN and the reference as text, only the code is left out.
            payload = None
    return PaymentInstructions(
        posting_id=posting.pk,
        reference=reference,
        amount=posting.balance,
        iban=iban,
        bic=bic,
        beneficiary=beneficiary,
        epc_qr=payload,
    )


def payment_instructions(*, borrower_id: int) -> PaymentInstructions | None:
    """How to pay the borrower's oldest open contribution; None when nothing is open."""
    posting = open_contributions(borrower_id).select_related("instance").first()
    return instructions_for(posting) if posting is not None else None


def open_contributions(borrower_id: int) -> QuerySet[Posting]:
    return (
        Posting.objects.open_contributions()
        .filter(borrower_id=borrower_id)
        .order_by("booked_on", "id")
    )


def open_amount(borrower_id: int) -> Decimal:
    """The sum of the borrower's open contributions, in cents."""
    total = open_contributions(borrower_id).aggregate(total=Sum("balance"))["total"]
    return (total or Decimal("0.00")).quantize(CENT)  # SQLite sums to Decimal("24")
