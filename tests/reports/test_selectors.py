"""R8: the three reports, read the way the seed's staff read them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lidgeld.clock import at_nine
from lidgeld.errors import InvalidInput, Refused
from lidgeld.exports.table import ColumnType, RowKind, Table
from lidgeld.finance.models import Posting, PostingStatus
from lidgeld.memberships.models import Membership, MembershipType, TypeKind
from lidgeld.reports.finance_reports import outstanding_items
from lidgeld.reports.membership_reports import expiring_memberships
from lidgeld.reports.notice_reports import message_overview
from lidgeld.scope import Scope
from lidgeld.staff.selectors import scope_for_user
from lidgeld.staff.services import staff_add
from tests.factories import make_borrower, make_membership, make_open_fee, make_type
from tests.reports.conftest import TODAY, make_message, make_posting

pytestmark = pytest.mark.django_db

APRIL_1 = date(2026, 4, 1)


def rows(table: Table) -> list[tuple[str, list]]:
    return [(row.kind.value, list(row.values)) for row in table.rows]


def data(table: Table) -> list[list]:
    return [list(row.values) for row in table.rows if row.kind is RowKind.DATA]


# --- Overzicht berichten ----------------------------------------------------------------


@pytest.fixture
def first_of_april(network):
    """The 1 April run sent CAE mails and letters; other notices went out too."""
    lotte = make_borrower(network.gent, card="G001", first_name="Lotte", last_name="Claes",
                          email="lotte@example.be")  # fmt: skip
    an = make_borrower(network.leuven, card="L001", first_name="An", last_name="Peeters",
                       email="an@example.be")  # fmt: skip
    wim = make_borrower(network.brugge, card="B001", first_name="Wim", last_name="Wouters",
                        email="wim@example.be")  # fmt: skip
    piet = make_borrower(network.gent, card="G002", first_name="Piet", last_name="Aerts")
    make_message(lotte, APRIL_1, to_address="lotte@werk.be", status="sent")
    make_message(an, APRIL_1, channel="letter", status="queued")
    make_message(wim, APRIL_1, status="sent", to_address="wim@example.be")
    make_message(lotte, APRIL_1, kind="HR", status="sent")  # another kind, same day
    make_message(piet, date(2026, 3, 1), status="sent")  # a CAE of another day
    return network


def test_the_seeds_recipe_lists_exactly_the_cae_messages_of_that_day(first_of_april, everything):
    table = message_overview(
        scope=everything,
        instance_ids=None,
        message_type="C",
        kind="AE",
        date_from=APRIL_1,
        date_to=APRIL_1,
        detail=True,
    )
    assert table.title == "Overzicht berichten"
    assert [c.label for c in table.columns] == [
        "Datum", "Instantie", "Berichtsoort", "Kanaal", "Status", "Naam", "Lenerskaart",
        "E-mailadres",
    ]  # fmt: skip
    assert table.columns[0].type is ColumnType.DATE
    assert rows(table) == [
        ("data", [APRIL_1, "BRUGGE", "CAE", "e-mail", "verzonden", "Wim Wouters", "B001",
                  "wim@example.be"]),
        ("data", [APRIL_1, "GENT", "CAE", "e-mail", "verzonden", "Lotte Claes", "G001",
                  "lotte@werk.be"]),
        # a letter has no address of its own: the borrower's e-mail is shown
        ("data", [APRIL_1, "LEUVEN", "CAE", "brief", "in wachtrij", "An Peeters", "L001",
                  "an@example.be"]),
    ]  # fmt: skip
    assert table.filters == [
        "Instanties: alle instanties",
        "Berichttype: C – Contributie",
        "Berichtsoort: CAE – einde contributie",
        "Periode: 01/04/2026 – 01/04/2026",
        "Soort overzicht: detail",
    ]


def test_the_summary_counts_per_day_kind_channel_and_status(first_of_april, everything):
    table = message_overview(
        scope=everything,
        instance_ids=None,
        kind="CAE",
        date_from=APRIL_1,
        date_to=APRIL_1,
        detail=False,
    )
    assert [c.key for c in table.columns] == ["date", "kind", "channel", "status", "count"]
    assert table.columns[-1].type is ColumnType.INTEGER
    assert rows(table) == [
        ("data", [APRIL_1, "CAE", "e-mail", "verzonden", 2]),
        ("data", [APRIL_1, "CAE", "brief", "in wachtrij", 1]),
        ("total", [None, "Totaal", None, None, 3]),
    ]
    assert "Soort overzicht: samenvatting" in table.filters


def test_every_kind_over_a_period(first_of_april, everything):
    table = message_overview(
        scope=everything,
        instance_ids=None,
        kind=None,
        date_from=date(2026, 3, 1),
        date_to=APRIL_1,
        detail=False,
    )
    assert rows(table) == [
        ("data", [date(2026, 3, 1), "CAE", "e-mail", "verzonden", 1]),
        ("data", [APRIL_1, "CAE", "e-mail", "verzonden", 2]),
        ("data", [APRIL_1, "CAE", "brief", "in wachtrij", 1]),
        ("data", [APRIL_1, "CHR", "e-mail", "verzonden", 1]),
        ("total", [None, "Totaal", None, None, 5]),
    ]
    assert "Berichtsoort: alle soorten" in table.filters


def test_the_kind_can_be_written_with_or_without_its_type(first_of_april, everything):
    def cards(kind: str) -> list[str]:
        table = message_overview(
            scope=everything, instance_ids=None, kind=kind, date_from=APRIL_1, date_to=APRIL_1
        )
        return [values[6] for values in data(table)]

    assert cards("AE") == cards("cae") == ["B001", "G001", "L001"]
    assert cards("HR") == ["G001"]


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ({"kind": "XYZ"}, "message kind 'XYZ' is unknown; choose one of CAE (einde contributie), "
                          "CHR (herinnering lidgeld), CNB (lidgeld niet betaald), "
                          "CVL (bevestiging verlenging), "
                          "CAEL (einde contributie, leeftijdsgrens bereikt), "
                          "CEW (e-mailadres gewijzigd)"),
        ({"message_type": "Z"}, "message type 'Z' is unknown; choose C (contributie)"),
        ({"date_from": date(2026, 4, 2)}, "the period starts after it ends: 02/04/2026 is after "
                                          "01/04/2026"),
    ],
)  # fmt: skip
def test_a_wrong_question_says_what_to_fix(network, everything, arguments, says):
    asked = {"date_from": APRIL_1, "date_to": APRIL_1} | arguments
    with pytest.raises(InvalidInput) as error:
        message_overview(scope=everything, instance_ids=None, **asked)
    assert says in error.value.message


# --- Openstaande posten per klant -------------------------------------------------------


@pytest.fixture
def open_items(network):
    lotte = make_borrower(network.gent, card="G001", first_name="Lotte", last_name="Claes",
                          email="lotte@example.be")  # fmt: skip
    an = make_borrower(network.leuven, card="L001", first_name="An", last_name="Peeters",
                       email="an@example.be")  # fmt: skip
    wim = make_borrower(network.brugge, card="B001", first_name="Wim", last_name="Wouters",
                        email="wim@example.be")  # fmt: skip
    make_posting(lotte, date(2026, 1, 5), description="lidgeld 2026", stage="reminder")
    make_posting(lotte, date(2025, 6, 1), balance="5.00", description="lidgeld 2025",
                 stage="unpaid")  # fmt: skip
    make_posting(an, date(2026, 4, 2), amount="10.00", code=1002, description="lidgeld jeugd")
    make_posting(an, date(2026, 4, 2), amount="3.00", code=2000, description="boete")
    make_posting(an, date(2026, 2, 1), status=PostingStatus.PAID, description="betaald")
    make_posting(an, date(2025, 8, 1), status=PostingStatus.WRITTEN_OFF, description="afgeboekt")
    make_posting(an, date(2026, 4, 11), description="na vandaag")
    make_posting(wim, date(2026, 2, 1), amount="15.00", description="lidgeld brugge")
    return network


def test_open_items_are_grouped_per_borrower_with_subtotals_and_a_grand_total(
    open_items, everything
):
    table = outstanding_items(scope=everything, instance_ids=None, booked_to=TODAY)
    assert table.title == "Openstaande posten per klant"
    assert [c.label for c in table.columns] == [
        "Lenerskaart", "Naam", "E-mailadres", "Boekingscode", "Omschrijving", "Geboekt op",
        "Stadium", "Bedrag", "Openstaand",
    ]  # fmt: skip
    assert [c.type for c in table.columns][-2:] == [ColumnType.MONEY, ColumnType.MONEY]
    d = Decimal
    assert rows(table) == [
        ("data", ["G001", "Lotte Claes", "lotte@example.be", 1001, "lidgeld 2025",
                  date(2025, 6, 1), "niet betaald", d("12.00"), d("5.00")]),
        ("data", ["G001", "Lotte Claes", "lotte@example.be", 1001, "lidgeld 2026",
                  date(2026, 1, 5), "herinnering", d("12.00"), d("12.00")]),
        ("subtotal", [None, "Subtotaal Lotte Claes", None, None, None, None, None,
                      d("24.00"), d("17.00")]),
        ("data", ["L001", "An Peeters", "an@example.be", 1002, "lidgeld jeugd",
                  date(2026, 4, 2), "open", d("10.00"), d("10.00")]),
        ("subtotal", [None, "Subtotaal An Peeters", None, None, None, None, None,
                      d("10.00"), d("10.00")]),
        ("data", ["B001", "Wim Wouters", "wim@example.be", 1001, "lidgeld brugge",
                  date(2026, 2, 1), "open", d("15.00"), d("15.00")]),
        ("subtotal", [None, "Subtotaal Wim Wouters", None, None, None, None, None,
                      d("15.00"), d("15.00")]),
        ("total", [None, "Totaal", None, None, "3 klanten, 4 posten", None, None,
                   d("49.00"), d("42.00")]),
    ]  # fmt: skip
    assert table.filters == [
        "Instanties: alle instanties",
        "Boekingscode: 1000 t/m 1999",
        "Periode ontstaan: t/m 10/04/2026",
    ]


def test_the_booking_code_range_leaves_out_other_codes(open_items, everything):
    contributions = outstanding_items(scope=everything, instance_ids=None, booked_to=TODAY)
    assert 2000 not in [values[3] for values in data(contributions)]
    fines = outstanding_items(
        scope=everything, instance_ids=None, code_from=2000, code_to=2000, booked_to=TODAY
    )
    assert [(values[0], values[4]) for values in data(fines)] == [("L001", "boete")]
    assert "Boekingscode: 2000 t/m 2000" in fines.filters


def test_the_creation_period_limits_the_items(open_items, everything):
    table = outstanding_items(
        scope=everything, instance_ids=None, booked_from=date(2026, 1, 1), booked_to=TODAY
    )
    assert [values[4] for values in data(table)] == ["lidgeld 2026", "lidgeld jeugd",
                                                     "lidgeld brugge"]  # fmt: skip
    total = list(outstanding_items(
        scope=everything, instance_ids=None, booked_from=date(2026, 1, 1), booked_to=TODAY
    ).rows)[-1]  # fmt: skip
    assert (total.kind, total.values[4], total.values[-1]) == (
        RowKind.TOTAL,
        "3 klanten, 3 posten",
        Decimal("37.00"),
    )
    assert "Periode ontstaan: 01/01/2026 – 10/04/2026" in table.filters


def test_nothing_open_is_a_zero_total(network, everything):
    assert rows(outstanding_items(scope=everything, instance_ids=None, booked_to=TODAY)) == [
        ("total", [None, "Totaal", None, None, "0 klanten, 0 posten", None, None,
                   Decimal("0.00"), Decimal("0.00")]),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ({"code_from": 0}, "booking codes run from 1 to 9999"),
        ({"code_to": 10000}, "booking codes run from 1 to 9999"),
        ({"code_from": 1999, "code_to": 1000}, "give the lowest code first, e.g. 1000–1999"),
        ({"booked_from": date(2026, 5, 1)}, "the period starts after it ends"),
    ],
)
def test_a_wrong_range_says_what_to_fix(network, everything, arguments, says):
    with pytest.raises(InvalidInput, match=says):
        outstanding_items(scope=everything, instance_ids=None, booked_to=TODAY, **arguments)


def test_the_query_count_does_not_grow_with_the_number_of_borrowers(network):
    scope = Scope(actor="test", instance_ids=frozenset({network.gent.id}))

    def queries_for(borrowers: int) -> int:
        Posting.objects.all().delete()
        for number in range(borrowers):
            borrower = make_borrower(network.gent, last_name=f"Lener{number:03d}")
            make_posting(borrower, date(2026, 1, 5))
            make_posting(borrower, date(2026, 2, 5))
        with CaptureQueriesContext(connection) as queries:
            table = outstanding_items(scope=scope, instance_ids=None, booked_to=TODAY)
            written = list(table.rows)
        assert sum(row.kind is RowKind.SUBTOTAL for row in written) == borrowers
        assert len(written) == 3 * borrowers + 1
        return len(queries)

    assert queries_for(3) == queries_for(30)


# --- Vervallende abonnementen -----------------------------------------------------------


@pytest.fixture
def end_of_april(network):
    volw = make_type(network.gent, "VOLW")
    jeugd = make_type(network.leuven, "JEUGD", kind=TypeKind.FREE)
    brugs = make_type(network.brugge, "VOLW")
    lotte = make_borrower(network.gent, card="G001", first_name="Lotte", last_name="Claes",
                          email="lotte@example.be")  # fmt: skip
    an = make_borrower(network.leuven, card="L001", first_name="An", last_name="Peeters",
                       email="an@example.be")  # fmt: skip
    els = make_borrower(network.gent, card="G002", first_name="Els", last_name="Maes",
                        email="els@example.be")  # fmt: skip
    jan = make_borrower(network.gent, card="G003", first_name="Jan", last_name="Janssens")
    piet = make_borrower(network.gent, card="G004", first_name="Piet", last_name="Aerts")
    wim = make_borrower(network.brugge, card="B001", first_name="Wim", last_name="Wouters")

    lotte_period = make_membership(lotte, volw, start=date(2025, 5, 1))  # ends 30/04/2026
    make_open_fee(lotte_period, date(2025, 5, 1), amount="12.00")
    make_posting(lotte, date(2025, 9, 1), amount="8.00", balance="5.00")
    make_posting(lotte, date(2025, 9, 1), amount="3.00", code=2000)  # not a contribution
    make_posting(lotte, date(2025, 9, 1), status=PostingStatus.PAID)
    make_message(lotte, APRIL_1, membership=lotte_period, status="sent")

    an_period = make_membership(an, jeugd, start=date(2025, 5, 1))
    make_message(an, APRIL_1, membership=an_period, status="queued")
    make_membership(els, volw, start=date(2025, 5, 1))  # no notice yet
    make_membership(jan, volw, start=date(2025, 5, 1))
    make_membership(jan, volw, start=date(2026, 5, 1))  # already renewed
    make_membership(piet, volw, start=date(2025, 6, 1))  # ends in May
    make_membership(wim, brugs, start=date(2025, 5, 1))
    return network


def test_expiring_memberships_show_what_is_owed_and_whether_the_cae_went_out(
    end_of_april, everything
):
    table = expiring_memberships(
        scope=everything, instance_ids=None, month=date(2026, 4, 1), today=TODAY
    )
    assert table.title == "Vervallende abonnementen"
    end = date(2026, 4, 30)
    assert rows(table) == [
        ("data", ["BRUGGE", "Wim Wouters", "B001", "VOLW", "Volw", end, Decimal("0.00"),
                  "lener@example.be", "nee", ""]),
        ("data", ["GENT", "Lotte Claes", "G001", "VOLW", "Volw", end, Decimal("17.00"),
                  "lotte@example.be", "ja", ""]),
        ("data", ["GENT", "Els Maes", "G002", "VOLW", "Volw", end, Decimal("0.00"),
                  "els@example.be", "nee", ""]),
        ("data", ["LEUVEN", "An Peeters", "L001", "JEUGD", "Jeugd", end, Decimal("0.00"),
                  "an@example.be", "in wachtrij", ""]),
    ]  # fmt: skip
    assert table.filters == [
        "Instanties: alle instanties",
        "Maand: april 2026 (einde op 30/04/2026)",
        "Openstaand lidgeld en berichten op 10/04/2026",
    ]


def test_a_youth_member_past_the_age_limit_shows_the_type_that_follows(network, everything):
    adult = make_type(network.gent, "VOLW", fee="12.00")
    youth = make_type(network.gent, "JEUGD", kind=TypeKind.FREE_AUTO)
    MembershipType.objects.filter(pk=youth.pk).update(max_age=17, next_type=adult)
    adult.name = "Volwassene"
    adult.save()
    # 18 on 1 May 2026, the day after the period: past the limit; 18 on 2 May: not yet
    older = make_borrower(network.gent, card="G101", birth_date=date(2008, 5, 1))
    younger = make_borrower(network.gent, card="G102", birth_date=date(2008, 5, 2))
    unknown = make_borrower(network.gent, card="G103")
    for borrower in (older, younger, unknown):
        make_membership(borrower, youth, start=date(2025, 5, 1))  # ends 30/04/2026

    table = expiring_memberships(
        scope=everything, instance_ids=None, month=date(2026, 4, 1), today=TODAY
    )

    becomes = {row[2]: row[-1] for row in data(table)}
    assert becomes == {"G101": "wordt Volwassene (€ 12,00)", "G102": "", "G103": ""}


def test_a_cae_letter_not_confirmed_printed_is_not_sent_in_the_expiring_report(
    end_of_april, everything
):
    els = Membership.objects.get(borrower__last_name="Maes")
    make_message(els.borrower, APRIL_1, membership=els, channel="letter", status="queued")

    table = expiring_memberships(
        scope=everything, instance_ids=None, month=date(2026, 4, 1), today=TODAY
    )

    cae = {row[1]: row[-2] for kind, row in rows(table) if kind == "data"}
    assert cae["Els Maes"] == "nee (brief te printen)"
    assert cae["Lotte Claes"] == "ja"


def test_another_month_lists_its_own_memberships(end_of_april, everything):
    table = expiring_memberships(
        scope=everything, instance_ids=None, month=date(2026, 5, 17), today=TODAY
    )
    assert [values[2] for values in data(table)] == ["G004"]


def test_the_expiring_list_reads_its_sums_in_one_query(end_of_april, everything):
    with CaptureQueriesContext(connection) as queries:
        list(
            expiring_memberships(
                scope=everything, instance_ids=None, month=date(2026, 4, 1), today=TODAY
            ).rows
        )
    assert len(queries) == 1


# --- What a desk may see ----------------------------------------------------------------


def _report(name: str, scope, instance_ids=None, *, export: bool = False) -> Table:
    """The report as a page shows it, or (``export``) as it leaves in a file."""
    ids, how = instance_ids, {"for_export": export}
    if name == "messages":
        return message_overview(
            scope=scope, instance_ids=ids, kind="CAE", date_from=APRIL_1, date_to=APRIL_1, **how
        )
    if name == "outstanding":
        return outstanding_items(scope=scope, instance_ids=ids, booked_to=TODAY, **how)
    return expiring_memberships(scope=scope, instance_ids=ids, month=APRIL_1, today=TODAY, **how)


REPORTS = ("messages", "outstanding", "expiring")
CARD_COLUMN = {"messages": 6, "outstanding": 0, "expiring": 2}


@pytest.fixture
def reports_network(network):
    """One borrower per library in each of the three reports."""
    volw = {i.code: make_type(i, "VOLW") for i in (network.gent, network.leuven, network.brugge)}
    for instance, card in ((network.gent, "G001"), (network.leuven, "L001"),
                           (network.brugge, "B001")):  # fmt: skip
        borrower = make_borrower(instance, card=card, last_name=f"Lener {instance.code}")
        period = make_membership(borrower, volw[instance.code], start=date(2025, 5, 1))
        make_open_fee(period, date(2025, 5, 1))
        make_message(borrower, APRIL_1, membership=period)
    return network


@pytest.mark.parametrize("report", REPORTS)
def test_a_gent_desk_sees_gent_and_its_cooperation_group_never_brugge(
    reports_network, everything, report
):
    table = _report(report, reports_network.desk_scope())
    assert "Instanties: GENT, LEUVEN" in table.filters
    assert sorted(values[CARD_COLUMN[report]] for values in data(table)) == ["G001", "L001"]
    everyone = data(_report(report, everything))
    assert sorted(values[CARD_COLUMN[report]] for values in everyone) == ["B001", "G001", "L001"]


@pytest.mark.parametrize("report", REPORTS)
def test_one_library_of_the_group_can_be_chosen(reports_network, report):
    table = _report(report, reports_network.desk_scope(), [reports_network.leuven.id])
    assert "Instanties: LEUVEN" in table.filters
    assert [values[CARD_COLUMN[report]] for values in data(table)] == ["L001"]


@pytest.mark.parametrize("report", REPORTS)
def test_asking_for_a_library_outside_the_scope_is_refused(reports_network, report):
    scope = reports_network.desk_scope()
    with pytest.raises(Refused, match="you do not have access to that library's borrowers"):
        _report(report, scope, [reports_network.gent.id, reports_network.brugge.id])


def test_what_brugge_booked_is_not_summed_into_what_a_gent_desk_sees(reports_network, everything):
    lener = reports_network.gent.borrowers.get(card_number="G001")
    make_posting(lener, date(2026, 1, 5), amount="7.00", instance=reports_network.brugge)

    def owed(scope) -> Decimal:
        table = _report("expiring", scope)
        return next(values[6] for values in data(table) if values[2] == "G001")

    assert owed(everything) == Decimal("19.00")
    assert owed(reports_network.desk_scope()) == Decimal("12.00")


# --- What a desk may export (R11) -------------------------------------------------------


def _coordinator_scope(network):
    account = staff_add(username="coord.gent", password="een-lang-wachtwoord-2026",
                        role="coordinator", instance_codes=["GENT"], today=TODAY, now=at_nine(TODAY), actor="t")  # fmt: skip
    return scope_for_user(user=account.user)


@pytest.mark.parametrize("report", REPORTS)
def test_a_desk_may_not_export_borrowers_of_another_library_of_the_group(reports_network, report):
    desk = reports_network.desk_scope()
    with pytest.raises(Refused, match=r"holds borrowers of other libraries \(LEUVEN\)"):
        _report(report, desk, export=True)
    # its own library's borrowers it may export
    own = _report(report, desk, [reports_network.gent.id], export=True)
    assert [values[CARD_COLUMN[report]] for values in data(own)] == ["G001"]


@pytest.mark.parametrize("report", REPORTS)
def test_a_coordinator_exports_the_borrowers_of_the_whole_group(reports_network, report):
    table = _report(report, _coordinator_scope(reports_network), export=True)
    assert sorted(values[CARD_COLUMN[report]] for values in data(table)) == ["G001", "L001"]


def test_the_rule_goes_by_the_borrowers_home_library_not_the_one_that_booked(reports_network):
    # given a LEUVEN borrower with a fee booked at GENT, in a report of GENT only
    lener = reports_network.leuven.borrowers.get(card_number="L001")
    make_posting(lener, date(2026, 1, 5), amount="7.00", instance=reports_network.gent)
    with pytest.raises(Refused, match="LEUVEN"):
        _report("outstanding", reports_network.desk_scope(), [reports_network.gent.id],
                export=True)  # fmt: skip


def test_a_summary_without_personal_data_may_be_exported(reports_network):
    table = message_overview(
        scope=reports_network.desk_scope(), instance_ids=None, date_from=APRIL_1,
        date_to=APRIL_1, detail=False, for_export=True,
    )  # fmt: skip
    assert list(data(table))
