"""Delivering the outbox to a real SMTP server on loopback (aiosmtpd, started here)."""

from __future__ import annotations

import email
import email.policy
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from lidgeld.cli.main import main
from lidgeld.clock import clock
from lidgeld.errors import InvalidInput
from lidgeld.notices import delivery
from lidgeld.notices.delivery import (
    LEASE,
    MAX_ATTEMPTS,
    backoff,
    messages_claim,
    messages_send,
    sender_loop,
)
from lidgeld.notices.emails import email_build
from lidgeld.notices.models import Message, MessageStatus
from lidgeld.notices.transports import FolderTransport, SmtpSettings, SmtpTransport, parse_smtp_url
from tests.concurrency import at_the_same_moment
from tests.factories import make_borrower, make_instance

USER = "bib@gent"
PASSWORD = "s3cr3t:p@ss/w%rd"


class Recorder:
    """An SMTP server's handler: keeps what it accepted and answers as told."""

    def __init__(self) -> None:
        self.accepted: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refused: list[EmailMessage] = []
        self.rcpt_answers: dict[str, str] = {}  # address → answer, every time
        self.data_answers: list[str] = []  # next DATA answers, once each

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.rcpt_answers:
            return self.rcpt_answers[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
        if self.data_answers:
            self.refused.append(mail)
            return self.data_answers.pop(0)
        self.accepted.append(mail)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 2.0.0 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(handler: Recorder, port: int, **smtp_options) -> Iterator[Controller]:
    controller = Controller(handler, hostname="127.0.0.1", port=port, **smtp_options)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@pytest.fixture
def server():
    handler = Recorder()
    port = free_port()
    with smtp_server(handler, port):
        handler.port = port  # type: ignore[attr-defined]
        handler.transport = SmtpTransport(  # type: ignore[attr-defined]
            SmtpSettings(host="127.0.0.1", port=port, timeout=5)
        )
        yield handler


@pytest.fixture
def gent(db):
    return make_instance(
        "GENT",
        name="Bibliotheek Gent",
        sender_email="info@bibliotheek.gent.be",
        sender_name="Bibliotheek Gent – De Krook",
        reply_to_email="balie@bibliotheek.gent.be",
    )


def queue(instance, *, to="lener@example.be", language="nl", html="", **fields) -> Message:
    borrower = make_borrower(instance, email=to, language=language)
    now = clock.now()
    values = {
        "borrower": borrower,
        "instance": instance,
        "type": "C",
        "kind": "AE",
        "date": now.date(),
        "channel": "email",
        "language": language,
        "to_address": to,
        "subject": "Je lidmaatschap loopt af – vernieuw vóór 30/04",
        "body": "Beste An,\n\nJe lidmaatschap loopt af. Lidgeld: € 12,00. Café tot 30/04.\n",
        "body_html": html,
        "rendered_at": now,
        "created_at": now,
    }
    values.update(fields)
    return Message.objects.create(**values)


def fresh(message: Message) -> Message:
    return Message.objects.get(pk=message.pk)


# --- content and headers -------------------------------------------------------------------


def test_a_notice_reaches_the_server_with_its_headers_and_utf8_text(gent, server):
    message = queue(gent, to="an.peeters@example.be", language="fr")
    now = clock.now()

    report = messages_send(now=now, transport=server.transport)

    assert (report.sent, report.retried, report.failed, report.remaining) == (1, 0, 0, 0)
    [mail] = server.accepted
    assert server.envelopes == [("info@bibliotheek.gent.be", ["an.peeters@example.be"])]
    assert mail["From"] == "Bibliotheek Gent – De Krook <info@bibliotheek.gent.be>"
    assert mail["Reply-To"] == "balie@bibliotheek.gent.be"
    assert mail["To"] == "an.peeters@example.be"
    assert mail["Subject"] == "Je lidmaatschap loopt af – vernieuw vóór 30/04"
    assert mail["Content-Language"] == "fr"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Date"].datetime == now
    assert re.fullmatch(r"<lidgeld-\d+-[0-9a-f]{16}@bibliotheek\.gent\.be>", mail["Message-ID"])
    assert not mail.is_multipart()
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content_charset() == "utf-8"
    assert "Lidgeld: € 12,00. Café tot 30/04." in mail.get_content()

    message = fresh(message)
    assert message.status == MessageStatus.SENT
    assert message.sent_at == now
    assert message.attempts == 1
    assert message.last_error == ""
    assert message.message_id == mail["Message-ID"]


def test_an_html_body_goes_as_an_alternative_to_the_text(gent, server):
    queue(gent, language="nl", html="<p>Beste An,</p><p>Lidgeld: <b>€ 12,00</b> – café</p>")

    messages_send(now=clock.now(), transport=server.transport)

    [mail] = server.accepted
    assert mail.get_content_type() == "multipart/alternative"
    assert mail["Content-Language"] == "nl"
    plain, html = mail.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert "€ 12,00" in plain.get_content()
    assert html.get_content_type() == "text/html"
    assert html.get_content_charset() == "utf-8"
    assert "<b>€ 12,00</b> – café" in html.get_content()


def test_without_a_sender_address_the_mail_comes_from_noreply_at_localhost(db, server):
    queue(make_instance("AALST", name="Bibliotheek Aalst"), language="en")

    messages_send(now=clock.now(), transport=server.transport)

    [mail] = server.accepted
    assert mail["From"] == "Bibliotheek Aalst <noreply@localhost>"
    assert mail["Reply-To"] is None
    assert mail["Content-Language"] == "en"
    assert mail["Message-ID"].endswith("@localhost>")


def test_a_batch_uses_one_connection_and_sends_every_message(gent, server):
    messages = [queue(gent, to=f"lener{n}@example.be") for n in range(5)]

    report = messages_send(now=clock.now(), batch_size=2, transport=server.transport)

    assert (report.sent, report.batches) == (5, 3)
    assert sorted(rcpt for _, [rcpt] in server.envelopes) == sorted(m.to_address for m in messages)
    assert len({mail["Message-ID"] for mail in server.accepted}) == 5


def test_a_notice_not_rendered_yet_is_rendered_just_before_it_goes_out(gent, server):
    message = queue(gent, subject="", body="", rendered_at=None, language="fr")
    now = clock.now()

    messages_send(now=now, transport=server.transport)

    [mail] = server.accepted
    message = fresh(message)
    assert message.rendered_at == now
    assert message.subject
    assert mail["Subject"] == message.subject
    text = mail.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert text.strip() == message.body.strip()


def test_a_notice_whose_text_cannot_render_fails_with_the_reason_and_the_others_go(gent, server):
    from lidgeld.notices.models import NoticeTemplate

    # given texts saved before they were checked: one with an unknown placeholder, and
    # another library's with 120 {% if %} inside each other (it parses, it cannot render)
    leuven = make_instance("LEUVEN")
    deep = "{% if first_name %}x\n" * 120 + "{% endif %}" * 120
    for instance, language, body in (
        (gent, "en", "Hello {{ nobody_knows_me }}"),
        (leuven, "nl", deep),
    ):
        NoticeTemplate.objects.create(
            instance=instance, kind="AE", language=language, subject="Lid", body_text=body,
            updated_at=clock.now(), updated_by="test",
        )  # fmt: skip
    unknown = queue(gent, subject="", body="", rendered_at=None, language="en")
    too_deep = queue(leuven, subject="", body="", rendered_at=None, language="nl")
    fine = queue(gent, subject="", body="", rendered_at=None, language="nl")

    report = messages_send(now=clock.now(), transport=server.transport)

    # then each broken one is failed with its reason, and the other one is sent
    assert (report.sent, report.failed, report.retried) == (1, 2, 0)
    fine = fresh(fine)
    assert fine.status == MessageStatus.SENT
    assert fine.rendered_at == clock.now()
    assert server.accepted[0]["Subject"] == fine.subject != ""
    unknown = fresh(unknown)
    assert unknown.status == MessageStatus.FAILED
    assert unknown.last_error.startswith("cannot render the notice:")
    assert "nobody_knows_me" in unknown.last_error
    assert unknown.rendered_at is None
    too_deep = fresh(too_deep)
    assert too_deep.status == MessageStatus.FAILED
    assert "nested too deeply" in too_deep.last_error
    assert len(server.accepted) == 1


# --- temporary and permanent failures ------------------------------------------------------


def test_451_then_250_is_retried_after_the_backoff_and_sent_once(gent, server):
    message = queue(gent)
    server.data_answers.append("451 4.3.0 Mailbox busy, try again later")
    now = clock.now()

    first = messages_send(now=now, transport=server.transport)

    assert (first.sent, first.retried, first.remaining) == (0, 1, 1)
    message = fresh(message)
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    assert "451 4.3.0 Mailbox busy, try again later" in message.last_error
    assert message.next_attempt_at == now + timedelta(minutes=5)

    too_early = messages_send(now=now + timedelta(minutes=4), transport=server.transport)
    assert too_early.sent == 0
    assert server.accepted == []

    later = messages_send(now=now + timedelta(minutes=5), transport=server.transport)

    assert later.sent == 1
    [mail] = server.accepted
    [refused] = server.refused
    assert mail["Message-ID"] == refused["Message-ID"] == fresh(message).message_id
    message = fresh(message)
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2
    assert message.last_error == ""
    assert message.sent_at == now + timedelta(minutes=5)


def test_550_fails_the_message_with_the_servers_answer_and_the_batch_goes_on(gent, server):
    unknown = queue(gent, to="niemand@example.be")
    known = queue(gent, to="an@example.be")
    server.rcpt_answers["niemand@example.be"] = "550 5.1.1 <niemand@example.be>: no such user"

    report = messages_send(now=clock.now(), transport=server.transport)

    assert (report.sent, report.failed, report.retried) == (1, 1, 0)
    unknown = fresh(unknown)
    assert unknown.status == MessageStatus.FAILED
    assert "550 5.1.1 <niemand@example.be>: no such user" in unknown.last_error
    assert unknown.attempts == 1
    assert unknown.next_attempt_at is None
    assert fresh(known).status == MessageStatus.SENT
    assert server.envelopes == [("info@bibliotheek.gent.be", ["an@example.be"])]


def test_a_temporary_failure_on_the_last_attempt_fails_the_message(gent, server):
    message = queue(gent, attempts=MAX_ATTEMPTS - 1)
    server.data_answers.append("452 4.2.2 Mailbox full")

    report = messages_send(now=clock.now(), transport=server.transport)

    assert report.failed == 1
    message = fresh(message)
    assert message.status == MessageStatus.FAILED
    assert message.attempts == MAX_ATTEMPTS
    assert (
        message.last_error
        == f"given up after {MAX_ATTEMPTS} attempts: DATA: 452 4.2.2 Mailbox full"
    )


def test_the_backoff_doubles_from_five_minutes_up_to_six_hours():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (5, 10, 20, 40)]
    assert backoff(7) == timedelta(hours=5, minutes=20)
    assert backoff(8) == backoff(20) == timedelta(hours=6)


def test_with_the_server_down_nothing_is_lost_and_the_next_run_sends_it(gent):
    messages = [queue(gent, to=f"lener{n}@example.be") for n in range(3)]
    port = free_port()  # nobody listens there
    transport = SmtpTransport(SmtpSettings(host="127.0.0.1", port=port, timeout=5))
    now = clock.now()

    down = messages_send(now=now, batch_size=2, transport=transport)

    assert (down.sent, down.retried, down.failed, down.remaining) == (0, 2, 0, 3)
    assert down.stopped == f"connect: connection refused by 127.0.0.1:{port}"
    assert down.batches == 1  # the run stops instead of knocking once per batch
    rows = [fresh(m) for m in messages]
    assert [m.status for m in rows] == [MessageStatus.QUEUED] * 3
    assert [m.attempts for m in rows] == [1, 1, 0]
    assert rows[0].last_error == f"connect: connection refused by 127.0.0.1:{port}"
    assert rows[0].next_attempt_at == now + timedelta(minutes=5)

    handler = Recorder()
    with smtp_server(handler, port):
        up = messages_send(now=now + timedelta(minutes=5), transport=transport)

    assert (up.sent, up.remaining) == (3, 0)
    assert sorted(rcpt for _, [rcpt] in handler.envelopes) == [m.to_address for m in messages]
    assert all(fresh(m).status == MessageStatus.SENT for m in messages)


def test_a_message_without_an_address_fails_without_asking_the_server(gent, server):
    message = queue(gent, to="")

    report = messages_send(now=clock.now(), transport=server.transport)

    assert report.failed == 1
    assert fresh(message).last_error == "no e-mail address to send it to"
    assert server.accepted == []


def test_letters_and_messages_not_due_yet_are_left_alone(gent, server):
    letter = queue(gent, channel="letter")
    later = queue(gent, next_attempt_at=clock.now() + timedelta(minutes=1))

    report = messages_send(now=clock.now(), transport=server.transport)

    assert (report.sent, report.remaining) == (0, 1)
    assert fresh(letter).status == MessageStatus.QUEUED
    assert fresh(later).attempts == 0


# --- claims and leases ---------------------------------------------------------------------


def test_a_claim_whose_sender_died_is_sent_again_with_the_same_message_id(gent, server):
    message = queue(gent)
    start = clock.now()
    # A sender claims the message, hands it to the server, and dies before it
    # records "sent".
    [claimed] = messages_claim(now=start, batch_size=10)
    delivery.attempt_record(claimed)
    connection_ = server.transport.open()
    connection_.send(
        email_build(claimed, now=start),
        sender="info@bibliotheek.gent.be",
        recipient="lener@example.be",
    )
    connection_.close()
    assert fresh(message).next_attempt_at == start + LEASE
    assert fresh(message).status == MessageStatus.QUEUED

    during_lease = messages_send(
        now=start + LEASE - timedelta(seconds=1), transport=server.transport
    )
    assert during_lease.sent == 0

    after_lease = messages_send(now=start + LEASE, transport=server.transport)

    assert after_lease.sent == 1
    first, second = server.accepted
    assert first["Message-ID"] == second["Message-ID"] == fresh(message).message_id
    assert fresh(message).attempts == 2  # the sender that died had counted its try


def test_a_batch_that_outlives_half_its_lease_hands_back_what_it_did_not_reach(gent, server):
    messages = [queue(gent, to=f"lener{n}@example.be") for n in range(3)]
    now = clock.now()

    # With no lease at all, the batch is out of time after its first message.
    report = messages_send(now=now, max_batches=1, lease=timedelta(0), transport=server.transport)

    assert (report.sent, report.remaining) == (1, 2)
    rest = [fresh(m) for m in messages[1:]]
    assert [(m.status, m.attempts, m.next_attempt_at) for m in rest] == [
        (MessageStatus.QUEUED, 0, now)
    ] * 2
    assert messages_send(now=now, transport=server.transport).sent == 2


def test_a_message_whose_sender_keeps_dying_is_given_up(gent, server):
    message = queue(gent, attempts=MAX_ATTEMPTS, last_error="DATA: 451 busy")

    report = messages_send(now=clock.now(), transport=server.transport)

    assert report.sent == 0
    message = fresh(message)
    assert message.status == MessageStatus.FAILED
    assert message.last_error.startswith(f"given up after {MAX_ATTEMPTS} attempts")
    assert server.accepted == []


class Staller(Recorder):
    """Holds the RCPT of the addresses in ``stall`` until they leave that set, and says
    when a sender got stuck there (so the test can kill it right then)."""

    def __init__(self, *stall: str) -> None:
        super().__init__()
        self.stall = set(stall)
        self.stuck = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        import asyncio

        if address in self.stall:
            self.stuck.set()
            while address in self.stall:
                await asyncio.sleep(0.05)
            return "451 4.3.0 try again later"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


@pytest.mark.django_db(transaction=True)
def test_a_message_killed_senders_never_reached_is_sent_once_and_never_given_up():
    import signal

    from lidgeld.clock import Clock
    from tests.subprocess_cli import lidgeld_env, run_lidgeld, start_lidgeld

    # given two notices ahead of Lotte's on which every sender gets stuck and is killed
    instance = make_instance()
    today = Clock().today()  # the sender runs in its own process, on the real clock
    stuck_first = queue(instance, to="traag@example.be", date=today)
    stuck_next = queue(instance, to="trager@example.be", date=today)
    lotte = queue(instance, to="lotte@example.be", date=today)
    handler = Staller("traag@example.be", "trager@example.be")
    port = free_port()
    env = lidgeld_env(LIDGELD_SMTP_URL=f"smtp://127.0.0.1:{port}?timeout=60")
    with smtp_server(handler, port):
        for _ in range(MAX_ATTEMPTS + 2):
            handler.stuck.clear()
            sender = start_lidgeld("send", "--batch-size", "10", env=env)
            deadline = time.monotonic() + 60
            while not handler.stuck.wait(0.1) and sender.poll() is None:
                assert time.monotonic() < deadline, "the sender neither got stuck nor ended"
            sender.send_signal(signal.SIGKILL)
            out, _ = sender.communicate(timeout=30)
            assert handler.stuck.is_set(), f"the sender got through: {out}"
            # the killed sender's claim runs out
            Message.objects.filter(status=MessageStatus.QUEUED).update(next_attempt_at=None)
        # then Lotte's notice was never tried, so it is not given up
        assert (fresh(lotte).status, fresh(lotte).attempts) == (MessageStatus.QUEUED, 0)
        # while the one the senders died on ten times is
        stuck = fresh(stuck_first)
        assert stuck.status == MessageStatus.FAILED
        assert stuck.last_error.startswith(f"given up after {MAX_ATTEMPTS} attempts")

        # when a sender finally gets through
        handler.stall.clear()
        done = run_lidgeld("send", env=env)

    # then Lotte gets her notice exactly once
    assert done.returncode == 0, done.stderr
    lotte = fresh(lotte)
    assert (lotte.status, lotte.attempts) == (MessageStatus.SENT, 1)
    recipients = [rcpt for _, [rcpt] in handler.envelopes]
    assert recipients.count("lotte@example.be") == 1
    assert fresh(stuck_next).status == MessageStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_two_senders_claiming_at_once_get_different_messages():
    instance = make_instance()
    messages = [queue(instance, to=f"lener{n}@example.be") for n in range(40)]
    now = clock.now()

    def sender(_: int) -> list[list[int]]:
        return [[m.pk for m in messages_claim(now=now, batch_size=7)] for _ in range(4)]

    batches, errors = at_the_same_moment(sender, timeout=30)

    assert errors == []
    claims = [claim for batch in batches for claim in batch]
    claimed = [pk for claim in claims for pk in claim]
    assert len(claimed) == len(set(claimed)) == 40
    assert sorted(claimed) == sorted(m.pk for m in messages)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_message_locked_by_another_sender_is_skipped_not_waited_for():
    from django.db import connections, transaction

    instance = make_instance()
    locked, free = queue(instance), queue(instance, to="ander@example.be")
    ready, release = threading.Event(), threading.Event()

    def other_sender() -> None:
        try:
            with transaction.atomic():
                list(Message.objects.select_for_update().filter(pk=locked.pk))
                ready.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_sender)
    thread.start()
    try:
        assert ready.wait(timeout=10)
        started = time.monotonic()
        claimed = messages_claim(now=clock.now(), batch_size=10)
        assert time.monotonic() - started < 5
    finally:
        release.set()
        thread.join(timeout=30)
    assert [m.pk for m in claimed] == [free.pk]


# --- where mail goes: folder, SMTP URL, credentials ----------------------------------------


def test_without_smtp_the_mail_is_written_to_the_local_folder(gent, tmp_path, monkeypatch):
    monkeypatch.delenv("LIDGELD_SMTP_URL", raising=False)
    monkeypatch.setenv("LIDGELD_MAIL_DIR", str(tmp_path / "mail"))
    message = queue(gent, html="<p>€ 12,00</p>")

    report = messages_send(now=clock.now())

    assert report.transport == f"folder {tmp_path / 'mail'}"
    assert report.sent == 1
    [eml] = (tmp_path / "mail").glob("*.eml")
    mail = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert mail["Message-ID"] == fresh(message).message_id
    assert mail["To"] == "lener@example.be"
    assert "€ 12,00" in mail.get_body(preferencelist=("plain",)).get_content()
    assert fresh(message).status == MessageStatus.SENT


def test_the_folder_keeps_one_file_per_message_when_it_is_sent_again(gent, tmp_path):
    message = queue(gent)
    transport = FolderTransport(tmp_path)
    [claimed] = messages_claim(now=clock.now())
    transport.send(email_build(claimed, now=clock.now()), sender="x@y.be", recipient="z@y.be")

    messages_send(now=clock.now() + LEASE, transport=transport)

    assert len(list(tmp_path.glob("*.eml"))) == 1
    assert fresh(message).status == MessageStatus.SENT


def test_the_smtp_url_gives_host_port_tls_and_login():
    login = f"{quote(USER, safe='')}:{quote(PASSWORD, safe='')}"
    smtp = parse_smtp_url(f"smtp://{login}@mail.example.be:587?starttls=1&timeout=12")
    assert (smtp.host, smtp.port, smtp.security, smtp.timeout) == (
        "mail.example.be",
        587,
        "starttls",
        12,
    )
    assert (smtp.username, smtp.password) == (USER, PASSWORD)
    assert smtp.describe() == "smtp://***@mail.example.be:587?starttls=1"
    tls = parse_smtp_url("smtps://mail.example.be")
    assert (tls.port, tls.security, tls.username) == (465, "tls", "")
    assert parse_smtp_url("smtp://relay").port == 25


def test_a_wrong_smtp_url_is_refused_without_showing_the_password():
    with pytest.raises(InvalidInput) as refused:
        parse_smtp_url(f"smpt://user:{quote(PASSWORD, safe='')}@mail.example.be")
    assert "smpt://***@mail.example.be" in refused.value.message
    assert quote(PASSWORD, safe="") not in refused.value.message


def login_checker(server, session, envelope, mechanism, auth_data):
    if auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode():
        return AuthResult(success=True)
    # A careless server that repeats what it was given.
    return AuthResult(
        success=False,
        handled=False,
        message=f"535 5.7.8 Bad login {auth_data.login.decode()} / {auth_data.password.decode()}",
    )


@pytest.fixture
def login_server():
    handler = Recorder()
    port = free_port()
    with smtp_server(handler, port, authenticator=login_checker, auth_require_tls=False):
        handler.port = port  # type: ignore[attr-defined]
        yield handler


def test_the_sender_logs_in_with_the_credentials_of_the_url(gent, login_server, monkeypatch):
    url = f"smtp://{quote(USER, safe='')}:{quote(PASSWORD, safe='')}@127.0.0.1:{login_server.port}"
    monkeypatch.setenv("LIDGELD_SMTP_URL", url)
    queue(gent)

    report = messages_send(now=clock.now())

    assert report.sent == 1
    assert report.transport == f"smtp://***@127.0.0.1:{login_server.port}"
    assert len(login_server.accepted) == 1


def test_credentials_never_reach_last_error_or_the_logs(gent, login_server, monkeypatch, caplog):
    wrong = "Wr0ng-" + PASSWORD
    url = f"smtp://{quote(USER, safe='')}:{quote(wrong, safe='')}@127.0.0.1:{login_server.port}"
    monkeypatch.setenv("LIDGELD_SMTP_URL", url)
    message = queue(gent)
    caplog.set_level(logging.DEBUG, logger="lidgeld")

    report = messages_send(now=clock.now())

    assert (report.sent, report.retried) == (0, 1)
    message = fresh(message)
    assert message.status == MessageStatus.QUEUED  # a login problem is not the borrower's fault
    assert message.last_error.startswith("login: 535 5.7.8 Bad login")
    visible = "\n".join([message.last_error, report.stopped, report.transport, caplog.text])
    for secret in (wrong, quote(wrong, safe=""), USER, PASSWORD):
        assert secret not in visible
    assert "login: 535" in caplog.text


# --- the command and the background sender -------------------------------------------------


def test_lidgeld_send_reports_the_counts(gent, server, monkeypatch, capsys):
    monkeypatch.setenv("LIDGELD_SMTP_URL", f"smtp://127.0.0.1:{server.port}")
    queue(gent)
    queue(gent, to="niemand@example.be")
    server.rcpt_answers["niemand@example.be"] = "550 5.1.1 no such user"

    assert main(["send", "--json", "--batch-size", "10"]) == 0

    answer = json.loads(capsys.readouterr().out)
    assert (answer["sent"], answer["retried"], answer["failed"], answer["remaining"]) == (
        1,
        0,
        1,
        0,
    )

    assert main(["send"]) == 0
    assert capsys.readouterr().out.startswith(
        "sent 0, retried later 0, failed 0, skipped as too late 0, remaining 0"
    )


def test_lidgeld_send_interval_needs_loop(db, capsys):
    assert main(["send", "--interval", "5"]) == 2
    assert "--interval only applies with --loop" in capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_the_background_sender_delivers_until_it_is_stopped(server):
    message = queue(make_instance(sender_email="info@example.be"))
    stop = threading.Event()
    reports: list[delivery.SendReport] = []
    thread = threading.Thread(
        target=sender_loop,
        args=(stop, 0.05),
        kwargs={
            "transport": server.transport,
            "on_report": reports.append,
            "read_clock": clock.now,
        },
    )
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.accepted and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert len(server.accepted) == 1
    assert fresh(message).status == MessageStatus.SENT
    assert sum(report.sent for report in reports) == 1


@pytest.mark.django_db
def test_a_notice_too_late_to_send_is_skipped_not_sent(tmp_path, monkeypatch):
    # given a CAE of 1 April still queued on 20 April (the sender was down; at most 7 days)
    from datetime import date as date_
    from datetime import datetime

    from django.utils import timezone

    monkeypatch.delenv("LIDGELD_SMTP_URL", raising=False)
    monkeypatch.setenv("LIDGELD_MAIL_DIR", str(tmp_path))
    instance = make_instance()
    borrower = make_borrower(instance, email="laat@example.be")
    late = Message.objects.create(
        borrower=borrower, instance=instance, type="C", kind="AE", date=date_(2026, 4, 1),
        channel="email", language="nl", to_address=borrower.email,
        created_at=timezone.make_aware(datetime(2026, 4, 1, 2)),
    )  # fmt: skip
    # when the sender runs
    report = messages_send(now=timezone.make_aware(datetime(2026, 4, 20, 9)))
    # then it is recorded as skipped, with the reason, and nothing is written
    late.refresh_from_db()
    assert (late.status, report.skipped, report.sent) == ("skipped", 1, 0)
    assert "te laat" in late.last_error
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_a_notice_about_an_open_fee_carries_the_scan_to_pay_code(tmp_path, monkeypatch):
    import io
    from datetime import date as date_
    from datetime import datetime

    import zxingcpp
    from django.utils import timezone
    from PIL import Image

    from lidgeld.domain.payment_reference import structured_communication
    from tests.factories import make_membership, make_open_fee, make_type

    monkeypatch.delenv("LIDGELD_SMTP_URL", raising=False)
    monkeypatch.setenv("LIDGELD_MAIL_DIR", str(tmp_path))
    instance = make_instance(iban="BE68539007547034", sender_email="gent@bib.example")
    borrower = make_borrower(instance, email="els@example.be")
    fee = make_open_fee(
        make_membership(borrower, make_type(instance), start=date_(2026, 4, 10)), date_(2026, 4, 10)
    )
    Message.objects.create(
        borrower=borrower, instance=instance, posting=fee, type="C", kind="HR",
        date=date_(2026, 5, 1), channel="email", language="nl", to_address=borrower.email,
        created_at=timezone.make_aware(datetime(2026, 5, 1, 2)),
    )  # fmt: skip
    messages_send(now=timezone.make_aware(datetime(2026, 5, 1, 9)))
    (written,) = tmp_path.iterdir()
    mail = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    (image,) = [part for part in mail.iter_attachments() if part.get_content_type() == "image/png"]
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.get_content())))
    assert "BE68539007547034" in code.text
    assert "EUR12.00" in code.text
    assert structured_communication(fee.pk).strip("+").replace("/", "") in code.text
    assert (
        structured_communication(fee.pk) in mail.get_body(preferencelist=("plain",)).get_content()
    )
