"""The SIP2 server the self-checkout kiosks talk to (``lidgeld sip2``): the listener, its pools, its caps.

asyncio, one task per connection. The event loop only frames, decodes and
encodes (:mod:`lidgeld.sip2.connection`); every request that touches the database
runs in a small thread pool (Django connections are per thread: each worker keeps
its own, and they are closed when the server stops). The slow password hashes (a
terminal's login, a patron's PIN) run on small pools of their own, so a flood of
logins never queues a kiosk's patron lookup behind it.

Connections are capped per address and in total; one over the cap is closed at
once, and the log says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import ssl
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from lidgeld.errors import InvalidInput
from lidgeld.sip2.connection import MAX_FRAME, Connection, Responder

log = logging.getLogger("lidgeld.sip2")


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
                raise InvalidInput(
                    _("%(name)s must be a whole number of at least 1, not '%(raw)s'"),
                    code="limit_invalid",
                    params={"name": name, "raw": raw},
                )
            return int(raw)

        return cls(
            max_connections=number("LIDGELD_SIP2_MAX_CONNECTIONS", cls.max_connections),
            max_connections_per_address=number(
                "LIDGELD_SIP2_MAX_CONNECTIONS_PER_ADDRESS", cls.max_connections_per_address
            ),
        )


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
        self.workers = workers
        self.limits = limits or Limits()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sip2-db")
        # Terminal logins come from anyone who can connect, PIN checks only from logged-in
        # kiosks: separate pools, so a flood of the first never delays the second.
        self._login_hashes = ThreadPoolExecutor(hash_workers, thread_name_prefix="sip2-login")
        self._pin_hashes = ThreadPoolExecutor(hash_workers, thread_name_prefix="sip2-pin")
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._open: Counter[str] = Counter()  # open connections per address
        self._refused: dict[str, tuple[int, float]] = {}  # address: (refused, last logged)
        self._responder = Responder(
            database=self._pool,
            login_hashes=self._login_hashes,
            pin_hashes=self._pin_hashes,
            idle_timeout=idle_timeout,
            failed_login_delay=failed_login_delay,
            max_failed_login_delay=max_failed_login_delay,
            pin_wait_scale=pin_wait_scale,
        )

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

    # -- accepting a connection

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
        connection = Connection(peer=peer, host=host)
        try:
            await self._responder.serve(reader, writer, connection)
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
