"""A bank statement as plain values: what ``camt.parse_camt053`` reads out of a CAMT.053
file and the import works on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Transaction:
    """One transaction detail (``Ntry/NtryDtls/TxDtls``) with what it needs of its entry.

    An entry without details is read as one transaction of the entry's amount."""

    transaction_id: str
    statement_id: str
    account: str
    entry_index: int
    tx_index: int
    line: int
    booked_on: date
    amount: Decimal
    currency: str
    credit: bool
    reversal: bool
    booked: bool
    entry_reference: str
    account_servicer_reference: str
    end_to_end_id: str
    structured: tuple[str, ...]
    unstructured: tuple[str, ...]
    debtor_name: str

    @property
    def reference_text(self) -> str:
        """The remittance information as the bank passed it on (structured first)."""
        return " ".join(part for part in (*self.structured, *self.unstructured) if part)


@dataclass(frozen=True)
class Entry:
    """One booking on the account (``Ntry``)."""

    index: int
    line: int
    amount: Decimal
    currency: str
    credit: bool
    reversal: bool
    booked: bool
    booked_on: date
    entry_reference: str
    account_servicer_reference: str
    transactions: tuple[Transaction, ...]


@dataclass(frozen=True)
class AccountStatement:
    """One ``Stmt``: the bookings of one account."""

    statement_id: str
    account: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Statement:
    """A CAMT.053 document. Usually one account statement; a bank may bundle several,
    then ``statement_id`` and ``account`` are those of the first and each transaction
    carries its own."""

    version: str
    message_id: str
    statements: tuple[AccountStatement, ...]

    @property
    def statement_id(self) -> str:
        return self.statements[0].statement_id

    @property
    def account(self) -> str:
        return self.statements[0].account

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(entry for stmt in self.statements for entry in stmt.entries)

    @property
    def transactions(self) -> tuple[Transaction, ...]:
        return tuple(tx for entry in self.entries for tx in entry.transactions)
