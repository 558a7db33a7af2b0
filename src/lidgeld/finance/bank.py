"""Bank statements (issue 3, item 6): read an ISO 20022 CAMT.053 statement and register
the transfers that carry the structured communication of an open contribution.

Reading (:func:`parse_camt053`) is all-or-nothing: a file that is not a CAMT.053
statement, or one with an entry the rules below cannot read, is refused as a whole with
what is wrong and where, before anything is written. Any ``camt.053.001.NN`` version is
read, one per file: an element of another namespace (an entry of another version) is
refused, not skipped; only the elements named here are used.

Importing (:func:`bank_statement_import`) never guesses. A credit is registered only
when its structured communication names an open contribution and the amount is at most
what is still open on it (less is a partial payment). Everything else — no or an
unknown reference, too much money, an item already paid or written off, a reversal — is
recorded and listed *for a person* with the reason. Each transaction is recorded once
under its bank id (:class:`~lidgeld.finance.models.BankTransaction`), so importing the
same file again, or a later file that repeats a transaction, changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from lidgeld.audit.services import audit_record
from lidgeld.errors import Refused
from lidgeld.finance.bank_matching import transfer_outcome
from lidgeld.finance.camt import MAX_RECORDED, parse_camt053, shown
from lidgeld.finance.models import (
    BankOutcome,
    BankTransaction,
)
from lidgeld.finance.services import payment_register_for_posting
from lidgeld.finance.statement import Transaction

# -------------------------------------------------------------------------- report


COUNTED = (
    BankOutcome.PAID.value,
    BankOutcome.PARTIAL.value,
    BankOutcome.UNMATCHED.value,
    BankOutcome.WRONG_AMOUNT.value,
    BankOutcome.ALREADY_CLOSED.value,
    BankOutcome.DEBIT.value,
    "already_imported",
    "not_booked",
    "id_conflict",
    "too_large",
)
ID_CONFLICT = "id_conflict"
TOO_LARGE = "too_large"
FOR_A_PERSON = (
    BankOutcome.UNMATCHED.value,
    BankOutcome.WRONG_AMOUNT.value,
    BankOutcome.ALREADY_CLOSED.value,
    ID_CONFLICT,
    TOO_LARGE,
)


@dataclass(frozen=True)
class ReportLine:
    """A transaction a person has to look at, and why."""

    transaction_id: str
    booked_on: date
    amount: Decimal
    reference: str
    debtor_name: str
    outcome: str
    reason: str
    posting_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "transaction_id": self.transaction_id,
            "date": self.booked_on.isoformat(),
            "amount": f"{self.amount:.2f}",
            "reference": self.reference,
            "debtor_name": self.debtor_name,
            "outcome": self.outcome,
            "reason": self.reason,
            "posting_id": self.posting_id,
        }


@dataclass
class ImportReport:
    """What one import did: counts per outcome, the total registered, and the lines
    left for a person. ``already_imported`` counts transactions recorded before (an
    earlier import, or the same transaction twice in the file); ``not_booked`` counts
    pending or information-only entries, which are left for a later statement;
    ``id_conflict`` counts a bank id recorded before with another amount, and
    ``too_large`` an amount beyond what a bank transaction holds (both for a person,
    not recorded)."""

    statement_id: str
    account: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTED, 0))
    total_paid: Decimal = Decimal("0.00")
    for_a_person: list[ReportLine] = field(default_factory=list)

    @property
    def transactions(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "statement": self.statement_id,
            "account": self.account,
            "transactions": self.transactions,
            "counts": dict(self.counts),
            "total_paid": f"{self.total_paid:.2f}",
            "for_a_person": [line.as_dict() for line in self.for_a_person],
        }


# -------------------------------------------------------------------------- import


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _recorded(transaction_ids: Iterable[str]) -> dict[str, Decimal]:
    """The transactions recorded before, with their amounts."""
    wanted = sorted(set(transaction_ids))
    found: dict[str, Decimal] = {}
    for chunk in _chunks(wanted):
        found.update(
            BankTransaction.objects.filter(transaction_id__in=chunk).values_list(
                "transaction_id", "amount"
            )
        )
    return found


def _import_one(
    tx: Transaction,
    report: ImportReport,
    *,
    today: date,
    now: datetime,
    actor: str,
    seen: dict[str, Decimal],
) -> None:
    if not tx.booked:
        report.counts["not_booked"] += 1
        return
    if tx.amount > MAX_RECORDED:
        # Not a payment of a contribution and more than the table holds: listed, not
        # recorded (so a later import lists it again until a person has dealt with it).
        report.counts[TOO_LARGE] += 1
        report.for_a_person.append(
            ReportLine(
                transaction_id=tx.transaction_id[:100],
                booked_on=tx.booked_on,
                amount=tx.amount,
                reference=tx.reference_text,
                debtor_name=tx.debtor_name,
                outcome=TOO_LARGE,
                reason=(
                    f"€ {shown(f'{tx.amount:.2f}')} is more than a bank transaction lidgeld "
                    f"records (at most € {MAX_RECORDED}): nothing registered; check this line "
                    "with the bank"
                ),
            )
        )
        return
    if tx.transaction_id in seen:
        if seen[tx.transaction_id] == tx.amount:
            report.counts["already_imported"] += 1
            return
        # The same bank id with another amount is not the same transfer: nothing is
        # written (the id is taken), a person looks at it.
        report.counts[ID_CONFLICT] += 1
        report.for_a_person.append(
            ReportLine(
                transaction_id=tx.transaction_id,
                booked_on=tx.booked_on,
                amount=tx.amount,
                reference=tx.reference_text,
                debtor_name=tx.debtor_name,
                outcome=ID_CONFLICT,
                reason=(
                    f"the bank id {tx.transaction_id} was imported before with "
                    f"€ {seen[tx.transaction_id]}, not € {tx.amount}: nothing registered"
                ),
            )
        )
        return
    if tx.reversal:
        outcome, reason, posting = (
            BankOutcome.UNMATCHED.value,
            "a reversal (RvslInd) of an earlier booking, not a payment",
            None,
        )
    elif tx.credit:
        outcome, reason, posting = transfer_outcome(tx)
    else:
        outcome, reason, posting = BankOutcome.DEBIT.value, "", None
    if outcome in (BankOutcome.PAID.value, BankOutcome.PARTIAL.value):
        assert posting is not None
        payment_register_for_posting(
            posting=posting,
            amount=tx.amount,
            today=today,
            now=now,
            actor=actor,
            channel="bank",
            reference=f"{tx.statement_id} {tx.transaction_id}",
        )
        report.total_paid += tx.amount
    BankTransaction.objects.create(
        transaction_id=tx.transaction_id,
        statement_id=tx.statement_id,
        account=tx.account[:34],
        booked_on=tx.booked_on,
        amount=tx.amount,
        reference=tx.reference_text[:500],
        debtor_name=tx.debtor_name[:140],
        outcome=outcome,
        reason=reason[:300],
        posting=posting,
        imported_at=now,
    )
    seen[tx.transaction_id] = tx.amount
    report.counts[outcome] += 1
    if outcome in FOR_A_PERSON:
        report.for_a_person.append(
            ReportLine(
                transaction_id=tx.transaction_id,
                booked_on=tx.booked_on,
                amount=tx.amount,
                reference=tx.reference_text,
                debtor_name=tx.debtor_name,
                outcome=outcome,
                reason=reason,
                posting_id=posting.pk if posting is not None else None,
            )
        )


def bank_statement_import(*, data: bytes, today: date, now: datetime, actor: str) -> ImportReport:
    """Read a CAMT.053 statement and register its payments, in one transaction.

    A malformed file is refused as a whole (InvalidInput) before anything is written.
    Paying registers through the desk's payment path, channel ``bank``, so the stage
    and the blocks clear as they do at the desk."""
    statement = parse_camt053(data)
    transactions = statement.transactions
    report = ImportReport(statement_id=statement.statement_id, account=statement.account)
    try:
        with transaction.atomic():
            seen = _recorded(tx.transaction_id for tx in transactions)
            for tx in transactions:
                _import_one(tx, report, today=today, now=now, actor=actor, seen=seen)
            recorded = sum(report.counts[outcome] for outcome in BankOutcome.values)
            if recorded:  # a file imported before changes nothing, not even the audit trail
                audit_record(
                    actor=actor,
                    action="bank.statement_imported",
                    obj=None,
                    today=today,
                    now=now,
                    after={
                        "statement": statement.statement_id,
                        "account": statement.account,
                        "counts": dict(report.counts),
                        "total_paid": str(report.total_paid),
                    },
                )
    except IntegrityError:
        # Another import of the same transactions committed first (two imports at once).
        if _recorded(tx.transaction_id for tx in transactions):
            raise Refused(
                _(
                    "statement %(statement)s was being imported at the same time; nothing "
                    "was written by this import: import the file again to see what is left"
                ),
                code="statement_busy",
                params={"statement": statement.statement_id},
            ) from None
        raise
    return report
