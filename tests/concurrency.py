"""Run the same work on several connections at the same moment, as two desks, two
kiosks or two senders would."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import close_old_connections, connection

T = TypeVar("T")


def at_the_same_moment(
    work: Callable[[int], T], *, times: int = 2, timeout: float = 60
) -> tuple[list[T], list[Exception]]:
    """``work(n)`` for n in 0..times-1, each in its own thread and database connection,
    released together by a barrier. What each returned, and what each raised (the
    caller asserts there was nothing)."""
    barrier = threading.Barrier(times)
    results: list[T] = []
    errors: list[Exception] = []

    def one(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(work(n))
        except Exception as error:  # the caller's assertion reports it
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results, errors
