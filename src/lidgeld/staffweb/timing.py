"""``Server-Timing: app;dur=12.3``: how long the application took for a request, in ms.

Put first in ``MIDDLEWARE`` it times everything Django does (session, login, view,
template), without the web server's queueing and the network. Browsers show it in
their developer tools; the desk benchmark (bench/staff_bench.py) reads it."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase


class ServerTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        # A streamed download is timed up to its first byte, which is what waits.
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response
