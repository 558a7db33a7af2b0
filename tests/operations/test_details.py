"""Issue 13 item 2: a correction of the e-mail address queues one notice to the old
address when the borrower's library wants it (Instance.notice_old_email), else none;
the sender delivers it like every other notice."""

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from lidgeld.audit.models import AuditEvent
from lidgeld.borrowers.models import Borrower
from lidgeld.clock import at_nine
from lidgeld.errors import InvalidInput
from lidgeld.libraries.models import Instance
from lidgeld.lifecycle.tick import tick_run
from lidgeld.notices.delivery import messages_send
from lidgeld.notices.letter_batches import letters_due
from lidgeld.notices.models import (
    KIND_EMAIL_CHANGED,
    Channel,
    Message,
    MessageStatus,
    NoticeTemplate,
)
from lidgeld.notices.services import notice_kinds_set, notice_template_save
from lidgeld.notices.transports import SmtpSettings, SmtpTransport
from lidgeld.operations.details import borrower_correct
from lidgeld.portal.templatetags.portal import notice_title
from lidgeld.standing.status import borrower_status
from tests.factories import (
    make_borrower,
    make_instance,
    make_membership,
    make_open_fee,
    make_staff,
    make_type,
)
from tests.notices.test_delivery import Recorder, free_port, smtp_server

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 10)
DESK = {"today": TODAY, "now": at_nine(TODAY), "actor": "staff:els"}
PORTAL = DESK | {"actor": "portal:B100"}


@pytest.fixture
def server():
    handler = Recorder()
    port = free_port()
    with smtp_server(handler, port):
        handler.transport = SmtpTransport(  # type: ignore[attr-defined]
            SmtpSettings(host="127.0.0.1", port=port, timeout=5)
        )
        yield handler


def member(
    *, notice_old_email=True, email="helene@oud.be", language="nl", code="GENT", card="B100"
):
    instance = make_instance(
        code,
        name="Bibliotheek Gent",
        notice_old_email=notice_old_email,
        sender_email="info@bibliotheek.gent.be",
        iban="BE68539007547034",
    )
    borrower = make_borrower(
        instance, card=card, email=email, language=language, first_name="Hélène"
    )
    make_membership(borrower, make_type(instance), date(2026, 1, 1))
    return borrower


def notices():
    return list(Message.objects.filter(kind=KIND_EMAIL_CHANGED))


def test_with_the_setting_off_an_e_mail_change_queues_nothing():
    # given a library that keeps the default (no notice to the old address)
    borrower = member(notice_old_email=False)
    # when the desk corrects the e-mail address
    done = borrower_correct(borrower=borrower, changes={"email": "hd@nieuw.be"}, **DESK)
    # then it is changed, and no notice is queued to either address
    assert done.changes == {"email": ("helene@oud.be", "hd@nieuw.be")}
    assert done.notice is None
    assert not Message.objects.exists()
    assert Borrower.objects.get(pk=borrower.pk).email == "hd@nieuw.be"


def test_with_the_setting_on_the_old_address_hears_of_it_and_gets_it_by_mail(server):
    # given a library that wants the old address told, and a French-speaking borrower
    borrower = member(language="fr")
    # when the desk corrects the e-mail address
    done = borrower_correct(borrower=borrower, changes={"email": "hd@nieuw.be"}, **DESK)
    # then one notice waits in the outbox for the OLD address, in French, already written
    [notice] = notices()
    assert done.notice == notice
    assert (notice.to_address, notice.channel, notice.status) == (
        "helene@oud.be",
        Channel.EMAIL,
        MessageStatus.QUEUED,
    )
    assert (notice.language, notice.date, notice.code) == ("fr", TODAY, "CEW")
    assert notice.subject == "L’adresse e-mail de votre compte à la bibliothèque a été modifiée"
    assert "Le 10/04/2026" in notice.body
    assert "remplacée par h***@nieuw.be au comptoir" in notice.body
    assert "hd@nieuw.be" not in notice.body
    assert "Contactez alors la bibliothèque" in notice.body
    # and the sender delivers it to the old address only
    report = messages_send(now=at_nine(TODAY), transport=server.transport)
    assert (report.sent, report.failed) == (1, 0)
    assert server.envelopes == [("info@bibliotheek.gent.be", ["helene@oud.be"])]
    [mail] = server.accepted
    assert mail["Subject"] == notice.subject
    assert "h***@nieuw.be" in mail.get_content()
    assert Message.objects.get(pk=notice.pk).status == MessageStatus.SENT


def test_a_change_in_the_portal_says_so_and_carries_no_payment_qr(server):
    # given a borrower with an open fee (other notices carry a payment QR then)
    borrower = member()
    make_open_fee(borrower.memberships.get(), date(2026, 1, 1))
    # when the borrower changes the address in Mijn Bibliotheek
    borrower_correct(borrower=borrower, changes={"email": "hd@nieuw.be"}, **PORTAL)
    # then the Dutch notice names the portal and the masked address
    [notice] = notices()
    assert notice.subject == "Het e-mailadres van je bibliotheekaccount is gewijzigd"
    assert (
        "Op 10/04/2026 werd het e-mailadres van je account bij Bibliotheek Gent via Mijn "
        "Bibliotheek gewijzigd in h***@nieuw.be." in notice.body
    )
    messages_send(now=at_nine(TODAY), transport=server.transport)
    [mail] = server.accepted
    assert not mail.is_multipart()


def test_removing_the_address_tells_the_old_one_it_was_removed():
    borrower = member(language="en")
    borrower_correct(borrower=borrower, changes={"email": ""}, **DESK)
    [notice] = notices()
    assert notice.to_address == "helene@oud.be"
    assert "was removed at the desk." in notice.body


def test_without_an_old_address_or_without_a_change_nothing_is_queued():
    # given a borrower without an e-mail address, and one whose address stays the same
    without = member(email="")
    same = member(code="AALST", card="B200")
    # when both are corrected
    borrower_correct(borrower=without, changes={"email": "hd@nieuw.be"}, **DESK)
    unchanged = borrower_correct(
        borrower=same, changes={"email": "helene@oud.be", "phone": "+3292661111"}, **DESK
    )
    case_only = borrower_correct(borrower=same, changes={"email": "Helene@Oud.be"}, **DESK)
    # then nothing is queued: no old address to tell, no change, the same mailbox
    assert "email" not in unchanged.changes
    assert unchanged.notice is None
    assert case_only.changes == {"email": ("helene@oud.be", "Helene@Oud.be")}
    assert not Message.objects.exists()


def test_a_refused_correction_changes_nothing_and_queues_nothing():
    borrower = member()
    with pytest.raises(InvalidInput):
        borrower_correct(
            borrower=borrower, changes={"email": "hd@nieuw.be", "postal_code": "12"}, **DESK
        )
    assert Borrower.objects.get(pk=borrower.pk).email == "helene@oud.be"
    assert not Message.objects.exists()
    assert not AuditEvent.objects.filter(action="borrower.details_corrected").exists()


def test_a_library_text_that_cannot_render_fails_the_notice_not_the_change():
    borrower = member()
    notice_template_save(
        instance=borrower.home_instance,
        kind="CEW",
        language="nl",
        subject="Gewijzigd",
        body_text="Nieuw: {{ new_email_masked }} {{ changed_in_portal }}",
        **DESK,
    )
    # a text saved before texts were checked, that no longer renders
    NoticeTemplate.objects.update(body_text="{{ first_name | truncate(3) }}")
    done = borrower_correct(borrower=borrower, changes={"email": "hd@nieuw.be"}, **DESK)
    assert Borrower.objects.get(pk=borrower.pk).email == "hd@nieuw.be"
    assert done.notice is not None
    assert done.notice.status == MessageStatus.FAILED
    assert done.notice.last_error.startswith("cannot render the notice")


def test_the_librarys_own_text_is_used_with_the_new_placeholders():
    borrower = member()
    notice_template_save(
        instance=borrower.home_instance,
        kind="CEW",
        language="nl",
        subject="Adres gewijzigd",
        body_text="Nu {{ new_email_masked }}{% if changed_in_portal %} (portaal){% endif %}.",
        **DESK,
    )
    borrower_correct(borrower=borrower, changes={"email": "hd@nieuw.be"}, **PORTAL)
    [notice] = notices()
    assert (notice.subject, notice.body) == ("Adres gewijzigd", "Nu h***@nieuw.be (portaal).")


def test_the_notice_is_on_the_borrowers_record_and_no_run_or_letter_batch_takes_it():
    # given a queued notice to the old address
    borrower = member()
    borrower_correct(borrower=borrower, changes={"email": "hd@nieuw.be"}, **DESK)
    # then the borrower's record (what the borrower page lists) shows it
    status = borrower_status(borrower=borrower, today=TODAY)
    assert [m.kind for m in status.messages] == [KIND_EMAIL_CHANGED]
    # and neither the letters nor the daily run on the 1st touch it or add another
    assert not letters_due(day=TODAY).exists()
    first = date(2026, 5, 1)
    tick_run(today=first, now=timezone.make_aware(datetime(2026, 5, 1, 2)))
    [notice] = notices()
    assert (notice.status, notice.to_address) == (MessageStatus.QUEUED, "helene@oud.be")
    assert not letters_due(day=first).filter(kind=KIND_EMAIL_CHANGED).exists()


def test_the_correction_asks_the_database_the_same_whatever_grows():
    def queries_of_one_correction(new_email):
        borrower = Borrower.objects.get(card_number="B100")
        with CaptureQueriesContext(connection) as queries:
            borrower_correct(borrower=borrower, changes={"email": new_email}, **DESK)
        return len(queries)

    borrower = member()
    small = queries_of_one_correction("een@nieuw.be")
    # given more borrowers, notices, periods and open fees
    for n in range(15):
        other = make_borrower(borrower.home_instance, email=f"x{n}@oud.be")
        borrower_correct(borrower=other, changes={"email": f"y{n}@nieuw.be"}, **DESK)
    for year in (2023, 2024, 2025):
        make_membership(
            borrower, make_type(borrower.home_instance, code=f"T{year}"), date(year, 1, 1)
        )
    for period in borrower.memberships.all():
        make_open_fee(period, period.start)
    assert queries_of_one_correction("twee@nieuw.be") == small


def test_the_borrower_page_lists_the_notice_with_its_label_and_text(client):
    # given a queued notice to the old address
    borrower = member()
    borrower_correct(borrower=borrower, changes={"email": "hd@nieuw.be"}, **DESK)
    # when the desk opens the borrower (in Dutch)
    client.force_login(make_staff("balie-gent", borrower.home_instance))
    client.cookies["django_language"] = "nl"
    page = client.get(f"/staff/borrowers/{borrower.pk}/").content.decode()
    # then the message is there with its code, its Dutch label, the old address and its text
    assert "<strong>CEW</strong> e-mailadres gewijzigd" in page
    assert "helene@oud.be" in page
    assert "Het e-mailadres van je bibliotheekaccount is gewijzigd" in page
    assert "gewijzigd in h***@nieuw.be" in page


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("nl", "Het e-mailadres van je bibliotheekaccount is gewijzigd"),
        ("fr", "L’adresse e-mail de votre compte à la bibliothèque a été modifiée"),
        ("en", "The e-mail address of your library account was changed"),
    ],
)
def test_the_portal_lists_the_notice_under_its_subject_in_the_borrowers_language(language, title):
    borrower = member(language=language)
    done = borrower_correct(borrower=borrower, changes={"email": "hd@nieuw.be"}, **PORTAL)
    with translation.override(language):
        assert notice_title(done.notice) == title


def test_the_notice_kinds_switch_cew_is_the_librarys_notice_old_email():
    borrower = member(notice_old_email=False)
    notice_kinds_set(instance=borrower.home_instance, enabled={"CEW": True}, **DESK)
    assert Instance.objects.get(pk=borrower.home_instance_id).notice_old_email
    assert borrower_correct(borrower=borrower, changes={"email": "hd@nieuw.be"}, **DESK).notice
