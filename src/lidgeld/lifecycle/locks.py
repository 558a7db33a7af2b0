"""One daily run at a time, without ever waiting for the other one."""

from __future__ import annotations

import os
import socket
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction

from lidgeld.lifecycle.models import JobLock

# A crashed run on SQLite leaves its lease behind; after this long, or as soon as
# its process is known to be gone, the next run takes over.
LEASE = timedelta(hours=2)


class Busy(Exception):
    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_gone(holder: str) -> bool:
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _alive(lock: JobLock, now: datetime) -> bool:
    return lock.expires_at > now and not _process_gone(lock.holder)


def _advisory_key(name: str) -> int:
    return zlib.crc32(f"lidgeld:{name}".encode())


def is_held(name: str, *, now: datetime) -> bool:
    """Does a process hold ``name`` right now? A look that takes nothing, so it can
    never be the reason the real holder is turned away."""
    if connection.vendor == "postgresql":
        key = _advisory_key(name)
        with connection.cursor() as cursor:
            # A one-number advisory lock shows in pg_locks as (high 32 bits, low 32 bits, 1).
            # Advisory locks belong to a database, but pg_locks shows the whole server's:
            # another lidgeld database on the same server (a test or staging copy) running
            # its daily run is not this one's.
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND classid = %s AND objid = %s AND objsubid = 1 AND granted)",
                [key >> 32, key & 0xFFFFFFFF],
            )
            (held,) = cursor.fetchone()
            return bool(held)
    existing = JobLock.objects.filter(name=name).first()
    return existing is not None and _alive(existing, now)


@contextmanager
def exclusive(name: str, *, now: datetime) -> Iterator[None]:
    """Raise :class:`Busy` at once when another process holds ``name``."""
    if connection.vendor == "postgresql":
        key = _advisory_key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            (acquired,) = cursor.fetchone()
            if not acquired:
                raise Busy("another process")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return

    holder = _holder()
    # Look before taking SQLite's write lock: a run that is busy writing holds that
    # lock, and waiting for it is exactly what a second run must not do.
    existing = JobLock.objects.filter(name=name).first()
    if existing is not None and _alive(existing, now):
        raise Busy(f"{existing.holder} since {existing.acquired_at:%Y-%m-%d %H:%M}")
    with transaction.atomic():
        existing = JobLock.objects.filter(name=name).first()
        if existing is not None:
            if _alive(existing, now):
                raise Busy(f"{existing.holder} since {existing.acquired_at:%Y-%m-%d %H:%M}")
            existing.delete()
        try:
            JobLock.objects.create(
                name=name, holder=holder, acquired_at=now, expires_at=now + LEASE
            )
        except IntegrityError:
            raise Busy("another process") from None
    try:
        yield
    finally:
        JobLock.objects.filter(name=name, holder=holder).delete()
