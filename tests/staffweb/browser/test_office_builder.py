"""In the browser: the seed's selection (B.date = D AND B.kind = CAE) built with the rule
builder, run into a set, and exported as XLSX with the e-mail addresses."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from lidgeld.audit.models import AuditEvent
from lidgeld.selections.models import BorrowerSet
from tests.browser import screenshot
from tests.factories import make_borrower, make_instance, make_message, make_staff
from tests.staffweb.browser.office import accessibility_problems, log_in

pytestmark = pytest.mark.django_db(transaction=True)

APRIL_1 = date(2026, 4, 1)
SEED_RULE = "B.date = 2026-04-01 AND B.kind = CAE"


def condition(page, n: int):
    return page.locator("fieldset.condition").nth(n)


def test_the_seeds_selection_is_built_run_and_exported_as_xlsx(page, live_server):
    gent, brugge = make_instance("GENT"), make_instance("BRUGGE")
    make_message(make_borrower(gent, card="G1", email="an@example.be"), APRIL_1)
    make_message(make_borrower(gent, card="G2", email="bo@example.be"), APRIL_1, kind="HR")
    make_message(make_borrower(gent, card="G3", email="cas@example.be"), date(2026, 3, 1))
    make_message(make_borrower(brugge, card="B1", email="brugge@example.be"), APRIL_1)
    log_in(page, live_server, make_staff("balie-gent", gent))

    page.goto("/staff/selections/")
    first = condition(page, 0)
    first.locator("[id$='-group']").select_option("B")
    first.locator("[id$='-field']").select_option("B.date")
    first.locator("[id$='-op']").select_option("=")
    first.locator("[id$='-v0']").fill("2026-04-01")
    page.locator("[data-action='add-condition']").click()
    second = condition(page, 1)
    expect(second.locator("[id$='-group']")).to_be_focused()  # keyboard users go on from here
    second.locator("[id$='-field']").select_option("B.kind")
    second.locator("[id$='-op']").select_option("=")
    second.locator("[id$='-v0']").select_option("CAE")
    expect(page.locator("#rule-text")).to_have_value(SEED_RULE)
    expect(page.locator("#rule-status")).to_have_class("status ok")
    expect(page.locator("#rule-status")).to_have_text(
        "De regel is volledig. Voer hem uit, of werk verder."
    )
    screenshot(page, "office-selection-builder")
    assert accessibility_problems(page) == []

    page.locator("#run").click()
    expect(page).to_have_url(
        f"{live_server.url}/staff/selections/sets/{BorrowerSet.objects.get().pk}/"
    )
    expect(page.locator("main table")).to_contain_text("an@example.be")

    page.locator("[data-open-dialog='export-dialog']").click()
    dialog = page.locator("#export-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("input[value='xlsx']").check()
    screenshot(page, "office-set-export-dialog")
    with page.expect_download() as download:
        dialog.get_by_role("button", name="Downloaden").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as xlsx:
        rows = list(load_workbook(xlsx, read_only=True).active.iter_rows(values_only=True))
    assert "E-mailadres" in rows[0]
    emails = [row[rows[0].index("E-mailadres")] for row in rows[1:]]
    assert emails == ["an@example.be"]
    assert AuditEvent.objects.get(action="set.export").actor == "staff:balie-gent"
    expect(dialog).not_to_be_visible()


def test_typed_text_is_loaded_into_rows_and_a_mistake_is_pointed_at(page, live_server):
    gent = make_instance("GENT")
    log_in(page, live_server, make_staff("balie-gent", gent))
    page.goto("/staff/selections/")
    text = page.locator("#rule-text")
    text.fill(
        "b.kind in (cae, chr) or (A.city = Gent and B.date between 01/04/2026 and 30/04/2026)"
    )
    page.locator("#load-text").click()
    expect(page.locator("fieldset.bracket")).to_have_count(2)
    expect(page.locator("fieldset.condition")).to_have_count(3)
    expect(condition(page, 0).locator("[id$='-v0']")).to_have_value("CAE")
    expect(condition(page, 2).locator("[id$='-v1']")).to_have_value("2026-04-30")
    expect(text).to_have_value(
        # AND binds more strongly than OR: the canonical text needs no brackets
        "B.kind in (cae, chr) OR A.city = Gent AND B.date between 01/04/2026 and 30/04/2026"
    )
    screenshot(page, "office-selection-loaded")

    text.fill("B.kind = CAE AND B.date = 31/02/2026")
    page.locator("#load-text").click()
    expect(page.locator("#rule-status")).to_contain_text("31/02/2026")
    expect(page.locator("#rule-status")).to_contain_text("27")  # where the bad date starts


def test_a_value_the_server_refuses_is_pointed_at_in_its_row(page, live_server):
    log_in(page, live_server, make_staff("balie-gent", make_instance("GENT")))
    page.goto("/staff/selections/")
    page.locator("#rule-text").fill("B.kind = CAE AND C.amount = 12")
    page.locator("#load-text").click()
    amount = condition(page, 1)
    expect(amount.locator("[id$='-v0']")).to_have_value("12")
    amount.locator("[id$='-v0']").fill("twaalf")
    expect(page.locator("#rule-status")).to_contain_text("1.2")
    expect(page.locator("#rule-status")).to_contain_text(
        "'twaalf' is geen bedrag"
    )  # in the page's language
    expect(amount).to_have_class("condition invalid")
    expect(amount.locator("[id$='-v0']")).to_have_attribute("aria-invalid", "true")
    # the run waits for a rule that can be written, so the old text is not run
    page.locator("#run").click()
    expect(amount.locator("[id$='-v0']")).to_be_focused()  # back to what needs fixing
    expect(page).to_have_url(f"{live_server.url}/staff/selections/")
    assert not BorrowerSet.objects.exists()
