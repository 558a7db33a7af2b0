"""What a letter carries besides its text: the labels, the window address, the payment box.

The payment box is read when the letter is rendered, so it shows what the
borrower owes at that moment, not when the notice was queued.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lidgeld.borrowers.models import Borrower
from lidgeld.domain.epc_qr import format_iban
from lidgeld.finance.selectors import payment_instructions
from lidgeld.libraries.models import Instance
from lidgeld.notices.models import Message
from lidgeld.notices.qr import epc_qr_png

LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "card": "Kaartnummer",
        "opening_hours": "Openingsuren",
        "continued": "vervolg",
        "payment": "Betaling",
        "amount": "Te betalen",
        "iban": "Rekening (IBAN)",
        "bic": "BIC",
        "beneficiary": "Begunstigde",
        "reference": "Gestructureerde mededeling",
        "scan": "Scan met je bankapp",
    },
    "fr": {
        "card": "Numéro de carte",
        "opening_hours": "Heures d'ouverture",
        "continued": "suite",
        "payment": "Paiement",
        "amount": "Montant à payer",
        "iban": "Compte (IBAN)",
        "bic": "BIC",
        "beneficiary": "Bénéficiaire",
        "reference": "Communication structurée",
        "scan": "Scannez avec votre app bancaire",
    },
    "en": {
        "card": "Card number",
        "opening_hours": "Opening hours",
        "continued": "continued",
        "payment": "Payment",
        "amount": "Amount due",
        "iban": "Account (IBAN)",
        "bic": "BIC",
        "beneficiary": "Beneficiary",
        "reference": "Structured communication",
        "scan": "Scan with your banking app",
    },
}


def labels_for(language: str) -> dict[str, str]:
    return LABELS.get(language, LABELS["nl"])


def borrower_address_lines(borrower: Borrower) -> list[str]:
    """The borrower's postal address as printed in the envelope window."""
    town = " ".join(part for part in (borrower.postal_code.strip(), borrower.city.strip()) if part)
    return [line for line in (borrower.full_name, borrower.street.strip(), town) if line]


@dataclass(frozen=True)
class Payment:
    amount: Decimal
    iban: str
    bic: str
    beneficiary: str
    reference: str
    qr_png: bytes | None


@dataclass
class Letter:
    message: Message
    payment: Payment | None = None

    @property
    def borrower(self) -> Borrower:
        return self.message.borrower

    @property
    def instance(self) -> Instance:
        return self.message.instance

    @property
    def language(self) -> str:
        return self.message.language or self.borrower.language


def payment_of(borrower_id: int) -> Payment | None:
    """The payment box of a borrower with an open contribution, else None."""
    instructions = payment_instructions(borrower_id=borrower_id)
    if instructions is None or instructions.amount <= 0:
        return None
    return Payment(
        amount=instructions.amount,
        iban=format_iban(instructions.iban),
        bic=instructions.bic,
        beneficiary=instructions.beneficiary,
        reference=instructions.reference,
        qr_png=epc_qr_png(instructions.epc_qr) if instructions.epc_qr else None,
    )
