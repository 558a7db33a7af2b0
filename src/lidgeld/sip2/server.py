"""The SIP2 server the self-checkout kiosks talk to (``lidgeld sip2``).

asyncio, one task per connection. The event loop only frames, decodes and
encodes; every request that touches the database runs in a small thread pool
(Django connections are per thread: each worker keeps its own, and they are
closed when the server stops). Hostile or broken input never takes the server
down: junk is dropped, a bad checksum or an unreadable message gets a 96,
more than 64 KiB without a terminator or an idle connection is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import signal
import ssl
import threading
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field
from typing import Any

from lidgeld.clock import clock
from lidgeld.sip2 import handlers
from lidgeld.sip2.codec import (
    ChecksumError,
    Junk,
    Malformed,
    Message,
    UnknownCommand,
    decode,
    encode,
)

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
class _Connection:
    peer: str
    session: handlers.Session | None = None
    last_response: bytes | None = None
    junk: int = 0


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
        failed_login_delay: float = 0.5,
        max_failed_login_delay: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.ssl_context = ssl_context
        self.idle_timeout = idle_timeout
        self.workers = workers
        self.failed_login_delay = failed_login_delay
        self.max_failed_login_delay = max_failed_login_delay
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sip2-db")
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._failures: dict[str, _Failures] = {}

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
        connection = _Connection(peer=peer)
        try:
            await self._serve(reader, writer, connection)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError) as error:
            log.info("sip2 %s: connection ended (%s)", peer, type(error).__name__)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("sip2 %s: connection failed", peer)
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), timeout=2)

    async def _frames(
        self, reader: asyncio.StreamReader, connection: _Connection
    ) -> AsyncIterator[bytes]:
        buffer = bytearray()
        while True:
            match = _TERMINATOR.search(buffer)
            if match is not None:
                frame = bytes(buffer[: match.start()])
                del buffer[: match.end()]
                if frame.strip(b" \t\x00"):
                    yield frame
                continue
            if len(buffer) > MAX_FRAME:
                log.warning(
                    "sip2 %s: more than 64 KiB without a terminator; closing", connection.peer
                )
                return
            try:
                chunk = await asyncio.wait_for(reader.read(MAX_FRAME), timeout=self.idle_timeout)
            except TimeoutError:
                log.info("sip2 %s: idle for %ss; closing", connection.peer, self.idle_timeout)
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

    def _encode(self, message: Message, connection: _Connection) -> bytes:
        return encode(message, self._charset(connection))

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
            log.info("sip2 %s: %s; ignored", connection.peer, error)
            return None, True
        except Junk:
            connection.junk += 1
            log.info("sip2 %s: %d bytes that are not SIP2; ignored", connection.peer, len(frame))
            return None, connection.junk < MAX_JUNK_FRAMES
        connection.junk = 0
        if log.isEnabledFor(logging.DEBUG):
            log.debug("sip2 %s <- %s", connection.peer, redact(request))

        if request.code == "97":
            return connection.last_response, True
        if request.code == "93":
            response = await self._login(request, connection)
        else:
            edge = handlers.edge_from(clock.now(), clock.today())
            loop = asyncio.get_running_loop()
            answer = await loop.run_in_executor(
                self._pool, handlers.handle, connection.session, request, edge
            )
            if answer is None:
                log.info(
                    "sip2 %s: message %s not supported; ignored", connection.peer, request.code
                )
                return None, True
            response = self._encode(answer, connection)
        connection.last_response = response
        return response, True

    async def _login(self, request: Message, connection: _Connection) -> bytes:
        user = request.get("CN") or ""
        password = request.get("CO") or ""
        host = connection.peer.rsplit(":", 1)[0]
        loop = asyncio.get_running_loop()
        try:
            session = await loop.run_in_executor(
                self._pool, lambda: handlers.login(user=user, password=password)
            )
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
