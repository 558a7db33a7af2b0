"""Notice texts in the staff pages: edit per kind and language with a live preview,
closure overrides with their dates, which kinds go out; coordinators and up, own
libraries only."""

from __future__ import annotations

from datetime import date

import pytest

from lidgeld.audit.models import AuditEvent
from lidgeld.clock import at_nine
from lidgeld.libraries.models import Instance
from lidgeld.notices.models import NoticeTemplate
from lidgeld.notices.services import notice_template_save
from tests.factories import make_borrower, make_instance, make_staff

pytestmark = pytest.mark.django_db

EDIT = "/staff/templates/GENT/CAE/nl/"


@pytest.fixture
def world():
    gent, brugge = make_instance("GENT"), make_instance("BRUGGE")
    make_borrower(gent, card="G1", first_name="Griet")
    make_borrower(brugge, card="B1", first_name="Bart")
    return gent, brugge


@pytest.fixture
def coordinator(client, world):
    client.force_login(make_staff("coord-gent", world[0], role="coordinator"))
    return client


def text(**changes):
    return {
        "subject": "Je lidmaatschap loopt af",
        "body_text": "Beste {{ first_name }},\r\nkom langs.\r\n",
        "body_html": "",
    } | changes


def override(instance, start=date(2026, 7, 1), end=date(2026, 7, 31)):
    return notice_template_save(
        instance=instance, kind="AE", language="nl", subject="Gesloten",
        body_text="We zijn gesloten, {{ first_name }}.", valid_from=start, valid_until=end,
        today=date(2026, 4, 10), now=at_nine(date(2026, 4, 10)), actor="test",
    )  # fmt: skip


def test_a_desk_account_may_not_edit_texts(client, world):
    client.force_login(make_staff("balie-gent", world[0]))
    assert client.get("/staff/templates/").status_code == 403
    assert client.post(EDIT, text()).status_code == 403
    assert not NoticeTemplate.objects.exists()


def test_the_overview_shows_standard_texts_and_kinds(coordinator):
    page = coordinator.get("/staff/templates/").content.decode()
    assert "CAE – " in page
    assert "Je lidmaatschap van de bibliotheek loopt binnenkort af" in page  # the seed's text
    assert 'name="kind-AE" value="on" checked' in page
    assert "<h1>Berichtteksten — GENT</h1>" in page
    assert "CAE – einde contributie" in page
    assert "<td>Frans</td>" in page
    assert "standaardtekst" in page


def test_the_editor_starts_from_the_standard_text_with_a_preview(coordinator):
    response = coordinator.get(EDIT)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Binnenkort loopt je lidmaatschap in onze bibliotheek af" in page
    assert 'aria-live="polite"' in page
    assert "Beste Griet," in page  # rendered for the library's first borrower


def test_saving_keeps_the_text_with_plain_line_breaks_and_audits(coordinator, world):
    response = coordinator.post(EDIT, text())
    assert response.status_code == 302
    saved = NoticeTemplate.objects.get(instance=world[0], kind="AE", language="nl")
    assert saved.body_text == "Beste {{ first_name }},\nkom langs.\n"
    assert saved.valid_from is None
    assert AuditEvent.objects.get(action="notice_template.saved").actor == "staff:coord-gent"


def test_a_template_mistake_is_said_with_its_line_and_nothing_is_saved(coordinator):
    response = coordinator.post(EDIT, text(body_text="Beste,\n{{ voornaam }}"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "tekst, regel 2: onbekende placeholder &#x27;voornaam&#x27;" in page
    assert "{{ voornaam }}</textarea>" in page
    assert not NoticeTemplate.objects.exists()


def test_the_live_preview_renders_the_unsaved_text_for_a_chosen_borrower(coordinator):
    response = coordinator.post(
        "/staff/templates/GENT/preview/nl",
        text(subject="Dag {{ first_name|upper }}", card="G1", on="2026-05-01"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Dag GRIET" in page
    assert "01/05/2026" in page
    assert not NoticeTemplate.objects.exists()


def test_the_preview_shows_problems_with_line_numbers(coordinator):
    response = coordinator.post(
        "/staff/templates/GENT/preview/nl", text(body_text="a\nb\n{% for x in y %}{% endfor %}")
    )
    assert "tekst, regel 3: &#x27;{% for %}&#x27; is niet toegestaan" in response.content.decode()


def test_the_preview_only_finds_borrowers_of_ones_own_libraries(coordinator):
    page = coordinator.post("/staff/templates/GENT/preview/nl", text(card="B1")).content.decode()
    assert "Geen enkele lener van je bibliotheken heeft kaartnummer B1." in page
    assert "Bart" not in page


def test_a_closure_override_needs_its_dates(coordinator):
    response = coordinator.post(EDIT, text(override="new"))
    assert response.status_code == 400
    assert "Geef de eerste en de laatste dag van de sluiting op." in response.content.decode()
    response = coordinator.post(
        EDIT, text(override="new", valid_from="2026-07-31", valid_until="2026-07-01")
    )
    assert "valt na de laatste" in response.content.decode()
    assert not NoticeTemplate.objects.exists()


def test_a_closure_override_is_saved_edited_and_deleted(coordinator, world):
    response = coordinator.post(
        EDIT, text(override="new", valid_from="2026-07-01", valid_until="2026-07-31")
    )
    assert response.status_code == 302
    closure = NoticeTemplate.objects.get(valid_from__isnull=False)
    assert (closure.valid_from, closure.valid_until) == (date(2026, 7, 1), date(2026, 7, 31))
    page = coordinator.get("/staff/templates/").content.decode()
    assert "01/07/2026" in page
    assert "31/07/2026" in page
    # edited: the dates stay
    edit = f"/staff/templates/overrides/{closure.pk}/"
    assert coordinator.post(edit, text(subject="Zomersluiting")).status_code == 302
    closure.refresh_from_db()
    assert (closure.subject, closure.valid_from) == ("Zomersluiting", date(2026, 7, 1))
    # deleted, audited with what it said
    assert coordinator.post(f"{edit}delete").status_code == 302
    assert not NoticeTemplate.objects.exists()
    assert AuditEvent.objects.get(action="notice_template.deleted").before["subject"] == (
        "Zomersluiting"
    )


def test_another_librarys_texts_are_not_found(coordinator, world):
    closure = override(world[1])
    assert coordinator.get("/staff/templates/BRUGGE/CAE/nl/").status_code == 404
    assert coordinator.get("/staff/templates/?instance=BRUGGE").status_code == 404
    assert coordinator.get(f"/staff/templates/overrides/{closure.pk}/").status_code == 404
    assert coordinator.post(f"/staff/templates/overrides/{closure.pk}/delete").status_code == 404
    assert coordinator.post("/staff/templates/BRUGGE/preview/nl", text()).status_code == 404
    assert coordinator.post("/staff/templates/BRUGGE/kinds", {}).status_code == 404
    assert NoticeTemplate.objects.filter(pk=closure.pk).exists()


def test_an_unknown_kind_or_language_is_not_found(coordinator):
    assert coordinator.get("/staff/templates/GENT/CXX/nl/").status_code == 404
    assert coordinator.get("/staff/templates/GENT/CAE/de/").status_code == 404


def test_notice_kinds_are_switched_and_only_changes_audited(coordinator, world):
    every = {"kind-AE": "on", "kind-HR": "on", "kind-NB": "on", "kind-VL": "on"}
    response = coordinator.post("/staff/templates/GENT/kinds", every)
    assert response.status_code == 302
    gent = Instance.objects.get(pk=world[0].pk)
    assert (gent.notice_end_of_contribution, gent.notice_renewal) == (True, True)
    assert AuditEvent.objects.get(action="instance.notices_changed").after == {
        "notice_renewal": True
    }
    coordinator.post("/staff/templates/GENT/kinds", every)
    assert AuditEvent.objects.filter(action="instance.notices_changed").count() == 1


def test_a_stored_text_that_cannot_render_shows_why_in_the_editor_not_a_500(coordinator, world):
    from django.utils import timezone

    # given a standing text saved before texts were checked: 120 ifs deep
    deep = "{% if first_name %}x\n" * 120 + "{% endif %}" * 120
    NoticeTemplate.objects.create(
        instance=world[0], kind="AE", language="nl", subject="Lid", body_text=deep,
        updated_at=timezone.now(), updated_by="old",
    )  # fmt: skip

    response = coordinator.get(EDIT)

    assert response.status_code == 200
    page = response.content.decode()
    assert "tekst, regel 11: &#x27;{% if %}&#x27; binnen 10 andere" in page


def test_the_live_preview_says_why_a_text_cannot_render(coordinator):
    deep = "{% if first_name %}x\n" * 300 + "{% endif %}" * 300
    response = coordinator.post("/staff/templates/GENT/preview/nl", text(body_text=deep))
    assert response.status_code == 200
    assert "er mogen er hoogstens 10 in elkaar zitten" in response.content.decode()

    response = coordinator.post(
        "/staff/templates/GENT/preview/nl", text(body_text="{{ first_name|upper(1) }}")
    )
    assert response.status_code == 200
    assert "tekst kan niet worden opgemaakt voor een lener met openstaand lidgeld: TypeError" in (
        response.content.decode()
    )
