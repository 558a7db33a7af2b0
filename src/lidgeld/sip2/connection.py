"""One kiosk connection: its bytes framed into messages, each one answered, logins throttled.

Hostile or broken input never takes the server down: junk is dropped, a bad
checksum or an unreadable message gets a 96, more than 64 KiB without a
terminator closes the connection, and so does a connection over which no
complete message came for the idle time-out (a byte now and then does not keep
it open).

An answer ends as the request it answers did (CR, or CRLF: Koha's emulator and
others wait for the line feed), unless the terminal's account says CR or CRLF.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from lidgeld.clock import clock
from lidgeld.sip2 import handlers
from lidgeld.sip2.codec import (
    CR,
    CRLF,
    ChecksumError,
    Junk,
    Malformed,
    Message,
    UnknownCommand,
    decode,
    encode,
)
from lidgeld.sip2.patrons import card_of
from lidgeld.sip2.pins import PIN_CHECKED, Pin, pin_check
from lidgeld.sip2.session import Edge, Session, edge_from, login_candidate, password_matches


def _edge_now() -> Edge:
    """One SIP2 message's one reading of the clock: its day is that instant's day."""
    now = clock.now()
    return edge_from(now, clock.today_of(now))


log = logging.getLogger("lidgeld.sip2")

MAX_FRAME = 64 * 1024
_TERMINATOR = re.compile(rb"[\r\n]")
# Values that must never reach a log line.
_SECRET_FIELDS = frozenset({"CO", "AC", "AD"})
MAX_JUNK_FRAMES = 3


def redact(message: Message) -> str:
    """A message for the log: passwords and PINs replaced by ***."""
    parts = [message.code, *message.fixed.values()]
    for key, value in message.fields:
        parts.append(f"{key}{'***' if key in _SECRET_FIELDS else value}|")
    return "".join(parts)


@dataclass
class Connection:
    peer: str
    host: str = ""
    session: Session | None = None
    last_response: bytes | None = None
    junk: int = 0
    crlf: bool = False  # the client's last request ended in CRLF (or a bare LF)
    deadline: float = 0.0  # closed when no complete message came by then (loop time)


@dataclass
class _Failures:
    count: int = 0
    last: float = field(default_factory=time.monotonic)


class Responder:
    """Answers the requests of every connection; the database work and the password
    hashes run on the pools the server owns. Failed logins are counted per address
    across connections, so reconnecting does not reset the wait."""

    def __init__(
        self,
        *,
        database: Executor,
        login_hashes: Executor,
        pin_hashes: Executor,
        idle_timeout: float,
        failed_login_delay: float,
        max_failed_login_delay: float,
        pin_wait_scale: float,
    ) -> None:
        self._database = database
        self._login_hashes = login_hashes
        self._pin_hashes = pin_hashes
        self.idle_timeout = idle_timeout
        self.failed_login_delay = failed_login_delay
        self.max_failed_login_delay = max_failed_login_delay
        self.pin_wait_scale = pin_wait_scale
        self._failures: dict[str, _Failures] = {}

    async def serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, connection: Connection
    ) -> None:
        """Answer request after request until the client goes or the connection must close."""
        async for frame in self._frames(reader, connection):
            response, keep_open = await self._respond(frame, connection)
            if response is not None:
                writer.write(response)
                await writer.drain()
            if not keep_open:
                return

    def _touch(self, connection: Connection) -> None:
        """A complete message came: the idle time-out starts again."""
        connection.deadline = asyncio.get_running_loop().time() + self.idle_timeout

    async def _frames(
        self, reader: asyncio.StreamReader, connection: Connection
    ) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        buffer = bytearray()
        self._touch(connection)
        cr_at_end = False  # the last frame ended in a CR that was the last byte read
        while True:
            if cr_at_end and buffer:
                # A CR that ended the bytes read could not tell: what follows does.
                connection.crlf = buffer[:1] == b"\n"
                cr_at_end = False
            match = _TERMINATOR.search(buffer)
            if match is not None:
                end, crlf = match.end(), True  # a bare LF: answered with CRLF
                if buffer[match.start()] == 0x0D:
                    if end < len(buffer):
                        crlf = buffer[end] == 0x0A
                        end += crlf
                    else:  # answered as this client's last request ended
                        crlf, cr_at_end = connection.crlf, True
                frame = bytes(buffer[: match.start()])
                del buffer[:end]
                if frame.strip(b" \t\x00"):
                    connection.crlf = crlf
                    yield frame
                continue
            if len(buffer) > MAX_FRAME:
                log.warning(
                    "sip2 %s: more than 64 KiB without a terminator; closing", connection.peer
                )
                return
            try:
                # Only a complete message moves the deadline, not any byte.
                left = connection.deadline - loop.time()
                if left <= 0:
                    raise TimeoutError
                chunk = await asyncio.wait_for(reader.read(MAX_FRAME), timeout=left)
            except TimeoutError:
                log.info(
                    "sip2 %s: no complete message for %ss; closing",
                    connection.peer,
                    self.idle_timeout,
                )
                return
            if not chunk:
                return
            buffer += chunk

    def _charset(self, connection: Connection) -> str:
        return connection.session.charset if connection.session else "utf-8"

    def _terminator(self, connection: Connection) -> bytes:
        chosen = connection.session.terminator if connection.session else "auto"
        if chosen == "auto":
            return CRLF if connection.crlf else CR
        return CRLF if chosen == "crlf" else CR

    def _encode(self, message: Message, connection: Connection) -> bytes:
        return encode(message, self._charset(connection), terminator=self._terminator(connection))

    def _on(self, pool: Executor) -> Callable[..., Any]:
        """Run a function with keyword arguments on ``pool``: ``await self._on(p)(f, x=1)``."""
        loop = asyncio.get_running_loop()

        def run(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            return loop.run_in_executor(pool, functools.partial(function, *args, **kwargs))

        return run

    def _decode(self, frame: bytes, connection: Connection) -> Message:
        if connection.session is not None:
            return decode(frame, connection.session.charset)
        # Before login the charset is not known yet: UTF-8, else the kiosks' usual cp850.
        try:
            return decode(frame, "utf-8", errors="strict")
        except Malformed:
            return decode(frame, "cp850")

    async def _respond(self, frame: bytes, connection: Connection) -> tuple[bytes | None, bool]:
        """The bytes to answer ``frame`` with (None: nothing), and whether to go on."""
        try:
            request = self._decode(frame, connection)
        except ChecksumError:
            log.info("sip2 %s: bad checksum; asking to resend", connection.peer)
            return self._encode(Message("96"), connection), True
        except Malformed as error:
            log.info("sip2 %s: %s; asking to resend", connection.peer, error)
            return self._encode(Message("96"), connection), True
        except UnknownCommand as error:
            self._touch(connection)
            log.info("sip2 %s: %s; refused", connection.peer, error)
            unknown = Message(error.code, sequence=error.sequence)
            edge = _edge_now()
            response = self._encode(
                handlers.unsupported(connection.session, unknown, edge), connection
            )
            connection.last_response = response
            return response, True
        except Junk:
            connection.junk += 1
            log.info("sip2 %s: %d bytes that are not SIP2; ignored", connection.peer, len(frame))
            return None, connection.junk < MAX_JUNK_FRAMES
        connection.junk = 0
        self._touch(connection)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("sip2 %s <- %s", connection.peer, redact(request))

        if request.code == "97":
            return connection.last_response, True
        if request.code == "93":
            response = await self._login(request, connection)
        else:
            pin = await self._pin(request, connection)
            edge = _edge_now()
            answer = await self._on(self._database)(
                handlers.handle, connection.session, request, edge, pin
            )
            if answer is None:
                log.info("sip2 %s: no answer to %s", connection.peer, request.code)
                return None, True
            response = self._encode(answer, connection)
        connection.last_response = response
        return response, True

    async def _pin(self, request: Message, connection: Connection) -> Pin:
        """What the request's PIN is (its hash compared on the PIN pool, a wait for a
        card with wrong PINs spent in this task): see :mod:`lidgeld.sip2.pins`."""
        session = connection.session
        if session is None or request.code not in PIN_CHECKED:
            return Pin.NONE
        try:
            return await pin_check(
                terminal=session.login,
                instance_ids=session.instance_ids,
                card=card_of(request),
                pin=request.get("AD") or "",
                now=clock.now,
                on_database=self._on(self._database),
                on_hash=self._on(self._pin_hashes),
                wait_scale=self.pin_wait_scale,
            )
        except Exception:
            log.exception("sip2 %s: the PIN check failed", connection.peer)
            return Pin.WRONG  # never a CQY on an error

    async def _login(self, request: Message, connection: Connection) -> bytes:
        user = request.get("CN") or ""
        password = request.get("CO") or ""
        host = connection.host
        try:
            candidate, password_hash = await self._on(self._database)(login_candidate, user=user)
            matched = await self._on(self._login_hashes)(
                password_matches, password_hash=password_hash, password=password
            )
            session = candidate if matched else None
        except Exception:
            log.exception("sip2 %s: login of %r failed", connection.peer, user)
            session = None
        if session is None:
            failures = self._failure(host)
            delay = min(
                self.failed_login_delay * 2 ** (failures.count - 1), self.max_failed_login_delay
            )
            log.warning(
                "sip2 %s: login refused for %r (%d in a row from this address)",
                connection.peer,
                user,
                failures.count,
            )
            await asyncio.sleep(delay)
            ok = "0"
        else:
            self._failures.pop(host, None)
            connection.session = session
            log.info("sip2 %s: terminal %s logged in", connection.peer, session.login)
            ok = "1"
        return self._encode(Message("94", {"ok": ok}, (), request.sequence), connection)

    def _failure(self, host: str) -> _Failures:
        now = time.monotonic()
        if len(self._failures) > 10_000:  # forget old addresses, keep memory bounded
            self._failures = {h: f for h, f in self._failures.items() if now - f.last < 900}
        failures = self._failures.get(host)
        if failures is None or now - failures.last > 900:
            failures = self._failures[host] = _Failures()
        failures.count += 1
        failures.last = now
        return failures
