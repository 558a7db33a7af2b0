"""Bank statements (issue 3, item 6): a CAMT.053 statement pays contributions by their
structured communication; what does not fit is listed for a person, never guessed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from string import Template

import pytest
import xmlschema
from lxml import etree

from lidgeld.audit.models import AuditEvent
from lidgeld.borrowers.models import Borrower
from lidgeld.borrowers.selectors import borrower_status
from lidgeld.cli.main import main
from lidgeld.domain.payment_reference import structured_communication
from lidgeld.errors import InvalidInput
from lidgeld.finance.bank import bank_statement_import, find_reference, parse_camt053
from lidgeld.finance.models import BankTransaction, Payment, Posting, PostingStatus
from lidgeld.finance.services import payment_register, posting_write_off
from tests.factories import make_borrower, make_instance, make_membership, make_open_fee, make_type

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATE = FIXTURES / "statement.camt.053.001.02.xml.tmpl"
XSD = FIXTURES / "camt.053.001.02.xsd"
ACCOUNT = "BE68539007547034"
BOOKED = date(2026, 3, 2)  # booked in March: a reminder since 1 April
TODAY = date(2026, 4, 10)


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD))


def digits(number: int) -> str:
    """The structured communication as 12 bare digits, as banks put it in Strd/Ref."""
    return "".join(char for char in structured_communication(number) if char.isdigit())


def slashes(number: int) -> str:
    """``123/4567/89002``: the form between *** or +++."""
    return structured_communication(number).strip("+")


@dataclass
class Network:
    paid: Posting  # A: paid in full by entry 1
    partial: Posting  # B: 5.00 of 12.00 by entry 2
    over: Posting  # C: 20.00 sent for 12.00
    closed: Posting  # D: paid at the desk before the statement came
    batch: Posting  # E: paid inside a batch entry
    written_off: Posting  # F: written off before the money came
    ghost: int  # a number with right check digits and no item

    def borrower(self, posting: Posting) -> Borrower:
        return Borrower.objects.get(pk=posting.borrower_id)


@pytest.fixture
def network() -> Network:
    instance = make_instance(iban=ACCOUNT)
    paying = make_type(instance)

    def open_fee(first_name: str) -> Posting:
        borrower = make_borrower(instance, first_name=first_name)
        membership = make_membership(borrower, paying, start=date(2026, 3, 1))
        return make_open_fee(membership, BOOKED)

    postings = [open_fee(name) for name in ("An", "Bart", "Els", "Frank", "Greet", "Hilde")]
    paid, partial, over, closed, batch, written_off = postings
    payment_register(
        borrower=Borrower.objects.get(pk=closed.borrower_id),
        amount=Decimal("12.00"),
        today=date(2026, 4, 2),
        actor="desk",
    )
    posting_write_off(posting=written_off, today=date(2026, 4, 3), actor="t", reason="verhuisd")
    ghost = max(posting.pk for posting in postings) + 1000
    return Network(paid, partial, over, closed, batch, written_off, ghost)


def statement_for(network: Network, account: str = ACCOUNT) -> bytes:
    text = Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        account=account,
        paid_ref=digits(network.paid.pk),
        partial_comm=structured_communication(network.partial.pk),
        ghost_ref=digits(network.ghost),
        over_ref=structured_communication(network.over.pk),
        closed_ref=digits(network.closed.pk),
        batch_comm=slashes(network.batch.pk),
        written_off_ref=digits(network.written_off.pk),
    )
    return text.encode("utf-8")


def one_entry(
    ref: str,
    *,
    amount: str = "12.00",
    account: str = ACCOUNT,
    bank_ref: str = "ONE-0001",
    namespace: str = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02",
) -> bytes:
    """A minimal camt.053.001.02 statement with one credit transfer (schema valid)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{namespace}">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>ONE</MsgId><CreDtTm>2026-04-09T22:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-ONE</Id>
      <CreDtTm>2026-04-09T22:00:00</CreDtTm>
      <Acct><Id><IBAN>{account}</IBAN></Id></Acct>
      <Bal>
        <Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp>
        <Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-04-09</Dt></Dt>
      </Bal>
      <Ntry>
        <Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2026-04-09</Dt></BookgDt>
        <AcctSvcrRef>{bank_ref}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <RltdPties><Dbtr><Nm>Iris Peeters</Nm></Dbtr></RltdPties>
          <RmtInf><Strd><CdtrRefInf><Ref>{ref}</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()


def written() -> tuple[int, int, int]:
    return Payment.objects.count(), BankTransaction.objects.count(), AuditEvent.objects.count()


def refresh(*postings: Posting) -> None:
    for posting in postings:
        posting.refresh_from_db()


# ------------------------------------------------------------------ the fixture


def test_the_fixture_is_a_valid_camt053_001_02_statement(network, schema):
    """Built to the published ISO 20022 schema: the filled statement validates."""
    data = statement_for(network)
    schema.validate(data.decode("utf-8"))
    schema.validate(one_entry(digits(network.paid.pk)).decode("utf-8"))


def test_the_schema_catches_what_a_bank_would_not_send(network, schema):
    """The validation is not a formality: a statement without its booking code fails."""
    tree = etree.fromstring(statement_for(network))
    namespace = {"c": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"}
    entry = tree.find(".//c:Ntry", namespace)
    assert entry is not None
    bank_code = entry.find("c:BkTxCd", namespace)
    assert bank_code is not None
    entry.remove(bank_code)
    assert not schema.is_valid(etree.tostring(tree).decode("utf-8"))


def test_reading_the_statement(network):
    statement = parse_camt053(statement_for(network))
    assert (statement.version, statement.statement_id, statement.account) == (
        "camt.053.001.02",
        "STMT-2026-04-09",
        ACCOUNT,
    )
    assert len(statement.entries) == 11
    first = statement.transactions[0]
    assert (first.transaction_id, first.amount, first.credit, first.booked_on) == (
        "BANK-0001",
        Decimal("12.00"),
        True,
        date(2026, 4, 9),
    )
    assert (first.debtor_name, first.structured) == ("An Peeters", (digits(network.paid.pk),))
    batch = statement.entries[9].transactions
    assert [tx.transaction_id for tx in batch] == ["BANK-0010/1", "BANK-0010/2"]
    assert [tx.amount for tx in batch] == [Decimal("12.00"), Decimal("12.00")]
    fees = statement.entries[8].transactions[0]
    assert (fees.credit, fees.amount, fees.transaction_id) == (False, Decimal("3.50"), "BANK-0009")
    pending = statement.entries[10].transactions[0]
    assert (pending.booked, pending.transaction_id) == (False, "STMT-2026-04-09/11/1")


# ------------------------------------------------------------------ the import


def test_importing_the_statement_pays_clears_and_lists_the_rest(network):
    borrower = network.borrower(network.paid)
    before = borrower_status(borrower=borrower, today=TODAY).as_dict()
    assert before["contribution"]["stage"] == "reminder"
    assert before["blocks"]["kiosk"]["allowed"] is False

    report = bank_statement_import(data=statement_for(network), today=TODAY, actor="t")

    refresh(network.paid, network.partial, network.over, network.batch, network.written_off)
    assert (network.paid.status, network.paid.balance) == (PostingStatus.PAID, 0)
    assert (network.batch.status, network.batch.balance) == (PostingStatus.PAID, 0)
    assert (network.partial.status, network.partial.balance) == (
        PostingStatus.OPEN,
        Decimal("7.00"),
    )
    assert (network.over.status, network.over.balance) == (PostingStatus.OPEN, Decimal("12.00"))
    assert network.written_off.status == PostingStatus.WRITTEN_OFF
    payment = Payment.objects.get(posting=network.paid)
    assert (payment.channel, payment.paid_on, payment.amount) == (
        "bank",
        TODAY,
        Decimal("12.00"),
    )

    after = borrower_status(borrower=borrower, today=TODAY).as_dict()
    assert after["contribution"] == {"open": "0.00", "stage": None}
    assert after["blocks"]["kiosk"]["allowed"] is True
    assert all(block["allowed"] for block in after["blocks"].values())
    # B paid only part: still open, still blocked at the kiosk.
    partly = borrower_status(borrower=network.borrower(network.partial), today=TODAY).as_dict()
    assert partly["contribution"]["open"] == "7.00"
    assert partly["blocks"]["kiosk"]["allowed"] is False

    assert report.counts == {
        "paid": 2,
        "partial": 1,
        "unmatched": 3,
        "wrong_amount": 1,
        "already_closed": 2,
        "debit": 1,
        "already_imported": 1,
        "not_booked": 1,
    }
    assert report.total_paid == Decimal("29.00")
    lines = {line.transaction_id: line for line in report.for_a_person}
    assert sorted(lines) == [
        "BANK-0003",
        "BANK-0004",
        "BANK-0005",
        "BANK-0006",
        "BANK-0007",
        "BANK-0010/2",
    ]
    assert lines["BANK-0003"].reason == "no remittance information (no reference)"
    assert lines["BANK-0003"].debtor_name == "Chris Maes"
    assert lines["BANK-0004"].reason == "no structured communication in the remittance information"
    assert lines["BANK-0004"].reference == "lidgeld 2026 kaart 1234 Wouters"
    assert lines["BANK-0005"].reason == (
        f"no item has the reference {structured_communication(network.ghost)}"
    )
    assert lines["BANK-0006"].outcome == "wrong_amount"
    assert "€ 20.00 is more than the € 12.00 still open" in lines["BANK-0006"].reason
    assert lines["BANK-0006"].posting_id == network.over.pk
    assert lines["BANK-0007"].outcome == "already_closed"
    assert "already paid on 02/04/2026" in lines["BANK-0007"].reason
    assert "written off on 03/04/2026" in lines["BANK-0010/2"].reason
    for line in report.for_a_person:
        assert (line.booked_on, line.amount) == (date(2026, 4, 9), line.amount)
        assert line.reason

    recorded = dict(BankTransaction.objects.values_list("transaction_id", "outcome"))
    assert recorded == {
        "BANK-0001": "paid",
        "BANK-0002": "partial",
        "BANK-0003": "unmatched",
        "BANK-0004": "unmatched",
        "BANK-0005": "unmatched",
        "BANK-0006": "wrong_amount",
        "BANK-0007": "already_closed",
        "BANK-0009": "debit",
        "BANK-0010/1": "paid",
        "BANK-0010/2": "already_closed",
    }
    assert AuditEvent.objects.filter(action="bank.statement_imported").count() == 1
    assert AuditEvent.objects.filter(action="posting.paid", object_id=network.paid.pk).exists()


def test_the_same_transfer_twice_in_a_file_pays_once(network):
    bank_statement_import(data=statement_for(network), today=TODAY, actor="t")
    assert Payment.objects.filter(posting=network.paid).count() == 1


def test_importing_the_same_file_twice_changes_nothing(network):
    data = statement_for(network)
    bank_statement_import(data=data, today=TODAY, actor="t")
    balances = dict(Posting.objects.values_list("pk", "balance"))
    counts = written()

    again = bank_statement_import(data=data, today=date(2026, 4, 11), actor="t")

    assert written() == counts
    assert dict(Posting.objects.values_list("pk", "balance")) == balances
    assert again.counts["already_imported"] == 11  # the ten recorded and the repeat in the file
    assert again.counts["not_booked"] == 1
    assert again.total_paid == 0
    assert again.for_a_person == []


def test_a_later_statement_that_repeats_a_transfer_skips_it(network):
    bank_statement_import(
        data=one_entry(digits(network.partial.pk), amount="5.00"), today=TODAY, actor="t"
    )
    counts = written()
    report = bank_statement_import(
        data=one_entry(structured_communication(network.partial.pk), amount="5.00"),
        today=TODAY,
        actor="t",
    )
    assert report.counts["already_imported"] == 1
    assert written() == counts


def test_the_rest_of_a_partial_payment_settles_the_contribution(network):
    bank_statement_import(data=statement_for(network), today=TODAY, actor="t")
    report = bank_statement_import(
        data=one_entry(digits(network.partial.pk), amount="7.00", bank_ref="LATER-0001"),
        today=date(2026, 4, 14),
        actor="t",
    )
    network.partial.refresh_from_db()
    assert report.counts["paid"] == 1
    assert (network.partial.status, network.partial.closed_on) == (
        PostingStatus.PAID,
        date(2026, 4, 14),
    )


def test_a_reference_to_another_kind_of_item_is_not_a_contribution(network):
    fine = Posting.objects.create(
        borrower_id=network.paid.borrower_id,
        instance_id=network.paid.instance_id,
        booking_code=5000,
        amount=Decimal("12.00"),
        balance=Decimal("12.00"),
        booked_on=BOOKED,
    )
    report = bank_statement_import(data=one_entry(digits(fine.pk)), today=TODAY, actor="t")
    fine.refresh_from_db()
    assert fine.status == PostingStatus.OPEN
    assert report.counts["unmatched"] == 1
    assert "not a contribution" in report.for_a_person[0].reason
    assert not Payment.objects.filter(posting=fine).exists()


def test_money_on_another_account_than_the_library_s_is_for_a_person(network):
    report = bank_statement_import(
        data=one_entry(digits(network.paid.pk), account="BE71096123456769"), today=TODAY, actor="t"
    )
    network.paid.refresh_from_db()
    assert network.paid.status == PostingStatus.OPEN
    assert report.counts["unmatched"] == 1
    assert "came in on BE71 0961 2345 6769" in report.for_a_person[0].reason


def test_a_bad_check_digit_is_not_guessed(network):
    number = digits(network.paid.pk)
    wrong = number[:10] + f"{(int(number[10:]) % 97) + 1:02d}"
    report = bank_statement_import(data=one_entry(wrong), today=TODAY, actor="t")
    assert report.counts["unmatched"] == 1
    assert "not a valid structured communication" in report.for_a_person[0].reason
    assert not Payment.objects.filter(posting=network.paid).exists()


# --------------------------------------------------------- the reference in the text


def _tx(structured: tuple[str, ...] = (), unstructured: tuple[str, ...] = ()):
    statement = parse_camt053(one_entry("x"))
    from dataclasses import replace

    return replace(statement.transactions[0], structured=structured, unstructured=unstructured)


@pytest.mark.parametrize(
    "text",
    [
        "+++090/9337/55493+++",
        "***090/9337/55493***",
        "+++ 090 / 9337 / 55493 +++",
        "090/9337/55493",
        "090933755493",
        "lidgeld An Peeters +++090/9337/55493+++ dank u",
    ],
)
def test_a_structured_communication_is_found_in_free_text(text):
    found = find_reference(_tx(unstructured=(text,)))
    assert found.number == 909337554


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("rekening BE68539007547034", "no structured communication"),
        ("+++090/9337/55494+++", "not a valid structured communication"),
        ("090/9337/55493 en 000/0000/10104", "several structured communications"),
        ("1090933755493", "no structured communication"),
    ],
)
def test_free_text_that_is_not_one_reference_is_not_guessed(text, problem):
    found = find_reference(_tx(unstructured=(text,)))
    assert found.number is None
    assert problem in found.problem


def test_the_structured_reference_comes_before_the_free_text():
    found = find_reference(_tx(structured=("090933755493",), unstructured=("000/0000/10104",)))
    assert found.number == 909337554


# -------------------------------------------------------------- malformed files


def _without_amount(data: bytes) -> bytes:
    tree = etree.fromstring(data)
    namespace = {"c": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"}
    sixth = tree.findall(".//c:Ntry", namespace)[5]
    amount = sixth.find("c:Amt", namespace)
    assert amount is not None
    sixth.remove(amount)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Document [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>&lol9;</MsgId></GrpHdr></BkToCstmrStmt></Document>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<Stmt><Id>&secret;</Id></Stmt></BkToCstmrStmt></Document>
"""


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda data: b"%PDF-1.7 not a statement", "not well-formed XML"),
        (lambda data: data[: len(data) // 2], "not well-formed XML"),
        (lambda data: b"", "it is empty"),
        (
            lambda data: data.replace(b"camt.053.001.02", b"camt.054.001.02"),
            "this is a camt.054 message, not a camt.053 statement",
        ),
        (
            lambda data: data.replace(b"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02", b"urn:x"),
            "the namespace is 'urn:x'",
        ),
        (lambda data: _without_amount(data), "entry 6 (line"),
        (lambda data: data.replace(b">20.00<", b">20,00<"), "amount '20,00' is not a decimal"),
        (lambda data: data.replace(b">20.00<", b">-20.00<"), "is negative"),
        (lambda data: data.replace(b">20.00<", b">20.001<"), "fractions of a euro cent"),
        (
            lambda data: data.replace(b'Ccy="EUR">20.00', b'Ccy="USD">20.00'),
            "is in USD; only euro (EUR) statements",
        ),
        (lambda data: data.replace(b"<Id>STMT-2026-04-09</Id>", b""), "Stmt/Id) is missing"),
        (lambda data: data.replace(b"<CdtDbtInd>DBIT</CdtDbtInd>", b""), "CdtDbtInd"),
        (lambda data: BILLION_LAUGHS, "declares a DTD or entities"),
        (lambda data: EXTERNAL_ENTITY, "declares a DTD or entities"),
    ],
    ids=[
        "not-xml",
        "truncated",
        "empty",
        "camt054",
        "wrong-namespace",
        "missing-amount",
        "comma-amount",
        "negative-amount",
        "sub-cent-amount",
        "dollars",
        "missing-statement-id",
        "missing-direction",
        "billion-laughs",
        "external-entity",
    ],
)
def test_a_malformed_file_is_refused_as_a_whole(network, spoil, message):
    counts = written()
    with pytest.raises(InvalidInput) as refused:
        bank_statement_import(data=spoil(statement_for(network)), today=TODAY, actor="t")
    assert "nothing was imported" in refused.value.message
    assert message in refused.value.message
    assert written() == counts
    network.paid.refresh_from_db()
    assert network.paid.status == PostingStatus.OPEN


def test_a_missing_amount_says_which_entry_and_element(network):
    with pytest.raises(
        InvalidInput, match=r"entry 6 \(line \d+\) of statement STMT-2026-04-09: Amt"
    ):
        parse_camt053(_without_amount(statement_for(network)))


def test_an_external_entity_is_never_read(network):
    with pytest.raises(InvalidInput) as refused:
        parse_camt053(EXTERNAL_ENTITY)
    assert "root:" not in refused.value.message


# ------------------------------------------------------------------ newer versions


def test_a_newer_camt053_version_is_read(network):
    """camt.053.001.08: amounts on TxDtls, Sts as a code, the debtor under Pty."""
    data = f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>V8</MsgId><CreDtTm>2026-04-09T22:00:00+02:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-V8</Id>
      <Acct><Id><IBAN>{ACCOUNT}</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Ntry>
        <Amt Ccy="EUR">12.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><DtTm>2026-04-09T10:11:12+02:00</DtTm></BookgDt>
        <BkTxCd/>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>E2E-V8-1</EndToEndId></Refs>
          <Amt Ccy="EUR">12.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
          <RltdPties><Dbtr><Pty><Nm>An Peeters</Nm></Pty></Dbtr></RltdPties>
          <RmtInf><Strd><CdtrRefInf><Ref>{structured_communication(network.paid.pk)}</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()
    statement = parse_camt053(data)
    tx = statement.transactions[0]
    assert (statement.version, tx.transaction_id, tx.debtor_name, tx.booked_on) == (
        "camt.053.001.08",
        "E2E-V8-1",
        "An Peeters",
        date(2026, 4, 9),
    )
    report = bank_statement_import(data=data, today=TODAY, actor="t")
    network.paid.refresh_from_db()
    assert report.counts["paid"] == 1
    assert network.paid.status == PostingStatus.PAID


# --------------------------------------------------------------------------- CLI


def test_lidgeld_bank_import_prints_the_report(network, tmp_path, capsys):
    path = tmp_path / "afschrift.xml"
    path.write_bytes(statement_for(network))

    code = main(["bank", "import", str(path), "--json"])
    out, err = capsys.readouterr()

    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["statement"] == "STMT-2026-04-09"
    assert report["counts"]["paid"] == 2
    assert report["total_paid"] == "29.00"
    assert {line["transaction_id"] for line in report["for_a_person"]} == {
        "BANK-0003",
        "BANK-0004",
        "BANK-0005",
        "BANK-0006",
        "BANK-0007",
        "BANK-0010/2",
    }
    first = report["for_a_person"][0]
    assert set(first) >= {"transaction_id", "date", "amount", "reference", "debtor_name", "reason"}
    network.paid.refresh_from_db()
    assert network.paid.status == PostingStatus.PAID

    code = main(["bank", "import", str(path), "--on", "2026-04-11"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "already imported" in out
    assert "registered: € 0.00" in out
    assert "nothing for a person" in out


def test_lidgeld_bank_import_text_lists_the_lines_for_a_person(network, tmp_path, capsys):
    path = tmp_path / "afschrift.xml"
    path.write_bytes(statement_for(network))
    assert main(["bank", "import", str(path), "--on", "2026-04-10"]) == 0
    out, _ = capsys.readouterr()
    assert "statement STMT-2026-04-09 of BE68 5390 0754 7034: 12 transactions" in out
    assert "registered: € 29.00" in out
    assert "for a person (6):" in out
    assert "Chris Maes" in out
    assert "€ 20.00 is more than the € 12.00 still open" in out


def test_lidgeld_bank_import_of_a_missing_file_names_it(tmp_path, capsys):
    missing = tmp_path / "geen.xml"
    assert main(["bank", "import", str(missing)]) == 2
    _, err = capsys.readouterr()
    assert f"there is no file '{missing}'" in err


def test_lidgeld_bank_import_of_a_malformed_file_is_a_usage_error(tmp_path, capsys):
    path = tmp_path / "kapot.xml"
    path.write_bytes(b"<Document>")
    assert main(["bank", "import", str(path)]) == 2
    _, err = capsys.readouterr()
    assert "nothing was imported" in err
