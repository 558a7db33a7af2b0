"""Delivering the outbox: queued e-mail notices go to an SMTP server (or a folder).

Where mail goes
    ``LIDGELD_SMTP_URL`` (or ``settings.LIDGELD_SMTP_URL``) names the server:
    ``smtp://user:password@host:587?starttls=1`` (plain SMTP upgraded with
    STARTTLS), ``smtps://user:password@host:465`` (TLS from the first byte) or
    ``smtp://host:25`` (no TLS, no login: a local relay). ``?timeout=SECONDS``
    sets the network timeout (default 30). User and password may be
    percent-encoded. Without a URL the *folder* backend writes every mail as an
    ``.eml`` file into ``LIDGELD_MAIL_DIR`` (default ``DATA_DIR/outbox-mail``):
    nothing leaves the machine unless SMTP is configured. The login never
    appears in logs, reports or a message's ``last_error``: the server is shown
    as ``smtp://***@host:587`` and every error text is scrubbed.

Claims and leases
    A sender claims a batch of due messages (status *queued*, channel *email*,
    ``next_attempt_at`` empty or past) in its own short, committed transaction
    and sets their ``next_attempt_at`` to now + the lease (``LEASE``). On
    PostgreSQL the claim reads with ``SELECT … FOR UPDATE SKIP LOCKED``, so two
    senders claiming at the same moment get disjoint batches; on SQLite the
    IMMEDIATE write transaction serialises claims. A claimed message is not due
    for anyone else until the lease expires; a sender that dies mid-batch
    simply lets its lease run out and the messages are claimed again. The claim
    fixes the Message-ID, before anything is sent. A batch that runs out of half
    its lease stops and hands back the messages it did not get to.

Attempts, not claims
    An attempt is counted (and committed) when the sender reaches a message, just
    before it renders or hands it to the server. A sender killed before it got to
    a message has not tried it, so a message behind one that keeps a sender stuck
    is never given up for what happened to the others.

At least once, not at most once
    Each outcome is written (and committed) right after the server's answer.
    A sender that crashes after the server accepted a mail but before it wrote
    *sent* leaves the message queued; when the lease expires the mail is sent
    again. We chose that over losing a notice: the second copy carries the same
    ``Message-ID`` (``<lidgeld-{pk}-{hash}@{domain}>``, stored on the message
    at its first claim and reused on every retry), so mail servers and clients
    that de-duplicate show it once. A message whose sender keeps dying on it is
    given up after ``MAX_ATTEMPTS`` attempts.

Outcomes
    2xx: *sent* (``sent_at``). 4xx, connection refused, timeout, lost connection,
    a failed login or STARTTLS: stays *queued* with the server's answer in
    ``last_error`` and ``next_attempt_at`` = now + backoff (5 min × 2^(attempts−1),
    at most 6 h); after ``MAX_ATTEMPTS`` attempts it is *failed*. 5xx on the
    message itself (sender or recipient refused, data refused): *failed* with
    the server's answer. A notice whose text cannot be rendered (a library text
    saved before it was checked): *failed* with the reason, without asking the
    server and without keeping the others back. A connection-level failure
    stops the run: the rest of the outbox is left untouched for the next run
    instead of knocking on a closed door once per batch.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, quote, unquote, urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from lidgeld.errors import InvalidInput
from lidgeld.libraries.models import Instance
from lidgeld.notices.models import Channel, Message, MessageStatus, NoticeTemplate

logger = logging.getLogger("lidgeld.notices.delivery")

LEASE = timedelta(minutes=15)
BACKOFF_FIRST = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=6)
MAX_ATTEMPTS = 10
DEFAULT_TIMEOUT = 30.0
FALLBACK_SENDER = "noreply@localhost"


# --- outcomes a transport reports --------------------------------------------------------


class DeliveryError(Exception):
    """The server's answer (or what went wrong on the way), already scrubbed."""

    permanent = False

    def __init__(self, answer: str) -> None:
        super().__init__(answer)
        self.answer = answer


class TemporaryFailure(DeliveryError):
    """Try again later (4xx, lost connection)."""


class PermanentFailure(DeliveryError):
    """Do not try again (5xx on this message)."""

    permanent = True


class ConnectionFailure(TemporaryFailure):
    """No usable connection at all (refused, timeout, TLS, login): nothing in this
    run can be sent, so the run stops."""


# --- transports ----------------------------------------------------------------------------


class Connection(Protocol):
    def send(self, mail: EmailMessage, *, sender: str, recipient: str) -> None:
        """Deliver one mail or raise a DeliveryError."""

    def close(self) -> None: ...


class Transport(Protocol):
    def describe(self) -> str:
        """Where mail goes, without credentials."""

    def open(self) -> Connection:
        """One connection for one batch; it may connect lazily."""

    def scrub(self, text: str) -> str:
        """``text`` without any credential in it."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    security: str = "none"  # "none", "starttls" or "tls"
    username: str = ""
    password: str = field(default="", repr=False)
    timeout: float = DEFAULT_TIMEOUT

    def describe(self) -> str:
        scheme = "smtps" if self.security == "tls" else "smtp"
        login = "***@" if self.username or self.password else ""
        extra = "?starttls=1" if self.security == "starttls" else ""
        return f"{scheme}://{login}{self.host}:{self.port}{extra}"

    def secrets(self) -> list[str]:
        found: list[str] = []
        for value in (self.username, self.password):
            if value:
                found += [value, quote(value, safe=""), _b64(value)]
        if self.password:
            # AUTH PLAIN sends "\0user\0password" in base64.
            found.append(_b64(f"\0{self.username}\0{self.password}"))
        # Longest first, so a secret containing another is masked whole.
        return sorted({s for s in found if len(s) >= 3}, key=len, reverse=True)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def parse_smtp_url(url: str) -> SmtpSettings:
    """``smtp://user:pass@host:587?starttls=1&timeout=20`` or ``smtps://host:465``."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
        host = parts.hostname or ""
    except ValueError:
        port, host, parts = None, "", urlsplit("")
    if parts.scheme not in ("smtp", "smtps") or not host:
        raise InvalidInput(
            f"LIDGELD_SMTP_URL {_masked_url(url)} is not an SMTP address; write it as "
            "smtp://user:password@host:587?starttls=1 or smtps://user:password@host:465"
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    starttls = query.get("starttls", "0").lower() in ("1", "true", "yes", "on")
    if parts.scheme == "smtps" and starttls:
        raise InvalidInput("LIDGELD_SMTP_URL: smtps:// is TLS already; leave out starttls=1")
    try:
        timeout = float(query.get("timeout", DEFAULT_TIMEOUT))
        if timeout <= 0:
            raise ValueError
    except ValueError:
        raise InvalidInput(
            "LIDGELD_SMTP_URL: timeout must be a number of seconds above 0, e.g. timeout=30"
        ) from None
    security = "tls" if parts.scheme == "smtps" else ("starttls" if starttls else "none")
    return SmtpSettings(
        host=host,
        port=port or (465 if security == "tls" else 587 if starttls else 25),
        security=security,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        timeout=timeout,
    )


def _masked_url(url: str) -> str:
    scheme, _, rest = url.strip().partition("://")
    if "@" in rest:
        rest = "***@" + rest.rsplit("@", 1)[1]
    return f"{scheme}://{rest}" if rest else "'…'"


def _answer_text(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = " ".join(str(text).split())
    return f"{code} {text}".strip() if code and code > 0 else text


class SmtpTransport:
    def __init__(self, smtp: SmtpSettings) -> None:
        self.settings = smtp

    def describe(self) -> str:
        return self.settings.describe()

    def scrub(self, text: str) -> str:
        for secret in self.settings.secrets():
            text = text.replace(secret, "***")
        return text

    def open(self) -> SmtpConnection:
        return SmtpConnection(self)


class SmtpConnection:
    """One SMTP session for a batch: connects at the first mail, reconnects once
    after a lost connection, and after a failed connect refuses the rest fast."""

    def __init__(self, transport: SmtpTransport) -> None:
        self.transport = transport
        self.smtp: smtplib.SMTP | None = None
        self.broken: ConnectionFailure | None = None

    def _where(self) -> str:
        s = self.transport.settings
        return f"{s.host}:{s.port}"

    def _fail(self, stage: str, error: BaseException) -> ConnectionFailure:
        s = self.transport.settings
        if isinstance(error, smtplib.SMTPResponseException):
            text = _answer_text(error.smtp_code, error.smtp_error)
        elif isinstance(error, ConnectionRefusedError):
            text = f"connection refused by {self._where()}"
        elif isinstance(error, (TimeoutError, socket.timeout)):
            text = f"no answer from {self._where()} within {s.timeout:g} s"
        elif isinstance(error, smtplib.SMTPServerDisconnected):
            text = f"{self._where()} closed the connection ({error})"
        elif isinstance(error, socket.gaierror):
            text = f"unknown host {s.host} ({error.strerror})"
        else:
            text = f"{type(error).__name__}: {error}"
        return ConnectionFailure(self.transport.scrub(f"{stage}: {text}"))

    def _connect(self) -> smtplib.SMTP:
        s = self.transport.settings
        stage = "connect"
        smtp: smtplib.SMTP | None = None
        try:
            if s.security == "tls":
                smtp = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            stage = "EHLO"
            smtp.ehlo()
            if s.security == "starttls":
                stage = "STARTTLS"
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.username or s.password:
                stage = "login"
                smtp.login(s.username, s.password)
        except (smtplib.SMTPException, OSError, UnicodeError) as error:
            if smtp is not None:
                _close_quietly(smtp)
            raise self._fail(stage, error) from None
        return smtp

    def send(self, mail: EmailMessage, *, sender: str, recipient: str) -> None:
        if self.broken is not None:
            raise self.broken
        if self.smtp is None:
            try:
                self.smtp = self._connect()
            except ConnectionFailure as failure:
                self.broken = failure
                raise
        try:
            self.smtp.send_message(mail, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()), (0, b"recipient refused"))
            answer = _answer_text(code, text)
            raise self._classify(code, f"RCPT TO <{recipient}>: {answer}") from None
        except smtplib.SMTPSenderRefused as error:
            answer = _answer_text(error.smtp_code, error.smtp_error)
            raise self._classify(error.smtp_code, f"MAIL FROM <{sender}>: {answer}") from None
        except smtplib.SMTPNotSupportedError as error:
            unsupported = self.transport.scrub(f"not supported by the server: {error}")
            raise PermanentFailure(unsupported) from None
        except smtplib.SMTPResponseException as error:
            answer = _answer_text(error.smtp_code, error.smtp_error)
            stage = "DATA" if isinstance(error, smtplib.SMTPDataError) else "SMTP"
            raise self._classify(error.smtp_code, f"{stage}: {answer}") from None
        except (smtplib.SMTPException, OSError) as error:
            # The session is gone (lost connection, timeout): the next mail reconnects.
            _close_quietly(self.smtp)
            self.smtp = None
            raise TemporaryFailure(self._fail("sending", error).answer) from None

    def _classify(self, code: int, text: str) -> DeliveryError:
        text = self.transport.scrub(text)
        return PermanentFailure(text) if 500 <= code < 600 else TemporaryFailure(text)

    def close(self) -> None:
        if self.smtp is not None:
            _close_quietly(self.smtp)
            self.smtp = None


def _close_quietly(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


class FolderTransport:
    """Each mail becomes ``<message-id>.eml`` in a folder; a mail sent again (after an
    interrupted run) overwrites its own file."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def describe(self) -> str:
        return f"folder {self.folder}"

    def scrub(self, text: str) -> str:
        return text

    def open(self) -> FolderTransport:
        return self

    def send(self, mail: EmailMessage, *, sender: str, recipient: str) -> None:
        name = str(mail["Message-ID"] or "").strip("<>").replace("/", "_") or f"{time.time_ns()}"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            target = self.folder / f"{name}.eml"
            partial = target.with_suffix(".eml.part")
            partial.write_bytes(mail.as_bytes())
            partial.replace(target)
        except OSError as error:
            text = f"cannot write to {self.folder}: {error.strerror or error}"
            raise TemporaryFailure(text) from None

    def close(self) -> None:
        pass


def transport_from_settings() -> Transport:
    """SMTP when ``LIDGELD_SMTP_URL`` is set, otherwise the local mail folder."""
    url = os.environ.get("LIDGELD_SMTP_URL") or getattr(settings, "LIDGELD_SMTP_URL", "")
    if url:
        return SmtpTransport(parse_smtp_url(url))
    folder = os.environ.get("LIDGELD_MAIL_DIR") or getattr(settings, "LIDGELD_MAIL_DIR", "")
    return FolderTransport(Path(folder) if folder else Path(settings.DATA_DIR) / "outbox-mail")


# --- building the mail ---------------------------------------------------------------------


def _sender(message: Message) -> tuple[str, str]:
    instance = message.instance
    address = (instance.sender_email or "").strip() or FALLBACK_SENDER
    name = (instance.sender_name or "").strip() or instance.name
    return name, address


def message_id_for(message: Message) -> str:
    """``<lidgeld-{pk}-{hash}@{domain}>``: unique per message and the same on every
    retry (it is stored at the first claim)."""
    _, address = _sender(message)
    domain = address.rsplit("@", 1)[-1] or "localhost"
    seed = (
        f"{message.pk}|{message.created_at.isoformat() if message.created_at else ''}|"
        f"{message.borrower_id}|{message.type}{message.kind}|{message.date}"
    )
    digest = hashlib.sha256(seed.encode("utf-8")).hexdigest()[:16]
    return f"<lidgeld-{message.pk}-{digest}@{domain}>"


def email_build(message: Message, *, now: datetime) -> EmailMessage:
    """The e-mail for a rendered message."""
    name, address = _sender(message)
    mail = EmailMessage()
    mail["From"] = Address(display_name=name, addr_spec=address)
    reply_to = (message.instance.reply_to_email or "").strip()
    if reply_to:
        mail["Reply-To"] = Address(addr_spec=reply_to)
    mail["To"] = Address(addr_spec=message.to_address.strip())
    mail["Subject"] = " ".join(message.subject.split())
    mail["Date"] = format_datetime(timezone.localtime(now))
    mail["Message-ID"] = message.message_id or message_id_for(message)
    # RFC 3834: tells auto-responders (holiday replies) not to answer.
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(message.body, charset="utf-8")
    if message.body_html.strip():
        mail.add_alternative(message.body_html, subtype="html", charset="utf-8")
    if qr := _payment_qr(message):
        # Scan to pay: the same EPC code the letter prints, for the item the text names.
        mail.add_attachment(qr, maintype="image", subtype="png", filename="betalen-qr.png")
    # After the content: set_content and add_alternative move Content-* headers.
    mail["Content-Language"] = message.language
    return mail


def _payment_qr(message: Message) -> bytes | None:
    from lidgeld.finance.selectors import (
        PaymentInstructions,
        instructions_for,
        payment_instructions,
    )
    from lidgeld.notices.qr import epc_qr_png

    posting = message.posting
    instructions: PaymentInstructions | None
    if posting is not None and posting.status == "open":
        instructions = instructions_for(posting)
    else:
        instructions = payment_instructions(borrower_id=message.borrower_id)
    if instructions is None or instructions.epc_qr is None:
        return None
    return epc_qr_png(instructions.epc_qr)


# --- the run -------------------------------------------------------------------------------


@dataclass
class SendReport:
    transport: str = ""
    sent: int = 0
    retried: int = 0  # temporary failure: stays queued, tried again later
    failed: int = 0
    skipped: int = 0  # too late to send (R4)
    remaining: int = 0  # e-mail still queued after the run (due later or not reached)
    batches: int = 0
    stopped: str = ""  # why the run stopped early (connection failure), if it did

    def as_dict(self) -> dict[str, Any]:
        return {
            "transport": self.transport,
            "sent": self.sent,
            "retried": self.retried,
            "failed": self.failed,
            "skipped": self.skipped,
            "remaining": self.remaining,
            "batches": self.batches,
            "stopped": self.stopped,
        }


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failed try: 5 min, 10, 20, … at most 6 h."""
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def _due(now: datetime) -> Q:
    return Q(status=MessageStatus.QUEUED, channel=Channel.EMAIL) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def messages_skip_stale(*, now: datetime) -> int:
    """R4 for the sender: a notice that could only go out more than the library's
    ``notice_max_delay_days`` after its date (the sender was down) is recorded as
    skipped, not sent, so nobody is told in December that April's membership ends."""
    today = timezone.localdate(now)
    skipped = 0
    for instance in Instance.objects.all():
        limit = instance.notice_max_delay_days
        skipped += Message.objects.filter(
            instance=instance,
            status=MessageStatus.QUEUED,
            channel=Channel.EMAIL,
            date__lt=today - timedelta(days=limit),
        ).update(
            status=MessageStatus.SKIPPED,
            next_attempt_at=None,
            last_error=f"Niet verstuurd: meer dan {limit} dagen te laat; not sent: more than {limit} days late",
        )
    return skipped


def messages_claim(
    *, now: datetime, batch_size: int = 100, lease: timedelta = LEASE
) -> list[Message]:
    """Claim up to ``batch_size`` due e-mail messages for ``lease``, in a committed
    transaction of its own. The claim fixes the Message-ID; it does not count an
    attempt (``attempt_record`` does, when the sender reaches the message)."""
    with transaction.atomic():
        claimed = list(
            Message.objects.filter(_due(now))
            .select_related("instance", "borrower")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("id")[:batch_size]
        )
        if not claimed:
            return []
        worn_out = [m for m in claimed if m.attempts >= MAX_ATTEMPTS]
        for message in worn_out:
            message.status = MessageStatus.FAILED
            message.last_error = (
                f"given up after {message.attempts} attempts: the sender stopped while "
                f"sending it each time (last error: {message.last_error or 'none'})"
            )
            message.next_attempt_at = None
            Message.objects.filter(pk=message.pk).update(
                status=message.status, last_error=message.last_error, next_attempt_at=None
            )
        claimed = [m for m in claimed if m.attempts < MAX_ATTEMPTS]
        until = now + lease
        Message.objects.filter(pk__in=[m.pk for m in claimed]).update(next_attempt_at=until)
        for message in claimed:
            message.next_attempt_at = until
            if not message.message_id:
                message.message_id = message_id_for(message)
                Message.objects.filter(pk=message.pk).update(message_id=message.message_id)
    return claimed


def attempt_record(message: Message) -> None:
    """The sender reached this message: one attempt, committed before it is tried, so a
    sender that dies while trying it has still counted it."""
    Message.objects.filter(pk=message.pk, status=MessageStatus.QUEUED).update(
        attempts=F("attempts") + 1
    )
    message.attempts += 1


def _record(message: Message, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(message, name, value)
    # Only while it is still ours to deliver: staff may have cancelled it meanwhile.
    Message.objects.filter(pk=message.pk, status=MessageStatus.QUEUED).update(**fields)


def _outcome(message: Message, error: DeliveryError | None, *, now: datetime) -> str:
    if error is None:
        _record(
            message,
            status=MessageStatus.SENT,
            sent_at=now,
            last_error="",
            next_attempt_at=None,
        )
        return "sent"
    if error.permanent or message.attempts >= MAX_ATTEMPTS:
        answer = error.answer
        if not error.permanent:
            answer = f"given up after {message.attempts} attempts: {answer}"
        _record(message, status=MessageStatus.FAILED, last_error=answer, next_attempt_at=None)
        logger.warning("message %s failed: %s", message.pk, answer)
        return "failed"
    wait = backoff(message.attempts)
    _record(message, last_error=error.answer, next_attempt_at=now + wait)
    logger.info(
        "message %s not sent (attempt %s), tried again after %s: %s",
        message.pk,
        message.attempts,
        now + wait,
        error.answer,
    )
    return "retried"


def _prepare(
    message: Message, *, templates: list[NoticeTemplate], now: datetime
) -> DeliveryError | None:
    """Render the message if it is not rendered yet; what keeps it from being sent.
    A text that cannot be rendered fails its own notice (with the reason) and never
    keeps the others back."""
    from lidgeld.notices.rendering import RenderFailure, message_render_and_keep

    try:
        message_render_and_keep(message, templates=templates, now=now)
    except RenderFailure as failure:
        logger.warning("message %s could not be rendered: %s", message.pk, failure.message)
        return PermanentFailure(f"cannot render the notice: {failure.message}")
    except Exception as error:  # e.g. the database went away: try again later
        logger.exception("message %s could not be rendered", message.pk)
        return TemporaryFailure(f"cannot render the notice: {type(error).__name__}: {error}")
    if not message.to_address.strip():
        return PermanentFailure("no e-mail address to send it to")
    if message.rendered_at is None or not (message.subject.strip() and message.body.strip()):
        return TemporaryFailure("the notice has no subject or text yet")
    return None


def _release(messages: list[Message], *, now: datetime) -> None:
    """Hand back claimed messages this run did not get to: due again (not tried, so no
    attempt was counted)."""
    Message.objects.filter(pk__in=[m.pk for m in messages], status=MessageStatus.QUEUED).update(
        next_attempt_at=now
    )


def messages_send(
    *,
    now: datetime,
    batch_size: int = 100,
    max_batches: int | None = None,
    transport: Transport | None = None,
    lease: timedelta = LEASE,
    stop: threading.Event | None = None,
) -> SendReport:
    """Deliver due e-mail notices, ``batch_size`` at a time over one connection per batch."""
    if batch_size < 1:
        raise InvalidInput("the batch size must be at least 1")
    transport = transport or transport_from_settings()
    report = SendReport(transport=transport.describe())
    report.skipped = messages_skip_stale(now=now)
    started = time.monotonic()
    while max_batches is None or report.batches < max_batches:
        if stop is not None and stop.is_set():
            break
        # A long run moves on with the real time, so later claims get a real lease.
        batch_now = now + timedelta(seconds=int(time.monotonic() - started))
        claimed = messages_claim(now=batch_now, batch_size=batch_size, lease=lease)
        if not claimed:
            break
        report.batches += 1
        if not _send_batch(claimed, transport, report, now=batch_now, lease=lease):
            break
    report.remaining = Message.objects.filter(
        status=MessageStatus.QUEUED, channel=Channel.EMAIL
    ).count()
    if report.sent or report.retried or report.failed:
        logger.info(
            "outbox via %s: %s sent, %s to retry, %s failed, %s still queued",
            report.transport,
            report.sent,
            report.retried,
            report.failed,
            report.remaining,
        )
    return report


def _send_batch(
    claimed: list[Message],
    transport: Transport,
    report: SendReport,
    *,
    now: datetime,
    lease: timedelta,
) -> bool:
    """Send one claimed batch; False when the run should stop."""
    from lidgeld.notices.rendering import templates_for

    deadline = time.monotonic() + lease.total_seconds() / 2
    templates = templates_for(m for m in claimed if m.rendered_at is None)
    connection = transport.open()
    keep_going = True
    try:
        for index, message in enumerate(claimed):
            if index and time.monotonic() > deadline:
                _release(claimed[index:], now=now)
                break
            # Counted before it is rendered or sent: a sender that dies on this
            # message has tried it (and gives it up after MAX_ATTEMPTS).
            attempt_record(message)
            error = _prepare(message, templates=templates, now=now)
            if error is None:
                try:
                    mail = email_build(message, now=now)
                    connection.send(
                        mail, sender=_sender(message)[1], recipient=message.to_address.strip()
                    )
                except DeliveryError as failure:
                    error = failure
                except (ValueError, TypeError, UnicodeError) as problem:
                    error = PermanentFailure(f"cannot build the e-mail: {problem}")
            outcome = _outcome(message, error, now=now)
            setattr(report, outcome, getattr(report, outcome) + 1)
            if isinstance(error, ConnectionFailure):
                report.stopped = error.answer
                keep_going = False
    finally:
        connection.close()
    if not keep_going:
        logger.warning("sending stopped (%s): %s", report.transport, report.stopped)
    return keep_going


def sender_loop(
    stop_event: threading.Event,
    interval: float = 30,
    *,
    batch_size: int = 100,
    transport: Transport | None = None,
    on_report: Callable[[SendReport], None] | None = None,
) -> None:
    """Deliver the outbox every ``interval`` seconds until ``stop_event`` is set
    (``lidgeld serve`` runs this in a background thread; ``lidgeld send --loop``
    in the foreground)."""
    from django.db import close_old_connections, connection

    from lidgeld.clock import clock

    try:
        while not stop_event.is_set():
            try:
                report = messages_send(
                    now=clock.now(),
                    batch_size=batch_size,
                    transport=transport or transport_from_settings(),
                    stop=stop_event,
                )
                if on_report is not None:
                    on_report(report)
            except InvalidInput as error:
                logger.error("the sender cannot run: %s", error.message)
            except Exception:
                logger.exception("the sender failed; it tries again in %s s", interval)
            finally:
                close_old_connections()
            stop_event.wait(interval)
    finally:
        connection.close()
