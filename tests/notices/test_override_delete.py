"""Closure overrides can be deleted (audited, with what they said); a text being
written is previewed for a borrower with the same checks as saving."""

from __future__ import annotations

from datetime import date

import pytest

from lidgeld.audit.models import AuditEvent
from lidgeld.clock import at_nine
from lidgeld.errors import InvalidInput
from lidgeld.notices.models import NoticeTemplate
from lidgeld.notices.selectors import notice_draft_preview, notice_preview
from lidgeld.notices.services import notice_override_delete, notice_template_save
from tests.factories import make_borrower, make_instance

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 10)
JULY = (date(2026, 7, 1), date(2026, 7, 31))


def save(instance, window=(None, None), subject="Gesloten"):
    return notice_template_save(
        instance=instance, kind="AE", language="nl", subject=subject,
        body_text="Beste {{ first_name }}, we zijn dicht.", valid_from=window[0],
        valid_until=window[1], today=TODAY, now=at_nine(TODAY), actor="coord",
    )  # fmt: skip


def test_after_deleting_an_override_the_standing_text_applies_again():
    gent = make_instance("GENT")
    borrower = make_borrower(gent, first_name="Griet")
    save(gent, subject="Eigen tekst")
    closure = save(gent, JULY, subject="Zomersluiting")
    assert notice_preview(borrower=borrower, kind="AE", on=date(2026, 7, 1)).subject == (
        "Zomersluiting"
    )
    notice_override_delete(template=closure, today=TODAY, now=at_nine(TODAY), actor="coord")
    assert notice_preview(borrower=borrower, kind="AE", on=date(2026, 7, 1)).subject == (
        "Eigen tekst"
    )
    event = AuditEvent.objects.get(action="notice_template.deleted")
    assert (event.actor, event.before["valid_from"]) == ("coord", "2026-07-01")


def test_a_standing_text_is_not_deleted_as_an_override():
    standing = save(make_instance("GENT"))
    with pytest.raises(InvalidInput, match="only a dated override"):
        notice_override_delete(template=standing, today=TODAY, now=at_nine(TODAY), actor="coord")
    assert NoticeTemplate.objects.filter(pk=standing.pk).exists()


def test_a_draft_is_rendered_for_the_borrower_in_the_texts_language():
    gent = make_instance("GENT", name="Bib Gent")
    borrower = make_borrower(gent, first_name="Griet", language="fr")
    draft = notice_draft_preview(
        instance=gent, borrower=borrower, language="nl", subject="Dag {{ first_name }}",
        body_text="{{ instance_name }} op {{ notice_date }}", body_html="<p>{{ first_name }}</p>",
        on=date(2026, 5, 1),
    )  # fmt: skip
    assert draft.problems == []
    assert draft.rendered is not None
    assert draft.rendered.subject == "Dag Griet"
    assert draft.rendered.body_text == "Bib Gent op 01/05/2026"
    assert draft.rendered.body_html == "<p>Griet</p>"
    assert not NoticeTemplate.objects.exists()


def test_a_draft_with_mistakes_lists_each_with_its_line():
    gent = make_instance("GENT")
    draft = notice_draft_preview(
        instance=gent, borrower=make_borrower(gent), language="nl", subject="",
        body_text="regel 1\n{{ naam }}\n{{ first_name.upper() }}", body_html="", on=TODAY,
    )  # fmt: skip
    assert draft.rendered is None
    problems = [problem.message for problem in draft.problems]
    assert problems[0] == "the subject is empty"
    assert any(p.startswith("body, line 2: unknown placeholder 'naam'") for p in problems)
    assert any(p.startswith("body, line 3:") for p in problems)
    # and the page reads them in its language
    assert draft.problems[1].localized("nl").startswith("tekst, regel 2: onbekende placeholder")
