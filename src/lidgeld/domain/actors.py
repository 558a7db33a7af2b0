"""Who the audit trail names: one spelling per kind of actor, made at the edge.

A person at the desk and the same person in the back office are one actor
(``staff:<username>``); a borrower in Mijn Bibliotheek is ``portal:<card>``, a kiosk
``kiosk:<login>``, a scheduled step ``job:<name>``, a command typed by someone
``cli:<user>``, another system ``api:<client>``."""

from __future__ import annotations


def staff_actor(username: str) -> str:
    return f"staff:{username}"


def portal_actor(card_number: str) -> str:
    return f"portal:{card_number}"


def kiosk_actor(login: str) -> str:
    return f"kiosk:{login}"


def job_actor(name: str) -> str:
    return f"job:{name}"


def cli_actor(user: str | None) -> str:
    return f"cli:{user}" if user else "cli"


def api_actor(client: str) -> str:
    return f"api:{client}"
