"""Settings per library and the kiosks' accounts: administrators only, own libraries
only, every change through its service and audited, a wrong value changes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django import forms
from django.contrib.auth.hashers import check_password

from lidgeld.audit.models import AuditEvent
from lidgeld.clock import at_nine
from lidgeld.kiosks.models import Terminal
from lidgeld.kiosks.services import terminal_add, terminal_authenticate
from lidgeld.libraries.models import CooperationGroup, Instance
from lidgeld.staffweb.forms import InstanceSettingsForm
from tests.factories import make_instance, make_staff

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 10)


@pytest.fixture
def world():
    group = CooperationGroup.objects.create(code="OOST", name="Oost")
    gent = make_instance("GENT", group=group, iban="BE68539007547034")
    leuven = make_instance("LEUVEN", group=group)
    brugge = make_instance("BRUGGE")
    return gent, leuven, brugge


@pytest.fixture
def admin(client, world):
    client.force_login(make_staff("beheer-gent", world[0], role="administrator"))
    return client


def form_of(instance: Instance, **changes) -> dict:
    """What the settings page posts when nothing is touched, with some changes."""
    data: dict = {}
    for name, field in InstanceSettingsForm.base_fields.items():
        value = getattr(instance, name)
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"  # an unticked box is not sent at all
        else:
            data[name] = value
    data.update(changes)
    return data


def test_only_administrators_open_settings(client, world):
    client.force_login(make_staff("coord", world[0], role="coordinator"))
    assert client.get("/staff/settings/").status_code == 403
    assert client.post("/staff/settings/GENT/", form_of(world[0])).status_code == 403
    assert client.get("/staff/settings/terminals/").status_code == 403
    assert client.get("/staff/settings/accounts/").status_code == 403


def test_the_settings_page_shows_every_setting_with_a_label(admin):
    page = admin.get("/staff/settings/").content.decode()
    for name in ("reminder_after_months", "renewal_base", "iban", "sender_email",
                 "notice_reminder", "portal_renewal", "portal_renewal_window_months"):  # fmt: skip
        assert f'for="id_{name}"' in page, name
    assert 'value="BE68539007547034"' in page
    # in Dutch by default, with the seed's words
    assert '<label for="id_reminder_after_months">Herinnering na:</label>' in page
    assert "<legend>Onbetaald lidgeld (R6), in maanden na de maand van boeking</legend>" in page
    assert "Instellingen bewaren</button>" in page


def test_the_page_warns_while_the_reminder_or_unpaid_notice_is_off(admin, world):
    # a new library sends both: no warning
    page = admin.get("/staff/settings/").content.decode()
    assert 'id="stage-notices-off"' not in page

    # given a library that switched the unpaid notice off
    Instance.objects.filter(code="GENT").update(notice_unpaid=False)

    page = admin.get("/staff/settings/").content.decode()

    # then the page says so, and what it means for the borrowers
    assert 'id="stage-notices-off"' in page
    assert "CNB – lidgeld niet betaald staat uit" in page
    assert "zonder dat ze een bericht krijgen" in page
    assert "CHR" not in page.split('id="stage-notices-off"')[1].split("</p>")[0]


def test_changed_settings_are_saved_and_only_they_are_audited(admin, world):
    data = form_of(
        world[0],
        unpaid_after_months=5,
        portal_renewal_window_months=2,
        address="Kouter 29\r\n9000 Gent",
    )
    data.pop("portal_renewal")
    data.pop("notice_reminder")  # switched off
    response = admin.post("/staff/settings/GENT/", data)
    assert response.status_code == 302
    assert response["Location"] == "/staff/settings/?instance=GENT"
    gent = Instance.objects.get(code="GENT")
    assert gent.unpaid_after_months == 5
    assert (gent.notice_reminder, gent.portal_renewal) == (False, False)
    assert gent.portal_renewal_window_months == 2
    assert gent.address == "Kouter 29\n9000 Gent"
    event = AuditEvent.objects.get(action="instance.changed")
    assert set(event.after) == {
        "unpaid_after_months",
        "notice_reminder",
        "portal_renewal",
        "portal_renewal_window_months",
        "address",
    }
    assert event.before["unpaid_after_months"] == 6


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"unpaid_after_months": 9}, "de termijnen van de opvolging moeten groeien"),
        ({"iban": "BE68539007547035"}, "'BE68539007547035' is geen IBAN"),
        ({"sender_email": "gent@"}, "geen geldig e-mailadres"),
        ({"portal_renewal_window_months": 13}, "hoogstens 12"),  # Django, in Dutch
        ({"reminder_after_months": "een"}, "Voer een geheel getal in"),
        ({"card_fee": "twee euro"}, "geen bedrag"),
        ({"card_fee_booking_code": 1500}, "buiten 1000-1999"),
    ],
)
def test_a_wrong_value_is_said_and_nothing_changes(admin, world, changes, says):
    response = admin.post("/staff/settings/GENT/", form_of(world[0], **changes))
    assert response.status_code == 400
    assert says in response.content.decode().replace("&#x27;", "'")
    assert Instance.objects.get(code="GENT").unpaid_after_months == 6
    assert not AuditEvent.objects.exists()


def test_the_card_fee_is_typed_the_belgian_way_and_audited(admin, world):
    data = form_of(world[0], card_fee="3,50", card_fee_booking_code=2200, notice_old_email="on")
    assert admin.post("/staff/settings/GENT/", data).status_code == 302
    gent = Instance.objects.get(code="GENT")
    assert (gent.card_fee, gent.card_fee_booking_code, gent.notice_old_email) == (
        Decimal("3.50"),
        2200,
        True,
    )
    event = AuditEvent.objects.get(action="instance.changed")
    assert set(event.after) == {"card_fee", "card_fee_booking_code", "notice_old_email"}
    assert 'value="3,50"' in admin.get("/staff/settings/").content.decode()


def test_a_saved_change_is_said_in_dutch(admin, world):
    response = admin.post(
        "/staff/settings/GENT/", form_of(world[0], unpaid_after_months=5), follow=True
    )
    assert "De instellingen van GENT zijn bewaard." in response.content.decode()


def test_nothing_changed_writes_nothing(admin, world):
    assert admin.post("/staff/settings/GENT/", form_of(world[0])).status_code == 302
    assert not AuditEvent.objects.exists()


def test_only_ones_own_library_is_within_reach_not_the_groups(admin, world):
    """LEUVEN shares GENT's borrowers (one cooperation group), not its settings (R11)."""
    assert admin.get("/staff/settings/?instance=GENT").status_code == 200
    for other in (world[1], world[2]):
        assert admin.get(f"/staff/settings/?instance={other.code}").status_code == 404
        response = admin.post(f"/staff/settings/{other.code}/", form_of(other, name="Overgenomen"))
        assert response.status_code == 404
        assert Instance.objects.get(code=other.code).name != "Overgenomen"


def test_instance_update_refuses_a_switch_that_is_not_on_or_off():
    from lidgeld.errors import InvalidInput
    from lidgeld.libraries.services import instance_update

    gent = make_instance("GENT")
    with pytest.raises(InvalidInput, match="on or off"):
        instance_update(
            instance=gent, changes={"portal_renewal": 1}, today=TODAY, now=at_nine(TODAY), actor="t"
        )
    with pytest.raises(InvalidInput, match="at most 12"):
        instance_update(
            instance=gent,
            changes={"portal_renewal_window_months": 24},
            today=TODAY,
            now=at_nine(TODAY),
            actor="t",
        )


# --- kiosks -------------------------------------------------------------------------------


def kiosk(instance: Instance, login: str = "kiosk-gent-1") -> Terminal:
    return terminal_add(
        login=login,
        password="kiosk-secret-1",
        instance_code=instance.code,
        today=TODAY,
        now=at_nine(TODAY),
        actor="t",
    )


def test_a_kiosk_is_added_with_a_hashed_password(admin):
    response = admin.post(
        "/staff/settings/GENT/terminals/add",
        {"login": "kiosk-1", "password": "geheim-123", "location": "Inkom", "charset": "cp850"},
    )
    assert response.status_code == 302
    terminal = Terminal.objects.get(login="kiosk-1")
    assert terminal.password_hash != "geheim-123"
    assert check_password("geheim-123", terminal.password_hash)
    event = AuditEvent.objects.get(action="terminal.added")
    assert "geheim-123" not in str(event.after)
    assert "kiosk-1" in admin.get(response["Location"]).content.decode()


def test_a_wrong_kiosk_is_said_and_not_added(admin, world):
    kiosk(world[0])
    response = admin.post(
        "/staff/settings/GENT/terminals/add",
        {"login": "kiosk-gent-1", "password": "geheim-123", "charset": "utf-8"},
    )
    assert response.status_code == 400
    assert "er is al een toestel" in response.content.decode()
    response = admin.post(
        "/staff/settings/GENT/terminals/add",
        {"login": "kiosk-2", "password": "kort", "charset": "utf-8"},
    )
    assert "minstens 6 tekens" in response.content.decode().replace("&#x27;", "'")
    assert Terminal.objects.count() == 1


def test_a_kiosk_is_disabled_enabled_and_given_a_new_password(admin, world):
    terminal = kiosk(world[0])
    assert admin.post(f"/staff/settings/terminals/{terminal.pk}/disable").status_code == 302
    assert terminal_authenticate(login="kiosk-gent-1", password="kiosk-secret-1") is None
    assert admin.post(f"/staff/settings/terminals/{terminal.pk}/enable").status_code == 302
    response = admin.post(
        f"/staff/settings/terminals/{terminal.pk}/password", {"password": "nieuw-geheim"}
    )
    assert response.status_code == 302
    assert terminal_authenticate(login="kiosk-gent-1", password="nieuw-geheim") is not None
    actions = list(
        AuditEvent.objects.filter(action__startswith="terminal.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "terminal.added",
        "terminal.disabled",
        "terminal.enabled",
        "terminal.password_set",
    ]


def test_a_weak_kiosk_password_is_refused(admin, world):
    terminal = kiosk(world[0])
    response = admin.post(
        f"/staff/settings/terminals/{terminal.pk}/password", {"password": "a|b|c|d"}
    )
    assert response.status_code == 400
    assert terminal_authenticate(login="kiosk-gent-1", password="kiosk-secret-1") is not None


def test_another_librarys_kiosks_are_not_found(admin, world):
    terminal = kiosk(world[2], login="kiosk-brugge")
    assert admin.get("/staff/settings/terminals/?instance=BRUGGE").status_code == 404
    assert admin.post(f"/staff/settings/terminals/{terminal.pk}/disable").status_code == 404
    assert (
        admin.post(
            f"/staff/settings/terminals/{terminal.pk}/password", {"password": "nieuw-geheim"}
        ).status_code
        == 404
    )
    assert admin.post("/staff/settings/BRUGGE/terminals/add", {}).status_code == 404
    assert Terminal.objects.get(pk=terminal.pk).enabled


def test_a_kiosks_line_end_is_chosen_when_added_and_changed_later(admin, world):
    response = admin.post(
        "/staff/settings/GENT/terminals/add",
        {"login": "kiosk-eol", "password": "geheim-123", "charset": "utf-8", "terminator": "crlf"},
    )
    assert response.status_code == 302
    terminal = Terminal.objects.get(login="kiosk-eol")
    assert terminal.terminator == "crlf"
    page = admin.get("/staff/settings/terminals/?instance=GENT").content.decode()
    assert "Regeleinde" in page
    changed = admin.post(
        f"/staff/settings/terminals/{terminal.pk}/terminator", {"terminator": "cr"}
    )
    assert changed.status_code == 302
    terminal.refresh_from_db()
    assert terminal.terminator == "cr"
    assert AuditEvent.objects.filter(action="terminal.terminator_set").count() == 1
    wrong = admin.post(f"/staff/settings/terminals/{terminal.pk}/terminator", {"terminator": "lf"})
    assert wrong.status_code == 400
    assert "Kies hoe de antwoorden" in wrong.content.decode()
    terminal.refresh_from_db()
    assert terminal.terminator == "cr"
