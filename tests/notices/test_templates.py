"""A library's own notice texts: refused when wrong, sandboxed, dated overrides."""

from datetime import date

import pytest
from django.utils import timezone

from lidgeld.audit.models import AuditEvent
from lidgeld.clock import at_nine, clock
from lidgeld.errors import InvalidInput
from lidgeld.notices.defaults import DEFAULTS
from lidgeld.notices.models import Message, NoticeTemplate
from lidgeld.notices.rendering import messages_render, render
from lidgeld.notices.selectors import notice_preview
from lidgeld.notices.services import notice_template_save
from lidgeld.notices.template_validation import template_errors
from tests.factories import make_borrower, make_instance, make_membership, make_open_fee, make_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def gent():
    return make_instance(
        "GENT",
        address="Kouter 29\n9000 Gent",
        opening_hours="ma–za 10–19 u.",
        iban="BE32091000123402",
    )


def save(instance, body, subject="Je lidmaatschap", **extra):
    return notice_template_save(
        instance=instance,
        kind="AE",
        language="nl",
        subject=subject,
        body_text=body,
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="staff:els",
        **extra,
    )


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("Beste {{ voornaam }},", "body, line 1: unknown placeholder 'voornaam'"),
        ("Beste,\n\n{% if first_name %}\nJa", "body, line 4: Unexpected end of template"),
        ("Hallo\n{{ first_name.__class__.__mro__ }}", "body, line 2: '.__mro__' reaches beyond"),
        ("{{ first_name['x'] }}", "body, line 1: '[…]' reaches beyond"),
        ("{{ range(10) }}", "calling something is not allowed"),
        ("{% for x in first_name %}{{ x }}{% endfor %}", "'{% for %}' is not allowed"),
        ("{{ first_name|attr('upper') }}", "unknown filter 'attr'"),
        ("{% include 'x' %}", "'Include' is not allowed"),
        ("{{ cycler }}", "unknown placeholder 'cycler'"),
    ],
)
def test_a_wrong_template_is_refused_with_the_line_and_name(gent, body, says):
    with pytest.raises(InvalidInput) as refused:
        save(gent, body)
    assert says in refused.value.message
    assert not NoticeTemplate.objects.exists()
    assert not AuditEvent.objects.filter(action="notice_template.saved").exists()


def test_a_wrong_subject_or_html_body_is_refused_too(gent):
    with pytest.raises(InvalidInput, match="subject, line 1: unknown placeholder 'naam'"):
        save(gent, "Beste {{ first_name }},", subject="Hallo {{ naam }}")
    with pytest.raises(InvalidInput, match="HTML body, line 1: unknown placeholder 'x'"):
        save(gent, "Beste {{ first_name }},", body_html="<p>{{ x }}</p>")


def test_the_default_texts_are_valid_templates():
    for kind, languages in DEFAULTS.items():
        for language, text in languages.items():
            assert template_errors(text.subject, part="subject") == [], (kind, language)
            assert template_errors(text.body_text, part="body") == [], (kind, language)


def test_a_librarys_own_text_replaces_the_default_and_is_audited(gent):
    borrower = make_borrower(gent, first_name="Els")
    save(gent, "Dag {{ first_name }}, kom langs: {{ opening_hours }}.\n{{ instance_address }}")
    preview = notice_preview(borrower=borrower, kind="AE", on=date(2026, 5, 1))
    assert preview.body_text == "Dag Els, kom langs: ma–za 10–19 u..\nKouter 29\n9000 Gent"
    event = AuditEvent.objects.get(action="notice_template.saved")
    assert event.actor == "staff:els"
    assert event.after["body_text"].startswith("Dag {{ first_name }}")


def test_a_dated_override_applies_only_to_notices_dated_in_its_window(gent):
    borrower = make_borrower(gent)
    save(gent, "Eigen tekst.")
    save(
        gent,
        "De bibliotheek is gesloten tot 3 januari: verleng per e-mail.",
        valid_from=date(2026, 12, 20),
        valid_until=date(2027, 1, 3),
    )

    def body_on(day):
        return notice_preview(borrower=borrower, kind="AE", on=day).body_text

    assert body_on(date(2026, 12, 19)) == "Eigen tekst."
    assert body_on(date(2027, 1, 1)).startswith("De bibliotheek is gesloten")
    assert body_on(date(2027, 1, 4)) == "Eigen tekst."


def test_an_override_needs_a_complete_window(gent):
    with pytest.raises(InvalidInput, match="both a first and a last day"):
        save(gent, "x", valid_from=date(2026, 12, 20))
    with pytest.raises(InvalidInput, match="after its last day"):
        save(gent, "x", valid_from=date(2027, 1, 3), valid_until=date(2026, 12, 20))


def test_values_are_escaped_in_html_but_not_in_text(gent):
    borrower = make_borrower(gent, first_name="<b>Jo</b>")
    source = DEFAULTS["AE"]["nl"]
    from lidgeld.notices.rendering import notice_context

    context = notice_context(borrower=borrower, instance=gent, on=date(2026, 5, 1))
    html = render(
        type(source)(
            subject="s", body_text="{{ first_name }}", body_html="<p>{{ first_name }}</p>"
        ),
        context,
    )
    assert html.body_text == "<b>Jo</b>"
    assert html.body_html == "<p>&lt;b&gt;Jo&lt;/b&gt;</p>"


def test_payment_details_appear_when_a_fee_is_open(gent):
    borrower = make_borrower(gent, language="en", first_name="Sam")
    fee = make_open_fee(
        make_membership(borrower, make_type(gent), start=date(2026, 4, 10)), date(2026, 4, 10)
    )
    text = notice_preview(borrower=borrower, kind="HR", on=date(2026, 5, 1)).body_text
    assert "€ 12.00" in text
    assert "BE32 0910 0012 3402" in text
    from lidgeld.domain.payment_reference import structured_communication

    assert structured_communication(fee.pk) in text


def test_rendering_keeps_the_text_that_went_out(gent):
    borrower = make_borrower(gent, first_name="Els")
    membership = make_membership(borrower, make_type(gent), start=date(2025, 5, 1))
    message = Message.objects.create(
        borrower=borrower, instance=gent, membership=membership, type="C", kind="AE",
        date=date(2026, 4, 1), channel="email", language="nl", to_address="els@example.be",
        created_at=timezone.now(),
    )  # fmt: skip
    messages_render([message], now=clock.now())
    message.refresh_from_db()
    assert message.subject == "Je lidmaatschap van de bibliotheek loopt binnenkort af"
    assert message.body.startswith("Beste Els,\n\nBinnenkort loopt je lidmaatschap")
    # a later change of the library's text does not rewrite what was sent
    save(gent, "Nieuwe tekst.")
    messages_render([message], now=clock.now())
    message.refresh_from_db()
    assert message.body.startswith("Beste Els,")


def test_preview_through_the_cli(gent, capsys):
    from lidgeld.cli.main import main

    make_borrower(gent, card="5001", first_name="Luc", language="fr")
    assert (
        main(["notices", "preview", "--kind", "CAE", "--card", "5001", "--on", "2026-05-01"]) == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("Subject: Votre abonnement à la bibliothèque expire bientôt")
    assert "Bonjour Luc," in out
    assert main(["notices", "preview", "--kind", "AE", "--card", "5001", "--lang", "en"]) == 0
    assert "Dear Luc," in capsys.readouterr().out
    assert main(["notices", "preview", "--kind", "XX", "--card", "5001"]) == 2
    assert "unknown notice kind 'XX'" in capsys.readouterr().err


# --- texts that parse but cannot render (issue 11, item 9) ---------------------------


def nested_ifs(depth: int) -> str:
    """``depth`` ``{% if %}`` inside each other, one per line."""
    opening = "".join(f"{{% if first_name %}}line {n + 1}\n" for n in range(depth))
    return opening + "midden\n" + "{% endif %}" * depth


def test_ten_ifs_inside_each_other_are_fine(gent):
    save(gent, nested_ifs(10))
    assert NoticeTemplate.objects.count() == 1


def test_an_if_nested_deeper_than_ten_is_refused_with_its_line(gent):
    with pytest.raises(InvalidInput) as refused:
        save(gent, nested_ifs(11))
    assert "body, line 11: '{% if %}' inside 10 others; at most 10 may be nested" in (
        refused.value.message
    )
    assert not NoticeTemplate.objects.exists()


@pytest.mark.parametrize("depth", [120, 400, 5000])
def test_a_text_nested_too_deep_to_render_or_even_to_read_is_refused(gent, depth):
    # 99 nested ifs parse but cannot be compiled; from about 245 even parsing overflows
    with pytest.raises(InvalidInput) as refused:
        save(gent, nested_ifs(depth))
    assert "body, line 11: '{% if %}' inside 10 others" in refused.value.message
    assert not NoticeTemplate.objects.exists()


def test_an_expression_nested_too_deep_is_refused_with_its_line(gent):
    with pytest.raises(InvalidInput) as refused:
        save(gent, "Beste,\n{{ " + "not " * 300 + "first_name }}")
    assert "body, line 2: nested too deeply" in refused.value.message
    with pytest.raises(InvalidInput) as refused:
        save(gent, "{{ " + "(" * 400 + "first_name" + ")" * 400 + " }}")
    assert "body, line 1: nested too deeply" in refused.value.message
    assert not NoticeTemplate.objects.exists()


def test_a_text_that_fails_for_some_borrowers_is_refused_with_the_reason(gent):
    # given a text whose else-branch (nothing to pay) gives a filter an argument it
    # does not take: it parses, and renders only while the fee is open
    with pytest.raises(InvalidInput) as refused:
        save(
            gent,
            "{% if open_amount %}{{ open_amount }}{% else %}{{ first_name|lower(1) }}{% endif %}",
        )
    message = refused.value.message
    assert "body cannot be rendered for a borrower with nothing open: TypeError" in message
    assert "with an open fee" not in message
    assert not NoticeTemplate.objects.exists()


def test_a_stored_text_that_cannot_render_gives_a_clear_preview_error(gent, capsys):
    from lidgeld.cli.main import main

    # given a text saved before these checks existed
    NoticeTemplate.objects.create(
        instance=gent, kind="AE", language="nl", subject="Lid", body_text=nested_ifs(120),
        updated_at=timezone.now(), updated_by="old",
    )  # fmt: skip
    make_borrower(gent, card="5002")

    assert main(["notices", "preview", "--kind", "AE", "--card", "5002"]) == 2
    err = capsys.readouterr().err
    assert "the notice text cannot be rendered: nested too deeply" in err
    assert "Traceback" not in err
