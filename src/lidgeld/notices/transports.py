"""Transports for the outbox: an SMTP server, or a folder when none is set.

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
"""

from __future__ import annotations

import base64
import logging
import os
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, quote, unquote, urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from lidgeld.errors import InvalidInput

# The logger of the outbox as a whole: operators filter one name for the sender.
logger = logging.getLogger("lidgeld.notices.delivery")

DEFAULT_TIMEOUT = 30.0


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
            _(
                "LIDGELD_SMTP_URL %(url)s is not an SMTP address; write it as "
                "smtp://user:password@host:587?starttls=1 or smtps://user:password@host:465"
            ),
            code="smtp_url_invalid",
            params={"url": _masked_url(url)},
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    starttls = query.get("starttls", "0").lower() in ("1", "true", "yes", "on")
    if parts.scheme == "smtps" and starttls:
        raise InvalidInput(
            _("LIDGELD_SMTP_URL: smtps:// is TLS already; leave out starttls=1"),
            code="smtp_url_invalid",
        )
    try:
        timeout = float(query.get("timeout", DEFAULT_TIMEOUT))
        if timeout <= 0:
            raise ValueError
    except ValueError:
        raise InvalidInput(
            _("LIDGELD_SMTP_URL: timeout must be a number of seconds above 0, e.g. timeout=30"),
            code="smtp_url_invalid",
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
