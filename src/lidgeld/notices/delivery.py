"""Delivering the outbox: queued e-mail notices go to an SMTP server (or a folder):
how a sender claims, tries and records them. Where mail goes: ``transports``; the
mail itself: ``emails``.

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

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lidgeld.errors import InvalidInput
from lidgeld.libraries.models import Instance
from lidgeld.notices.emails import email_build, message_id_for, sender_of
from lidgeld.notices.models import Channel, Message, MessageStatus, NoticeTemplate
from lidgeld.notices.rendering import RenderFailure, message_render_and_keep, templates_for
from lidgeld.notices.transports import (
    ConnectionFailure,
    DeliveryError,
    PermanentFailure,
    TemporaryFailure,
    Transport,
    transport_from_settings,
)

logger = logging.getLogger("lidgeld.notices.delivery")

LEASE = timedelta(minutes=15)
BACKOFF_FIRST = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=6)
MAX_ATTEMPTS = 10


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
        raise InvalidInput(_("the batch size must be at least 1"), code="batch_size_invalid")
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
                        mail, sender=sender_of(message)[1], recipient=message.to_address.strip()
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
    read_clock: Callable[[], datetime],
    batch_size: int = 100,
    transport: Transport | None = None,
    on_report: Callable[[SendReport], None] | None = None,
) -> None:
    """Deliver the outbox every ``interval`` seconds until ``stop_event`` is set
    (``lidgeld serve`` runs this in a background thread; ``lidgeld send --loop``
    in the foreground). Each round is one run of the job: it reads the time once,
    from ``read_clock`` (the caller's clock), and passes it down."""
    from django.db import close_old_connections, connection

    try:
        while not stop_event.is_set():
            try:
                report = messages_send(
                    now=read_clock(),
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
