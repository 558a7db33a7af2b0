"""The Server-Timing header the desk benchmark reads."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_instance, make_staff

pytestmark = pytest.mark.django_db


def test_every_answer_says_how_long_the_application_took(client, settings):
    settings.MIDDLEWARE = ["lidgeld.staffweb.timing.ServerTimingMiddleware", *settings.MIDDLEWARE]
    client.force_login(make_staff("balie", make_instance("GENT")))
    for address in ("/staff/borrowers/?q=peeters", "/staff/borrowers/1/", "/staff/nowhere/"):
        assert re.fullmatch(r"app;dur=\d+\.\d", client.get(address)["Server-Timing"])
