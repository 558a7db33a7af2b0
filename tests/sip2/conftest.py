"""A running SIP2 server against the test database, and a small socket client.

Reusable by other SIP2 tests (e.g. the interoperability tests)::

    def test_something(sip2_server):
        host, port = sip2_server.host, sip2_server.port
        # log in with CN sip2_server.login / CO sip2_server.password

The server runs its own event loop in a background thread and its own database
threads, so tests using it need committed data: ``sip2_server`` pulls in
``transactional_db`` (``django_db(transaction=True)``).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from lidgeld.clock import FixedClock
from lidgeld.kiosks.models import Terminal
from lidgeld.libraries.models import Instance
from lidgeld.sip2.codec import Message, checksum, decode
from lidgeld.sip2.server import Sip2Server
from tests.factories import make_instance

TERMINAL_LOGIN = "kiosk-gent-1"
TERMINAL_PASSWORD = "kiosk-secret-1"  # test only
STAMP = "20260415    101500"  # a SIP2 transaction date as kiosks send it


class RunningServer:
    """A Sip2Server on a free port, served by an event loop in a background thread."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("host", "127.0.0.1")
        options.setdefault("port", 0)
        options.setdefault("workers", 4)
        self.server = Sip2Server(**options)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.host = ""
        self.port = 0

    def start(self) -> RunningServer:
        self.thread.start()
        future = asyncio.run_coroutine_threadsafe(self.server.start(), self.loop)
        self.host, self.port = future.result(timeout=10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@contextlib.contextmanager
def running_server(**options: Any) -> Iterator[RunningServer]:
    server = RunningServer(**options).start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Endpoint:
    host: str
    port: int
    login: str
    password: str
    instance: Instance
    terminal: Terminal

    def __iter__(self) -> Iterator[Any]:  # host, port = sip2_server
        return iter((self.host, self.port))


@pytest.fixture
def fast_hashers(settings):
    """PBKDF2 at full strength costs ~0.3 s a hash; tests hash many PINs and passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def add_terminal(instance: Instance, login: str, password: str, **extra: Any) -> Terminal:
    return Terminal.objects.create(
        login=login,
        password_hash=make_password(password),
        instance=instance,
        created_at=timezone.now(),
        **extra,
    )


@pytest.fixture
def gent(transactional_db):
    return make_instance("GENT")


@pytest.fixture
def sip2_server(transactional_db, fast_hashers, gent) -> Iterator[Endpoint]:
    """A SIP2 server on 127.0.0.1 (free port) with one terminal of instance GENT."""
    terminal = add_terminal(gent, TERMINAL_LOGIN, TERMINAL_PASSWORD, location="Hoofdbibliotheek")
    with running_server(failed_login_delay=0.05, idle_timeout=10) as server:
        yield Endpoint(server.host, server.port, TERMINAL_LOGIN, TERMINAL_PASSWORD, gent, terminal)


def with_trailer(text: str, sequence: int | None = 0, charset: str = "utf-8") -> bytes:
    """``text`` (a message without trailer) with AY/AZ and CR, as a kiosk sends it."""
    body = text.encode(charset)
    if sequence is not None:
        body += f"AY{sequence}".encode()
    body += b"AZ"
    return body + checksum(body).encode() + b"\r"


class Client:
    """A minimal kiosk: sends text messages with AY/AZ ended by ``terminator`` (CR, or
    CRLF as Koha's emulator does) and reads answers ended by the same.

    ``source`` is the address to connect from (any 127.x.y.z is this machine): another
    kiosk, as far as the server can tell."""

    def __init__(
        self,
        host: str,
        port: int,
        charset: str = "utf-8",
        timeout: float = 5,
        *,
        terminator: bytes = b"\r",
        source: str | None = None,
    ) -> None:
        self.sock = socket.create_connection(
            (host, port), timeout=timeout, source_address=(source, 0) if source else None
        )
        self.charset = charset
        self.terminator = terminator
        self.sequence = 0
        self.buffer = b""
        self.last_raw = b""

    def close(self) -> None:
        self.sock.close()

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read_raw(self) -> bytes:
        """One answer, with its terminator (a CRLF client waits for the LF)."""
        while self.terminator not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            self.buffer += chunk
        frame, self.buffer = self.buffer.split(self.terminator, 1)
        self.last_raw = frame + self.terminator
        return self.last_raw

    def read(self) -> Message:
        return decode(self.read_raw(), self.charset, errors="strict")

    def send(self, text: str) -> None:
        self.sequence = (self.sequence + 1) % 10
        self.send_raw(with_trailer(text, self.sequence, self.charset)[:-1] + self.terminator)

    def ask(self, text: str) -> Message:
        self.send(text)
        response = self.read()
        assert response.sequence == self.sequence
        return response

    def login(self, login: str = TERMINAL_LOGIN, password: str = TERMINAL_PASSWORD) -> Message:
        return self.ask(f"9300CN{login}|CO{password}|")

    def closed(self, wait: float = 3) -> bool:
        """True when the server has closed the connection (within ``wait`` seconds)."""
        self.sock.settimeout(wait)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
        except TimeoutError:
            return False
        except ConnectionError:
            return True


@pytest.fixture
def client(sip2_server) -> Iterator[Client]:
    """A client connected and logged in to ``sip2_server``."""
    kiosk = Client(sip2_server.host, sip2_server.port)
    assert kiosk.login().fixed["ok"] == "1"
    yield kiosk
    kiosk.close()


@pytest.fixture
def connect(sip2_server):
    """Open more connections: ``connect()`` or ``connect(charset="cp850")``."""
    opened: list[Client] = []

    def open_client(charset: str = "utf-8") -> Client:
        kiosk = Client(sip2_server.host, sip2_server.port, charset=charset)
        opened.append(kiosk)
        return kiosk

    yield open_client
    for kiosk in opened:
        kiosk.close()


class FastClock(FixedClock):
    """A clock that runs ``speed`` times faster than the wall clock from ``start``: the
    throttle's waits of seconds pass in hundredths (with the server's
    ``pin_wait_scale`` at 1 / ``speed``), and a lock still ends with its window."""

    def __init__(self, start: datetime, speed: float) -> None:
        super().__init__(start.date(), start)
        self.start = start
        self.speed = speed
        self.began = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self.began) * self.speed)
