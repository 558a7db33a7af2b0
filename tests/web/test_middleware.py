"""The staff pages are Dutch whatever the browser asks, English when chosen with their
own switch; the portal keeps its own rule (the browser's language, then the borrower's)."""

from __future__ import annotations

import pytest
from django.conf import settings

from lidgeld.audit.models import AuditEvent
from tests.factories import make_borrower, make_instance, make_staff

pytestmark = pytest.mark.django_db


def login_page(client, accept: str) -> tuple[str, str]:
    response = client.get("/staff/login/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    return response.content.decode(), response["Content-Language"]


def choose(client, language: str) -> None:
    response = client.post("/i18n/setlang/", {"language": language, "next": "/staff/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/"


def test_an_english_browser_gets_the_dutch_staff_pages(client):
    page, said = login_page(client, "en-GB,en;q=0.9")
    assert said == "nl"
    assert '<html lang="nl">' in page
    assert "<h1>Aanmelden</h1>" in page
    assert '<label for="username">Gebruikersnaam</label>' in page
    assert '<option value="nl" lang="nl" selected>Nederlands</option>' in page
    assert "Log in" not in page


def test_english_when_chosen_with_the_switch_and_dutch_again(client):
    choose(client, "en")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page, said = login_page(client, "nl-BE,nl;q=0.9")  # the choice beats the browser
    assert said == "en"
    assert '<html lang="en">' in page
    assert "<h1>Log in</h1>" in page
    assert '<label for="username">User name</label>' in page
    assert '<option value="en" lang="en" selected>English</option>' in page
    choose(client, "nl")
    page, said = login_page(client, "en")
    assert (said, "<h1>Aanmelden</h1>" in page) == ("nl", True)


def test_the_choice_holds_on_every_staff_page(client):
    client.force_login(make_staff("balie-gent", make_instance("GENT")))
    assert "<h1>Lener zoeken</h1>" in client.get("/staff/borrowers/").content.decode()
    choose(client, "en")
    assert "<h1>Find a borrower</h1>" in client.get("/staff/borrowers/").content.decode()


def test_a_language_the_staff_pages_do_not_speak_gives_dutch(client):
    # French, chosen in Mijn Bibliotheek on the same computer: not a staff choice.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page, said = login_page(client, "fr")
    assert said == "nl"
    assert "<h1>Aanmelden</h1>" in page


def test_the_portal_keeps_its_own_rule(client):
    response = client.get("/portal/login/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/portal/login/", HTTP_ACCEPT_LANGUAGE="nl")
    assert response["Content-Language"] == "en"


# --- NUL characters never reach the database ------------------------------------------
# PostgreSQL refuses a NUL in text with an error (a 500 before this guard); SQLite stores
# it. Either way the visitor gets the same sentence, naming the field, and nothing runs.


def test_a_nul_in_the_staff_search_is_refused_in_dutch_naming_the_field(client):
    client.force_login(make_staff("balie-gent", make_instance("GENT")))
    response = client.get("/staff/borrowers/", {"q": "Pee\x00ters"})
    assert response.status_code == 400
    page = response.content.decode()
    assert '<html lang="nl">' in page
    assert "Het veld “q” bevat een teken dat niet bewaard kan worden" in page
    assert "Verwijder het en probeer opnieuw." in page


def test_a_nul_in_a_portal_form_is_refused_in_the_borrowers_language(client):
    make_borrower(make_instance("GENT"), card="2001")
    response = client.post(
        "/portal/login/", {"card_number": "20\x0001", "pin": "1234"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Le champ « card_number » contient un caractère qui ne peut pas être enregistré" in page
    assert not AuditEvent.objects.exists()


def test_a_nul_in_an_api_query_is_a_json_400(client):
    client.force_login(make_staff("balie-gent", make_instance("GENT")))
    response = client.get("/api/reports/messages", {"instance": "GE\x00NT"})
    assert response.status_code == 400
    assert response.json() == {
        "error": "The field “instance” contains a character that cannot be stored (such as "
        "a NUL, %00). Remove it and try again.",
        "code": "unstorable_text",
        "field": "instance",
    }


def test_a_nul_in_the_address_is_refused(client):
    response = client.get("/portal/pin/reset/ab%00cd/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "The address contains a character that cannot be stored" in response.content.decode()


def test_a_session_cookie_with_a_nul_is_dropped_not_looked_up(client):
    # A browser's garbage, not something the visitor typed: they simply have no session.
    client.cookies[settings.SESSION_COOKIE_NAME] = "abcdefgh\x00ijklmnop"
    response = client.get("/staff/login/")
    assert response.status_code == 200
    assert "<h1>Aanmelden</h1>" in response.content.decode()
