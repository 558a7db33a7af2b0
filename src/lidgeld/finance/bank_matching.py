"""Which open contribution a bank transfer pays: the structured communication found in
its remittance information, and the outcome that follows from the item it names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lidgeld.domain.dunning import is_contribution
from lidgeld.domain.epc_qr import format_iban
from lidgeld.domain.payment_reference import (
    parse_structured_communication,
    structured_communication,
)
from lidgeld.finance.models import (
    BankOutcome,
    Posting,
    PostingStatus,
)
from lidgeld.finance.statement import Transaction

# A structured communication written in free text: 123/4567/89012 (spaces around the
# slashes allowed) or twelve digits in a row, not part of a longer number. The +++ or
# *** around it do not matter. Only a candidate with right check digits counts.
_IN_TEXT = re.compile(r"(?<![\d/])(?:\d{3}\s*/\s*\d{4}\s*/\s*\d{5}|\d{12})(?![\d/])")

# ------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class _Found:
    number: int | None
    problem: str


def find_reference(tx: Transaction) -> _Found:
    """The reference number in the structured communication of a transaction: the
    structured creditor reference first, else one in the free text. Several different
    ones in the free text is ambiguous: nothing is guessed."""
    wrong: list[str] = []
    for ref in tx.structured:
        try:
            return _Found(parse_structured_communication(ref), "")
        except ValueError:
            wrong.append(ref)
    numbers: list[int] = []
    for text in tx.unstructured:
        for match in _IN_TEXT.finditer(text):
            try:
                number = parse_structured_communication(match.group(0))
            except ValueError:
                wrong.append(match.group(0))
                continue
            if number not in numbers:
                numbers.append(number)
    if len(numbers) == 1:
        return _Found(numbers[0], "")
    if len(numbers) > 1:
        shown = ", ".join(structured_communication(number) for number in numbers)
        return _Found(None, f"several structured communications in the text ({shown})")
    if wrong:
        return _Found(
            None,
            f"'{wrong[0]}' is not a valid structured communication (wrong check digits "
            "or not 12 digits)",
        )
    if tx.structured or tx.unstructured:
        return _Found(None, "no structured communication in the remittance information")
    return _Found(None, "no remittance information (no reference)")


def card_of(posting: Posting) -> str:
    return posting.borrower.card_number


def transfer_outcome(tx: Transaction) -> tuple[str, str, Posting | None]:
    """The outcome for a booked credit, and the locked posting it pays (if any)."""
    found = find_reference(tx)
    if found.number is None:
        return BankOutcome.UNMATCHED.value, found.problem, None
    reference = structured_communication(found.number)
    posting = (
        Posting.objects.select_for_update(of=("self",))
        .select_related("borrower", "instance")
        .filter(pk=found.number)
        .first()
    )
    if posting is None:
        return BankOutcome.UNMATCHED.value, f"no item has the reference {reference}", None
    if not is_contribution(posting.booking_code):
        return (
            BankOutcome.UNMATCHED.value,
            f"{reference} is item {posting.pk} of {card_of(posting)} with booking code "
            f"{posting.booking_code}, not a contribution",
            posting,
        )
    payee = "".join(posting.instance.iban.split()).upper()
    if payee and tx.account and payee != tx.account:
        return (
            BankOutcome.UNMATCHED.value,
            f"{reference} is a contribution of {posting.instance.code}, payable to "
            f"{format_iban(payee)}, but the money came in on {format_iban(tx.account)}",
            posting,
        )
    if posting.status == PostingStatus.PAID:
        return (
            BankOutcome.ALREADY_CLOSED.value,
            f"the contribution {reference} of {card_of(posting)} was already paid "
            f"on {posting.closed_on:%d/%m/%Y}; a refund or another use is a person's call",
            posting,
        )
    if posting.status == PostingStatus.WRITTEN_OFF:
        return (
            BankOutcome.ALREADY_CLOSED.value,
            f"the contribution {reference} of {card_of(posting)} was written off "
            f"on {posting.closed_on:%d/%m/%Y}",
            posting,
        )
    if tx.amount <= 0:
        return BankOutcome.WRONG_AMOUNT.value, "a transfer of € 0.00 pays nothing", posting
    if tx.amount > posting.balance:
        return (
            BankOutcome.WRONG_AMOUNT.value,
            f"€ {tx.amount} is more than the € {posting.balance} still open on the "
            f"contribution {reference} of {card_of(posting)}; nothing registered",
            posting,
        )
    outcome = BankOutcome.PAID if tx.amount == posting.balance else BankOutcome.PARTIAL
    return outcome.value, "", posting
