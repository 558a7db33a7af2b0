"""The SIP2 server the self-checkout kiosks talk to (``lidgeld sip2``).

asyncio, one task per connection. The event loop only frames, decodes and
encodes; every request that touches the database runs in a small thread pool
(Django connections are per thread: each worker keeps its own, and they are
closed when the server stops). The slow password hashes (a terminal's login,
a patron's PIN) run on small pools of their own, so a flood of logins never
queues a kiosk's patron lookup behind it.

Hostile or broken input never takes the server down: junk is dropped, a bad
checksum or an unreadable message gets a 96, more than 64 KiB without a
terminator closes the connection, and so does a connection over which no
complete message came for the idle time-out (a byte now and then does not keep
it open). Connections are capped per address and in total; one over the cap is
closed at once, and the log says so.

An answer ends as the request it answers did (CR, or CRLF: Koha's emulator and
others wait for the line feed), unless the terminal's account says CR or CRLF.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import re
import signal
import ssl
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field
from typing import Any

from lidgeld.clock import clock
from lidgeld.errors import InvalidInput
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
from lidgeld.sip2.pins import PIN_CHECKED, Pin, pin_check

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


@dataclass(frozen=True)
class Limits:
    """How many connections the server keeps open: from one address (a branch's kiosks
    behind one router share one) and in all (each costs a file descriptor)."""

    max_connections: int = 500
    max_connections_per_address: int = 50

    @classmethod
    def from_environment(cls) -> Limits:
        """LIDGELD_SIP2_MAX_CONNECTIONS and LIDGELD_SIP2_MAX_CONNECTIONS_PER_ADDRESS."""

        def number(name: str, default: int) -> int:
            raw = os.environ.get(name, "").strip()
            if not raw:
                return default
            if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
                raise InvalidInput(f"{name} must be a whole number of at least 1, not '{raw}'")
            return int(raw)

        return cls(
            max_connections=number("LIDGELD_SIP2_MAX_CONNECTIONS", cls.max_connections),
            max_connections_per_address=number(
                "LIDGELD_SIP2_MAX_CONNECTIONS_PER_ADDRESS", cls.max_connections_per_address
            ),
        )


@dataclass
class _Connection:
    peer: str
    host: str = ""
    session: handlers.Session | None = None
    last_response: bytes | None = None
    junk: int = 0
    crlf: bool = False  # the client's last request ended in CRLF (or a bare LF)
    deadline: float = 0.0  # closed when no complete message came by then (loop time)


@dataclass
class _Failures:
    count: int = 0
    last: float = field(default_factory=time.monotonic)


def tls_context(cert_file: str, key_file: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context


class Sip2Server:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 6001,
        ssl_context: ssl.SSLContext | None = None,
        idle_timeout: float = 600.0,
        workers: int = 8,
        hash_workers: int = 2,
        limits: Limits | None = None,
        failed_login_delay: float = 0.5,
        max_failed_login_delay: float = 10.0,
        pin_wait_scale: float = 1.0,
    ) -> None:
        self.host = host
        self.port = port
        self.ssl_context = ssl_context
        self.idle_timeout = idle_timeout
        self.workers = workers
        self.limits = limits or Limits()
        self.failed_login_delay = failed_login_delay
        self.max_failed_login_delay = max_failed_login_delay
        self.pin_wait_scale = pin_wait_scale
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sip2-db")
        # Terminal logins come from anyone who can connect, PIN checks only from logged-in
        # kiosks: separate pools, so a flood of the first never delays the second.
        self._login_hashes = ThreadPoolExecutor(hash_workers, thread_name_prefix="sip2-login")
        self._pin_hashes = ThreadPoolExecutor(hash_workers, thread_name_prefix="sip2-pin")
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._failures: dict[str, _Failures] = {}
        self._open: Counter[str] = Counter()  # open connections per address
        self._refused: dict[str, tuple[int, float]] = {}  # address: (refused, last logged)

    # -- life cycle

    async def start(self) -> tuple[str, int]:
        self._server = await asyncio.start_server(
            self._accept, self.host, self.port, ssl=self.ssl_context, limit=MAX_FRAME * 2
        )
        address = self._server.sockets[0].getsockname()
        self.port = address[1]
        log.info(
            "sip2 listening on %s:%s%s",
            address[0],
            address[1],
            " (TLS)" if self.ssl_context else "",
        )
        return address[0], address[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), timeout=5)
        await asyncio.get_running_loop().run_in_executor(None, self._close_worker_connections)

    def _close_worker_connections(self) -> None:
        """Every worker thread closes its own database connection, then the pool ends."""
        barrier = threading.Barrier(self.workers)

        def close() -> None:
            from django.db import connections

            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)  # one task per thread: all threads take part
            connections.close_all()

        futures = [self._pool.submit(close) for _ in range(self.workers)]
        wait_futures(futures, timeout=15)
        self._pool.shutdown(wait=True)
        for hashes in (self._login_hashes, self._pin_hashes):
            hashes.shutdown(wait=True, cancel_futures=True)

    async def run(self) -> None:
        """Serve until SIGINT or SIGTERM."""
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, stopping.set)
        host, port = await self.start()
        print(
            f"SIP2 server listening on {host}:{port}{' (TLS)' if self.ssl_context else ''}",
            flush=True,
        )
        try:
            await stopping.wait()
        finally:
            await self.stop()

    # -- one connection

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        peername = writer.get_extra_info("peername")
        peer = f"{peername[0]}:{peername[1]}" if isinstance(peername, tuple) else str(peername)
        host = str(peername[0]) if isinstance(peername, tuple) else peer
        if not self._admit(host):
            self._tasks.discard(task)
            writer.close()
            return
        self._open[host] += 1
        connection = _Connection(peer=peer, host=host)
        try:
            await self._serve(reader, writer, connection)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError) as error:
            log.info("sip2 %s: connection ended (%s)", peer, type(error).__name__)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("sip2 %s: connection failed", peer)
        finally:
            self._open[host] -= 1
            if self._open[host] <= 0:
                del self._open[host]
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), timeout=2)

    def _admit(self, host: str) -> bool:
        """May one more connection from ``host`` be served? Refusals are logged at most
        every 10 s per address, with how many there were: a flood floods no log."""
        total = sum(self._open.values())
        if total < self.limits.max_connections and (
            self._open[host] < self.limits.max_connections_per_address
        ):
            return True
        count, logged = self._refused.get(host, (0, 0.0))
        now = time.monotonic()
        if now - logged >= 10:
            if len(self._refused) > 10_000:  # keep memory bounded under a wide flood
                self._refused.clear()
            log.warning(
                "sip2 %s: connection refused, %s (%d open from it, %d in all; %d refused "
                "since the last line)",
                host,
                "too many connections from this address"
                if self._open[host] >= self.limits.max_connections_per_address
                else "too many connections in all",
                self._open[host],
                total,
                count + 1,
            )
            self._refused[host] = (0, now)
        else:
            self._refused[host] = (count + 1, logged)
        return False

    def _touch(self, connection: _Connection) -> None:
        """A complete message came: the idle time-out starts again."""
        connection.deadline = asyncio.get_running_loop().time() + self.idle_timeout

    async def _frames(
        self, reader: asyncio.StreamReader, connection: _Connection
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

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, connection: _Connection
    ) -> None:
        async for frame in self._frames(reader, connection):
            response, keep_open = await self._respond(frame, connection)
            if response is not None:
                writer.write(response)
                await writer.drain()
            if not keep_open:
                return

    def _charset(self, connection: _Connection) -> str:
        return connection.session.charset if connection.session else "utf-8"

    def _terminator(self, connection: _Connection) -> bytes:
        chosen = connection.session.terminator if connection.session else "auto"
        if chosen == "auto":
            return CRLF if connection.crlf else CR
        return CRLF if chosen == "crlf" else CR

    def _encode(self, message: Message, connection: _Connection) -> bytes:
        return encode(message, self._charset(connection), terminator=self._terminator(connection))

    def _on(self, pool: Executor) -> Callable[..., Any]:
        """Run a function with keyword arguments on ``pool``: ``await self._on(p)(f, x=1)``."""
        loop = asyncio.get_running_loop()

        def run(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            return loop.run_in_executor(pool, functools.partial(function, *args, **kwargs))

        return run

    def _decode(self, frame: bytes, connection: _Connection) -> Message:
        if connection.session is not None:
            return decode(frame, connection.session.charset)
        # Before login the charset is not known yet: UTF-8, else the kiosks' usual cp850.
        try:
            return decode(frame, "utf-8", errors="strict")
        except Malformed:
            return decode(frame, "cp850")

    async def _respond(self, frame: bytes, connection: _Connection) -> tuple[bytes | None, bool]:
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
            edge = handlers.edge_from(clock.now(), clock.today())
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
            edge = handlers.edge_from(clock.now(), clock.today())
            answer = await self._on(self._pool)(
                handlers.handle, connection.session, request, edge, pin
            )
            if answer is None:
                log.info("sip2 %s: no answer to %s", connection.peer, request.code)
                return None, True
            response = self._encode(answer, connection)
        connection.last_response = response
        return response, True

    async def _pin(self, request: Message, connection: _Connection) -> Pin:
        """What the request's PIN is (its hash compared on the PIN pool, a wait for a
        card with wrong PINs spent in this task): see :mod:`lidgeld.sip2.pins`."""
        session = connection.session
        if session is None or request.code not in PIN_CHECKED:
            return Pin.NONE
        try:
            return await pin_check(
                terminal=session.login,
                instance_ids=session.instance_ids,
                card=handlers.card_of(request),
                pin=request.get("AD") or "",
                now=clock.now,
                on_database=self._on(self._pool),
                on_hash=self._on(self._pin_hashes),
                wait_scale=self.pin_wait_scale,
            )
        except Exception:
            log.exception("sip2 %s: the PIN check failed", connection.peer)
            return Pin.WRONG  # never a CQY on an error

    async def _login(self, request: Message, connection: _Connection) -> bytes:
        user = request.get("CN") or ""
        password = request.get("CO") or ""
        host = connection.host
        try:
            candidate, password_hash = await self._on(self._pool)(
                handlers.login_candidate, user=user
            )
            matched = await self._on(self._login_hashes)(
                handlers.password_matches, password_hash=password_hash, password=password
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
