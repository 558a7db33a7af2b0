"""Letters: a borrower without e-mail gets the notice on paper (issue 3, item 4).

Given a day's queued letters, ``lidgeld letters`` prints them as one A4 PDF,
one letter per page, addressed for a window envelope, with the payment box and
the "scan to pay" code for a borrower with an open contribution. The PDF is a
batch: its letters stay "te printen" until staff confirm the batch printed
(``--confirm``), and the next run for that day prints only new letters.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from django.utils import timezone
from pypdf import PdfReader

from lidgeld.audit.models import AuditEvent
from lidgeld.borrowers.models import Borrower
from lidgeld.cli.main import main
from lidgeld.domain.payment_reference import structured_communication
from lidgeld.notices.letter_batches import letter_batch_confirm, letter_batch_make
from lidgeld.notices.letter_content import borrower_address_lines
from lidgeld.notices.models import (
    KIND_END_OF_CONTRIBUTION,
    TYPE_CONTRIBUTION,
    Channel,
    Message,
    MessageStatus,
)
from tests.factories import make_borrower, make_instance, make_membership, make_open_fee, make_type

pytestmark = pytest.mark.django_db

DAY = date(2026, 4, 1)
RENDERED = timezone.make_aware(datetime(2026, 4, 1, 6, 0))

FR_BODY = (
    "Bonjour Émile,\n\n"
    "Votre abonnement à notre bibliothèque expire bientôt. Il reste une cotisation de "
    "12,00 € à payer : ça se règle au comptoir ou par virement.\n\n"
    "Cordialement,\nBibliothèque de Gand"
)
NL_BODY = (
    "Beste Zoë,\n\n"
    "Binnenkort loopt je lidmaatschap af. Kom vóór het einde van deze maand langs; "
    "het lidgeld blijft € 12,00 voor een heel jaar, ook voor je tweeëntwintigste.\n\n"
    "Met vriendelijke groeten,\nBibliotheek Gent"
)


def lidgeld(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def letter(borrower: Borrower, *, day: date = DAY, rendered: bool = True, **fields) -> Message:
    values = {
        "borrower": borrower,
        "instance": borrower.home_instance,
        "type": TYPE_CONTRIBUTION,
        "kind": KIND_END_OF_CONTRIBUTION,
        "date": day,
        "channel": Channel.LETTER,
        "status": MessageStatus.QUEUED,
        "language": borrower.language,
        "created_at": RENDERED,
        "rendered_at": RENDERED if rendered else None,
        **fields,
    }
    return Message.objects.create(**values)


def borrower_at(instance, postal_code: str, **fields) -> Borrower:
    borrower = make_borrower(instance, email="", **fields)
    borrower.postal_code = postal_code
    borrower.save(update_fields=["postal_code"])
    return borrower


@pytest.fixture
def gent():
    return make_instance(
        "GENT",
        name="Bibliotheek Gent",
        address="De Krook\nMiriam Makebaplein 1\n9000 Gent",
        opening_hours="ma–vr 10–19 u\nza 10–17 u",
        sender_email="bib@gent.be",
        sender_name="Stad Gent – Bibliotheek",
        iban="BE68 5390 0754 7034",
        bic="GKCCBEBB",
        portal_url="https://gent.bibliotheek.be",
    )


@pytest.fixture
def day_of_letters(gent):
    """Émile has an open fee and reads French; Zoë has paid and reads Dutch; Jan has
    e-mail; an old letter and an already printed one are not for today."""
    membership_type = make_type(gent)
    emile = borrower_at(gent, "9050", first_name="Émile", last_name="Dupré", language="fr")
    fee = make_open_fee(make_membership(emile, membership_type, date(2025, 5, 1)), DAY)
    zoe = borrower_at(gent, "9000", first_name="Zoë", last_name="Claes")
    jan = make_borrower(gent, first_name="Jan", last_name="Met Mail")
    letters = {
        "emile": letter(
            emile,
            subject="Votre abonnement à la bibliothèque expire bientôt",
            body=FR_BODY,
        ),
        "zoe": letter(
            zoe, subject="Je lidmaatschap van de bibliotheek loopt binnenkort af", body=NL_BODY
        ),
    }
    others = {
        "mail": letter(
            jan, channel=Channel.EMAIL, to_address=jan.email, subject="Mail", body="Per mail"
        ),
        "yesterday": letter(zoe, day=date(2026, 3, 31), subject="Gisteren", body="Oud"),
        "printed": letter(
            emile, kind="HR", status=MessageStatus.SENT, subject="Al gedrukt", body="Al gedrukt"
        ),
    }
    return {"fee": fee, "emile": emile, "zoe": zoe, **letters, "others": others}


def pages_text(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def test_the_days_letters_are_one_pdf_one_page_each_and_wait_to_be_confirmed(
    capsys, tmp_path, day_of_letters
):
    output = tmp_path / "l.pdf"
    code, out, err = lidgeld(capsys, "letters", "--date", "2026-04-01", "-o", str(output))

    assert (code, err) == (0, "")
    assert "2 letters for 2026-04-01" in out
    batch = Message.objects.get(pk=day_of_letters["zoe"].pk).letter_batch
    assert f"as batch {batch.pk}; none is marked sent yet" in out
    assert f"lidgeld letters --confirm {batch.pk}" in out
    reader = PdfReader(output)
    assert len(reader.pages) == 2
    # Sorted for the post: by postal code, so Zoë (9000) before Émile (9050).
    zoe_page, emile_page = (page.extract_text() for page in reader.pages)
    for text in (zoe_page, emile_page):
        assert "Bibliotheek Gent" in text  # letterhead
        assert "Miriam Makebaplein 1" in text
        assert "bib@gent.be" in text
    assert "Zoë Claes" in zoe_page
    assert "Je lidmaatschap van de bibliotheek loopt binnenkort af" in zoe_page
    assert "Kom vóór het einde van deze maand langs" in zoe_page
    assert (
        "het lidgeld blijft € 12,00 voor een heel jaar, ook voor je tweeëntwintigste."
        in " ".join(zoe_page.split())
    )
    assert "Gent, 1 april 2026" in zoe_page
    assert "+++" not in zoe_page  # nothing to pay, no payment box

    assert "Émile Dupré" in emile_page
    assert "Votre abonnement à la bibliothèque expire bientôt" in emile_page
    flat = " ".join(emile_page.split())
    assert "Il reste une cotisation de 12,00 € à payer : ça se règle au comptoir" in flat
    assert "Gent, 1 avril 2026" in emile_page
    assert structured_communication(day_of_letters["fee"].pk) in emile_page
    assert "BE68 5390 0754 7034" in emile_page
    assert "€ 12,00" in emile_page

    # Writing the PDF delivers nothing: the letters are still to print, and the file
    # is audited as an export of names and addresses.
    for name in ("emile", "zoe"):
        message = Message.objects.get(pk=day_of_letters[name].pk)
        assert (message.status, message.sent_at, message.attempts) == (
            MessageStatus.QUEUED,
            None,
            0,
        )
    assert not AuditEvent.objects.filter(action="message.sent").exists()
    export = AuditEvent.objects.get(action="letter_batch.export")
    assert export.after == {
        "batch": batch.pk, "format": "pdf", "rows": 2, "pages": 2, "file": str(output)
    }  # fmt: skip

    # A second run for that day prints nothing new and says which batch waits.
    again = tmp_path / "again.pdf"
    code, out, _ = lidgeld(capsys, "letters", "--date", "2026-04-01", "-o", str(again))
    assert code == 0
    assert "no new letters to print for 2026-04-01" in out
    assert f"batch {batch.pk} (2 letters) is not confirmed yet" in out
    assert not again.exists()

    # Once staff confirm the batch printed, its letters are sent, once.
    code, out, _ = lidgeld(capsys, "letters", "--confirm", str(batch.pk))
    assert code == 0
    assert f"batch {batch.pk}: 2 letters marked printed (sent)" in out
    for name in ("emile", "zoe"):
        message = Message.objects.get(pk=day_of_letters[name].pk)
        assert message.status == MessageStatus.SENT
        assert message.sent_at is not None
        assert message.attempts == 1
    assert AuditEvent.objects.filter(action="message.sent").count() == 2
    code, out, _ = lidgeld(capsys, "letters", "--confirm", str(batch.pk))
    assert code == 0
    assert f"batch {batch.pk} was confirmed already on" in out
    assert "nothing changed" in out
    assert AuditEvent.objects.filter(action="message.sent").count() == 2
    others = day_of_letters["others"]
    assert Message.objects.get(pk=others["mail"].pk).status == MessageStatus.QUEUED
    assert Message.objects.get(pk=others["yesterday"].pk).status == MessageStatus.QUEUED
    assert Message.objects.get(pk=others["printed"].pk).attempts == 0


def test_the_qr_code_to_pay_is_on_the_page_of_the_borrower_with_an_open_fee(
    capsys, tmp_path, day_of_letters
):
    import zxingcpp

    output = tmp_path / "l.pdf"
    assert lidgeld(capsys, "letters", "--date", "2026-04-01", "-o", str(output))[0] == 0
    zoe_page, emile_page = PdfReader(output).pages

    assert list(zoe_page.images) == []
    (qr,) = emile_page.images
    (code,) = zxingcpp.read_barcodes(qr.image)
    lines = code.text.splitlines()
    assert lines[0] == "BCD"
    assert "BE68539007547034" in lines
    assert "EUR12.00" in lines
    assert structured_communication(day_of_letters["fee"].pk).strip("+").replace("/", "") in [
        line.replace("+", "").replace("/", "") for line in lines
    ]


def test_a_letter_not_rendered_yet_gets_its_text_from_the_librarys_template(capsys, tmp_path, gent):
    borrower = borrower_at(gent, "9000", first_name="Ilse", last_name="Mertens")
    message = letter(borrower, rendered=False)

    output = tmp_path / "l.pdf"
    assert lidgeld(capsys, "letters", "--date", "2026-04-01", "-o", str(output))[0] == 0

    (text,) = pages_text(output)
    assert "Je lidmaatschap van de bibliotheek loopt binnenkort af" in text
    assert "Beste Ilse," in text
    message.refresh_from_db()
    assert message.rendered_at is not None
    assert message.subject == "Je lidmaatschap van de bibliotheek loopt binnenkort af"
    assert message.status == MessageStatus.QUEUED
    assert message.letter_batch is not None


def test_a_long_letter_runs_on_to_a_continuation_page(capsys, tmp_path, gent):
    borrower = borrower_at(gent, "9000", first_name="Lies", last_name="Lang")
    paragraph = "Dit is een lange alinea over de bibliotheek, met één € en een ç. " * 12
    letter(borrower, subject="Lang", body="\n\n".join([paragraph] * 8) + "\n\nEinde van de brief.")
    short = borrower_at(gent, "9100", first_name="Kort", last_name="Bondig")
    letter(short, subject="Kort", body="Kort.")

    output = tmp_path / "l.pdf"
    code, out, _ = lidgeld(capsys, "letters", "--date", "2026-04-01", "-o", str(output), "--json")

    assert code == 0
    answer = json.loads(out)
    assert answer["letters"] == 2
    assert answer["pages"] == 3
    assert answer["marked_sent"] == 0
    assert answer["batch"] is not None
    first, continued, other = pages_text(output)
    assert "Lies Lang" in first
    assert "Bibliotheek Gent · Lies Lang" in continued  # running head names the letter
    assert "vervolg" in continued
    assert "Einde van de brief." in continued
    assert "Kort Bondig" in other
    assert "Miriam Makebaplein 1" in other  # the next letter starts with its letterhead


def test_only_the_chosen_instance_is_printed(capsys, tmp_path, gent):
    brugge = make_instance(
        "BRUGGE", name="Bibliotheek Brugge", address="Kuipersstraat 3\n8000 Brugge"
    )
    letter(borrower_at(gent, "9000", last_name="Gentenaar"), subject="G", body="Gent")
    brugs = letter(borrower_at(brugge, "8000", last_name="Bruggeling"), subject="B", body="Brugge")

    output = tmp_path / "gent.pdf"
    code, _, _ = lidgeld(
        capsys, "letters", "--date", "2026-04-01", "-o", str(output), "--instance", "gent"
    )

    assert code == 0
    (text,) = pages_text(output)
    assert "Gentenaar" in text
    brugs.refresh_from_db()
    assert brugs.status == MessageStatus.QUEUED


def test_mistakes_are_refused_and_nothing_is_marked_sent(capsys, tmp_path, day_of_letters):
    code, _, err = lidgeld(
        capsys, "letters", "--date", "2026-04-01", "-o", str(tmp_path / "nope" / "l.pdf")
    )
    assert code == 2
    assert "folder" in err
    assert "does not exist" in err

    code, _, err = lidgeld(
        capsys, "letters", "--date", "2026-04-01", "-o", str(tmp_path / "l.pdf"), "--instance", "X"
    )
    assert code == 2
    assert "no instance 'X'" in err

    with pytest.raises(SystemExit) as exit_:
        main(["letters", "--date", "1 april", "-o", str(tmp_path / "l.pdf")])
    assert exit_.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err

    assert not (tmp_path / "l.pdf").exists()
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 1  # the one from before


def test_the_address_block_is_the_name_and_postal_code_for_now(gent):
    borrower = borrower_at(gent, "9000", first_name="Zoë", last_name="Claes")
    assert borrower_address_lines(borrower) == ["Zoë Claes", "9000"]


def test_no_letters_no_batch(gent):
    made = letter_batch_make(day=DAY, instance_ids=None, now=RENDERED, today=DAY, actor="test")
    assert (made.batch, made.failures) == (None, [])


def test_the_address_sits_in_the_envelope_window_and_the_letterhead_stays_left(
    capsys, tmp_path, day_of_letters
):
    import pypdfium2

    output = tmp_path / "l.pdf"
    assert lidgeld(capsys, "letters", "--date", "2026-04-01", "-o", str(output))[0] == 0
    dpi = 100
    # PDFium (Chrome's PDF engine) draws the page: an independent reader of what ReportLab wrote.
    document = pypdfium2.PdfDocument(str(output))
    page = document[0].render(scale=dpi / 72).to_pil().convert("L")
    assert abs(page.size[1] - 297 / 25.4 * dpi) <= 1  # A4 portrait

    def ink(left_mm: float, top_mm: float, right_mm: float, bottom_mm: float) -> int:
        box = tuple(round(v / 25.4 * dpi) for v in (left_mm, top_mm, right_mm, bottom_mm))
        return sum(page.crop(box).histogram()[:128])  # pixels darker than mid-grey

    assert ink(100, 45, 190, 90) > 200  # the address, in the window (90 × 45 mm)
    assert ink(96, 0, 210, 44) == 0  # nothing above the window on the right
    assert ink(6, 92, 210, 98) == 0  # nothing between the window and the reference line
    assert ink(20, 15, 95, 40) > 200  # the letterhead, top left


def test_a_letter_is_in_one_batch_and_a_batch_is_confirmed_once(day_of_letters):
    first = letter_batch_make(day=DAY, instance_ids=None, now=RENDERED, today=DAY, actor="a")
    second = letter_batch_make(day=DAY, instance_ids=None, now=RENDERED, today=DAY, actor="b")
    assert first.batch is not None
    assert first.batch.letters == 2
    assert second.batch is None  # the letters are in the first pile already

    once = letter_batch_confirm(batch=first.batch, now=RENDERED, today=DAY, actor="a")
    twice = letter_batch_confirm(batch=first.batch, now=RENDERED, today=DAY, actor="b")
    assert (once.marked, once.already) == (2, False)
    assert (twice.marked, twice.already) == (0, True)
    assert twice.batch.printed_by == "a"
    assert Message.objects.filter(status=MessageStatus.SENT, attempts=1).count() == 2


def test_a_lost_pdf_is_written_again_from_its_batch(capsys, tmp_path, day_of_letters):
    assert lidgeld(capsys, "letters", "--date", "2026-04-01", "-o", str(tmp_path / "a.pdf"))[0] == 0
    batch = Message.objects.get(pk=day_of_letters["zoe"].pk).letter_batch

    again = tmp_path / "b.pdf"
    code, out, _ = lidgeld(capsys, "letters", "--batch", str(batch.pk), "-o", str(again))

    assert code == 0
    assert f"batch {batch.pk} (2 letters, not confirmed yet) written to" in out
    assert len(pages_text(again)) == 2
    assert AuditEvent.objects.filter(action="letter_batch.export").count() == 2
    assert not Message.objects.filter(pk=day_of_letters["zoe"].pk, status="sent").exists()


def test_confirming_a_batch_that_does_not_exist_is_refused(capsys, gent):
    code, _, err = lidgeld(capsys, "letters", "--confirm", "999")
    assert code == 2
    assert "no letter batch 999" in err
    code, _, err = lidgeld(capsys, "letters", "--confirm", "1", "-o", "x.pdf")
    assert code == 2
    assert "--confirm takes only the batch number" in err
    code, _, err = lidgeld(capsys, "letters")
    assert code == 2
    assert "-o letters.pdf" in err


def test_a_letter_whose_text_cannot_render_is_failed_and_the_others_are_printed(
    capsys, tmp_path, gent
):
    from lidgeld.notices.models import NoticeTemplate

    # given GENT's text saved before texts were checked (120 ifs deep) and a letter of
    # GENT and one of BRUGGE, neither rendered yet
    NoticeTemplate.objects.create(
        instance=gent, kind="AE", language="nl", subject="Lid",
        body_text="{% if first_name %}x\n" * 120 + "{% endif %}" * 120,
        updated_at=RENDERED, updated_by="old",
    )  # fmt: skip
    brugge = make_instance(
        "BRUGGE", name="Bibliotheek Brugge", address="Kuipersstraat 3\n8000 Brugge"
    )
    broken = letter(borrower_at(gent, "9000", last_name="Gentenaar"), rendered=False)
    fine = letter(borrower_at(brugge, "8000", last_name="Bruggeling"), rendered=False)

    output = tmp_path / "l.pdf"
    code, out, err = lidgeld(capsys, "letters", "--date", "2026-04-01", "-o", str(output))

    # then Brugge's letter is printed, and Gent's is failed with the reason
    assert code == 0
    assert "1 letter for 2026-04-01" in out
    (text,) = pages_text(output)
    assert "Bruggeling" in text
    assert f"letter {broken.pk} (GENT, card {broken.borrower.card_number}, CAE) not printed" in err
    assert "nested too deeply" in err
    broken.refresh_from_db()
    assert broken.status == MessageStatus.FAILED
    assert "the notice text cannot be rendered: nested too deeply" in broken.last_error
    assert broken.letter_batch is None
    fine.refresh_from_db()
    assert (fine.status, fine.letter_batch is not None) == (MessageStatus.QUEUED, True)


def test_the_window_shows_name_street_and_town(gent):
    from lidgeld.notices.letter_content import borrower_address_lines

    borrower = make_borrower(gent, email="", first_name="Els", last_name="Claes")
    borrower.street, borrower.postal_code, borrower.city = "Kerkstraat 12", "9000", "Gent"
    assert borrower_address_lines(borrower) == ["Els Claes", "Kerkstraat 12", "9000 Gent"]
