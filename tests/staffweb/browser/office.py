"""Helpers for the back-office browser tests: a logged-in browser, and axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.test import Client

AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"


def log_in(page: Any, live_server: Any, user: Any) -> None:
    """Give the browser the session of ``user`` (the login page has its own tests)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def accessibility_problems(page: Any) -> list[str]:
    """WCAG 2 A/AA violations axe-core finds in the page's main content."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run(document.querySelector('main'),
                         {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})"""
    )
    return [
        f"{violation['id']}: {node['target']}"
        for violation in result["violations"]
        for node in violation["nodes"]
    ]
