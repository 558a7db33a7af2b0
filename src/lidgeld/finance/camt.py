"""Reading an ISO 20022 CAMT.053 bank statement (issue 3, item 6), all-or-nothing.

A file that is not a CAMT.053 statement, or one with an entry the rules below cannot
read, is refused as a whole with what is wrong and where, before anything is written.
Any ``camt.053.001.NN`` version is read, one per file: an element of another namespace
(an entry of another version) is refused, not skipped; only the elements named here
are used. Plain values out: matching and importing are in ``bank_matching`` and
``bank``.

This module reads the statement's content — statements, entries, transactions, their
amounts, dates and references, and the id each transaction is recorded under; the file
itself (well-formed XML, no DTD, one CAMT.053 namespace) is checked by
:mod:`lidgeld.finance.camt_xml` first."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _
from lxml import etree

from lidgeld.finance.camt_xml import Phrase, Reader, at_line, line_of, read_document, refuse, said
from lidgeld.finance.statement import AccountStatement, Entry, Statement, Transaction

CURRENCY = "EUR"
MAX_ID = 35  # Max35Text: Stmt/Id, AcctSvcrRef, EndToEndId in every version
# The largest amount a BankTransaction holds (max_digits=18), as the schema's 18 digits.
MAX_RECORDED = Decimal("9999999999999999.99")
_DECIMAL = re.compile(r"\+?(?:\d+(?:\.\d*)?|\.\d+)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CENT = Decimal("0.01")
_NOT_PROVIDED = "NOTPROVIDED"


def _identifier(reader: Reader, element: etree._Element, path: str, where: Phrase) -> str:
    value = reader.text(element, path)
    if len(value) > MAX_ID:
        raise refuse(
            where,
            said(
                _("%(path)s '%(value)s…' is longer than %(most)s characters"),
                path=path,
                value=value[:40],
                most=MAX_ID,
            ),
        )
    return value


def _amount(
    reader: Reader, element: etree._Element, path: str, where: Phrase
) -> tuple[Decimal, str]:
    found = reader.find(element, path)
    if found is None:
        raise refuse(where, said(_("%(path)s (the amount) is missing"), path=path))
    text = (found.text or "").strip()
    there = said(_("%(where)s, line %(line)s"), where=where, line=line_of(found))
    if not _DECIMAL.fullmatch(text):
        if text.startswith("-"):
            raise refuse(
                there,
                said(
                    _("amount '%(amount)s' is negative; CAMT gives the direction in CdtDbtInd"),
                    amount=text,
                ),
            )
        raise refuse(there, said(_("amount '%(amount)s' is not a decimal number"), amount=text))
    digits = text.lstrip("+")
    if digits.partition(".")[2].rstrip("0")[2:]:  # on the text: any length stays exact
        raise refuse(
            there, said(_("amount '%(amount)s' has fractions of a euro cent"), amount=shown(text))
        )
    try:
        amount = Decimal(digits)  # exact: the constructor does not round
    except InvalidOperation:  # pragma: no cover - the pattern only lets decimals through
        raise refuse(there, said(_("amount '%(amount)s' is not a number"), amount=text)) from None
    currency = (found.get("Ccy") or "").strip()
    if not currency:
        raise refuse(there, said(_("amount '%(amount)s' has no currency (Ccy)"), amount=text))
    if currency != CURRENCY:
        raise refuse(
            there,
            said(
                _(
                    "amount %(amount)s is in %(currency)s; only euro (%(euro)s) statements "
                    "can be imported"
                ),
                amount=text,
                currency=currency,
                euro=CURRENCY,
            ),
        )
    # An amount beyond what can be recorded stays as it is: the import lists it for a
    # person (quantize would fail past 28 digits).
    return (amount if amount > MAX_RECORDED else amount.quantize(_CENT)), currency


def shown(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:24]}… ({len(text)} characters)"


def _direction(reader: Reader, element: etree._Element, where: Phrase) -> bool:
    indicator = reader.text(element, "CdtDbtInd")
    if not indicator:
        raise refuse(where, _("CdtDbtInd (credit or debit) is missing"))
    if indicator not in ("CRDT", "DBIT"):
        raise refuse(
            where,
            said(
                _("CdtDbtInd (credit or debit) is '%(indicator)s', not CRDT or DBIT"),
                indicator=indicator,
            ),
        )
    return indicator == "CRDT"


def _date(reader: Reader, element: etree._Element, where: Phrase) -> date:
    for path in ("BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm"):
        text = reader.text(element, path)
        if not text:
            continue
        try:
            if not _ISO_DATE.match(text):
                raise ValueError(text)
            return date.fromisoformat(text[:10])
        except ValueError:
            raise refuse(
                where,
                said(_("%(path)s '%(text)s' is not a date (YYYY-MM-DD)"), path=path, text=text),
            ) from None
    raise refuse(where, _("the booking date (BookgDt) is missing"))


def _is_true(text: str) -> bool:
    return text.strip().lower() in ("true", "1")


def _transaction(
    reader: Reader,
    tx: etree._Element | None,
    *,
    entry: dict[str, Any],
    tx_index: int,
    tx_count: int,
    where: Phrase,
) -> Transaction:
    """One transaction detail; ``tx`` None for an entry without details."""
    amount, currency = entry["amount"], entry["currency"]
    credit = entry["credit"]
    structured: tuple[str, ...] = ()
    unstructured: tuple[str, ...] = ()
    debtor = servicer_ref = end_to_end = ""
    line = entry["line"]
    if tx is None:
        info = reader.text(entry["element"], "AddtlNtryInf")
        unstructured = (info,) if info else ()
    else:
        line = line_of(tx)
        if reader.find(tx, "Amt") is not None:
            amount, currency = _amount(reader, tx, "Amt", where)
        elif reader.find(tx, "AmtDtls/TxAmt/Amt") is not None:
            amount, currency = _amount(reader, tx, "AmtDtls/TxAmt/Amt", where)
        elif tx_count > 1:
            raise refuse(where, _("the transaction has no amount (Amt or AmtDtls/TxAmt/Amt)"))
        if reader.text(tx, "CdtDbtInd"):
            credit = _direction(reader, tx, where)
        structured = tuple(
            ref
            for strd in reader.findall(tx, "RmtInf/Strd")
            if (ref := reader.text(strd, "CdtrRefInf/Ref"))
        )
        unstructured = tuple(
            " ".join((element.text or "").split())
            for element in reader.findall(tx, "RmtInf/Ustrd")
            if (element.text or "").strip()
        )
        debtor = reader.first_text(
            tx,
            "RltdPties/Dbtr/Nm",
            "RltdPties/Dbtr/Pty/Nm",
            "RltdPties/UltmtDbtr/Nm",
            "RltdPties/UltmtDbtr/Pty/Nm",
        )
        servicer_ref = _identifier(reader, tx, "Refs/AcctSvcrRef", where)
        end_to_end = _identifier(reader, tx, "Refs/EndToEndId", where)
    if end_to_end.upper() == _NOT_PROVIDED:
        end_to_end = ""
    entry_ref = entry["servicer_ref"]
    if servicer_ref:
        transaction_id = servicer_ref
    elif entry_ref:
        transaction_id = entry_ref if tx_count <= 1 else f"{entry_ref}/{tx_index}"
    elif end_to_end:
        # The payer chooses the EndToEndId, so two payers may choose the same one:
        # the day and the amount keep their transfers apart.
        transaction_id = f"{end_to_end}@{entry['booked_on']:%Y-%m-%d}/{amount}"
    else:
        transaction_id = f"{entry['statement_id']}/{entry['index']}/{tx_index}"
    return Transaction(
        transaction_id=transaction_id,
        statement_id=entry["statement_id"],
        account=entry["account"],
        entry_index=entry["index"],
        tx_index=tx_index,
        line=line,
        booked_on=entry["booked_on"],
        amount=amount,
        currency=currency,
        credit=credit,
        reversal=entry["reversal"],
        booked=entry["booked"],
        entry_reference=entry["reference"],
        account_servicer_reference=servicer_ref or entry_ref,
        end_to_end_id=end_to_end,
        structured=structured,
        unstructured=unstructured,
        debtor_name=debtor[:140],
    )


def _entry(
    reader: Reader, element: etree._Element, *, index: int, statement_id: str, account: str
) -> Entry:
    where = said(
        _("entry %(entry)s (line %(line)s) of statement %(statement)s"),
        entry=index,
        line=line_of(element),
        statement=statement_id,
    )
    amount, currency = _amount(reader, element, "Amt", where)
    credit = _direction(reader, element, where)
    booked_on = _date(reader, element, where)
    status = reader.first_text(element, "Sts/Cd", "Sts")
    servicer_ref = _identifier(reader, element, "AcctSvcrRef", where)
    details = reader.findall(element, "NtryDtls/TxDtls")
    context: dict[str, Any] = {
        "element": element,
        "index": index,
        "line": line_of(element),
        "statement_id": statement_id,
        "account": account,
        "amount": amount,
        "currency": currency,
        "credit": credit,
        "reversal": _is_true(reader.text(element, "RvslInd")),
        # Sts is required by the schema; a bank that leaves it out books what it sends.
        "booked": status in ("", "BOOK"),
        "booked_on": booked_on,
        "reference": reader.text(element, "NtryRef"),
        "servicer_ref": servicer_ref,
    }
    if details:
        transactions = tuple(
            _transaction(
                reader,
                tx,
                entry=context,
                tx_index=tx_index,
                tx_count=len(details),
                where=said(
                    _("transaction %(transaction)s (line %(line)s) of %(where)s"),
                    transaction=tx_index,
                    line=line_of(tx),
                    where=where,
                ),
            )
            for tx_index, tx in enumerate(details, start=1)
        )
    else:
        transactions = (
            _transaction(reader, None, entry=context, tx_index=1, tx_count=1, where=where),
        )
    ids = [tx.transaction_id for tx in transactions]
    if len(set(ids)) < len(ids):
        # The transfers of one entry are different transfers, even when the bank gives
        # them one reference: number them (a repeated entry stays a repeat).
        transactions = tuple(
            replace(tx, transaction_id=f"{tx.transaction_id}/{tx.tx_index}")
            if ids.count(tx.transaction_id) > 1
            else tx
            for tx in transactions
        )
    return Entry(
        index=index,
        line=line_of(element),
        amount=amount,
        currency=currency,
        credit=credit,
        reversal=context["reversal"],
        booked=context["booked"],
        booked_on=booked_on,
        entry_reference=context["reference"],
        account_servicer_reference=servicer_ref,
        transactions=transactions,
    )


def _account_statement(reader: Reader, element: etree._Element, index: int) -> AccountStatement:
    statement = _("statement %(statement)s (line %(line)s)")
    where = said(statement, statement=index, line=line_of(element))
    statement_id = _identifier(reader, element, "Id", where)
    if not statement_id:
        raise refuse(where, _("the statement id (Stmt/Id) is missing"))
    where = said(statement, statement=statement_id, line=line_of(element))
    account_element = reader.find(element, "Acct")
    if account_element is None:
        raise refuse(where, _("the account (Acct) is missing"))
    account = "".join(reader.first_text(account_element, "Id/IBAN", "Id/Othr/Id").split()).upper()
    if not account:
        raise refuse(where, _("the account has no IBAN (Acct/Id/IBAN)"))
    account_currency = reader.text(account_element, "Ccy")
    if account_currency and account_currency != CURRENCY:
        raise refuse(
            where,
            said(
                _(
                    "the account is in %(currency)s; only euro (%(euro)s) statements can be imported"
                ),
                currency=account_currency,
                euro=CURRENCY,
            ),
        )
    entries = tuple(
        _entry(reader, entry, index=entry_index, statement_id=statement_id, account=account)
        for entry_index, entry in enumerate(reader.findall(element, "Ntry"), start=1)
    )
    return AccountStatement(statement_id=statement_id, account=account, entries=entries)


def parse_camt053(data: bytes) -> Statement:
    """Read a CAMT.053 statement (any ``camt.053.001.NN``). InvalidInput, naming what is
    wrong and where, for anything that is not one: not XML, a DTD, another message,
    a missing statement id, account, amount, direction or booking date, an amount that
    is not a decimal, another currency than the euro."""
    root, namespace, version = read_document(data)
    reader = Reader(namespace)
    report = reader.find(root, "BkToCstmrStmt")
    if report is None:
        raise refuse(at_line(root), _("<BkToCstmrStmt> (bank-to-customer statement) is missing"))
    statements = reader.findall(report, "Stmt")
    if not statements:
        raise refuse(at_line(report), _("the file holds no statement (<Stmt>)"))
    parsed = tuple(
        _account_statement(reader, element, index)
        for index, element in enumerate(statements, start=1)
    )
    return Statement(
        version=version,
        message_id=reader.text(report, "GrpHdr/MsgId"),
        statements=parsed,
    )
