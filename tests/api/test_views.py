"""The JSON endpoints and downloads act for the logged-in staff member, within their scope."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook

from lidgeld.audit.models import AuditEvent
from lidgeld.libraries.models import CooperationGroup
from lidgeld.selections.models import BorrowerSet
from tests.factories import (
    make_borrower,
    make_instance,
    make_membership,
    make_message,
    make_open_fee,
    make_staff,
    make_type,
)

pytestmark = pytest.mark.django_db

APRIL_1 = date(2026, 4, 1)


@pytest.fixture
def world():
    gent = make_instance("GENT")
    brugge = make_instance("BRUGGE")
    make_message(make_borrower(gent, card="G1", email="g1@example.be"), APRIL_1)
    make_message(make_borrower(gent, card="G2", email="g2@example.be"), APRIL_1, kind="HR")
    make_message(make_borrower(brugge, card="B1", email="b1@example.be"), APRIL_1)
    return gent, brugge


@pytest.fixture
def gent_desk(world, client):
    client.force_login(make_staff("balie-gent", world[0]))
    return client


def post(client: Client, url: str, data: dict) -> tuple[int, dict]:
    response = client.post(url, json.dumps(data), content_type="application/json")
    return response.status_code, response.json()


def test_rule_check_gives_both_forms(gent_desk):
    status, answer = post(
        gent_desk, "/api/rules/check", {"text": "b.date = 2026-04-01 and b.kind = CAE"}
    )
    assert status == 200
    assert answer["text"] == "B.date = 2026-04-01 AND B.kind = CAE"
    status, again = post(gent_desk, "/api/rules/check", {"rule": answer["rule"]})
    assert (status, again["text"]) == (200, answer["text"])


def test_a_bad_rule_is_a_400_with_the_position(gent_desk):
    status, answer = post(gent_desk, "/api/rules/check", {"text": "B.date = "})
    assert status == 400
    assert answer["position"] == 9
    status, answer = post(gent_desk, "/api/selections/run", {"rule": {"and": "nope"}})
    assert status == 400
    assert answer["path"]
    assert BorrowerSet.objects.count() == 0


def test_run_the_seed_selection_and_download_the_xlsx(gent_desk):
    status, made = post(
        gent_desk, "/api/selections/run", {"text": "B.date = 2026-04-01 AND B.kind = CAE"}
    )
    assert (status, made["size"]) == (201, 1)  # Brugge's borrower is not theirs

    response = gent_desk.get(
        f"/api/sets/{made['set']}/export", {"fields": "email", "format": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="set-')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [row[0].value for row in sheet.iter_rows()] == ["E-mailadres", "g1@example.be"]
    assert AuditEvent.objects.get(action="set.export").actor == "staff:balie-gent"


def test_a_csv_download_streams_and_is_audited_at_the_end(gent_desk):
    _, made = post(gent_desk, "/api/selections/run", {"text": "A.home_instance = GENT"})
    response = gent_desk.get(
        f"/api/sets/{made['set']}/export", {"fields": "card,email", "excel": "1"}
    )
    assert response.streaming
    assert not AuditEvent.objects.filter(action="set.export").exists()
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(body), delimiter=";"))[1:] == [
        ["G1", "g1@example.be"],
        ["G2", "g2@example.be"],
    ]
    assert AuditEvent.objects.get(action="set.export").after["rows"] == 2


def test_sets_list_and_combine(gent_desk):
    _, cae = post(gent_desk, "/api/selections/run", {"text": "B.kind = CAE"})
    _, everyone = post(gent_desk, "/api/selections/run", {"text": "A.home_instance = GENT"})
    status, rest = post(
        gent_desk,
        "/api/sets/combine",
        {"left": everyone["set"], "right": cae["set"], "operation": "difference"},
    )
    assert (status, rest["size"]) == (201, 1)
    listed = gent_desk.get("/api/sets").json()["sets"]
    assert {item["set"] for item in listed} == {cae["set"], everyone["set"], rest["set"]}


def test_reports_as_page_data_and_downloads(gent_desk, world):
    gent = world[0]
    volw = make_type(gent)
    borrower = make_borrower(gent, card="G3")
    make_open_fee(make_membership(borrower, volw, date(2025, 4, 1)), booked_on=date(2025, 4, 1))

    page = gent_desk.get("/api/reports/messages", {"kind": "CAE", "from": "2026-04-01"}).json()
    assert [row[0] for row in page["rows"]] == ["2026-04-01"]
    assert page["truncated"] is False

    response = gent_desk.get("/api/reports/outstanding", {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert any("G3" in [cell.value for cell in row] for row in sheet.iter_rows())
    event = AuditEvent.objects.get(action="report.export")
    assert event.after["report"] == "outstanding"
    assert event.actor == "staff:balie-gent"

    pdf = gent_desk.get("/api/reports/expiring", {"format": "pdf", "month": "2026-03"})
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_another_instance_is_refused_in_reports(gent_desk):
    response = gent_desk.get("/api/reports/messages", {"instance": "BRUGGE", "format": "csv"})
    assert response.status_code == 403
    assert "access" in response.json()["error"]
    assert not AuditEvent.objects.filter(action="report.export").exists()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"format": "docx"}, "csv, xlsx or pdf"),
        ({"from": "1 april"}, "write it as YYYY-MM-DD"),
        ({"from": "9999-12-31"}, "'from' = '9999-12-31' is too far off: the year must be 1900"),
        ({"instance": "GENT", "to": "0001-01-01"}, "'to' = '0001-01-01' is too far off"),
    ],
)
def test_bad_report_parameters_say_what_to_fix(gent_desk, params, message):
    response = gent_desk.get("/api/reports/messages", params)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_other_peoples_sets_are_not_found(world, client):
    owner = Client()
    owner.force_login(make_staff("an", world[0]))
    _, made = post(owner, "/api/selections/run", {"text": "B.kind = CAE"})
    client.force_login(make_staff("bert", world[0]))
    response = client.get(f"/api/sets/{made['set']}/export")
    assert response.status_code == 400
    assert "of yours" in response.json()["error"]


def test_login_and_csrf_are_required(world):
    anonymous = Client()
    assert anonymous.get("/api/sets").status_code == 401
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_staff("an", world[0]))
    response = strict.post(
        "/api/selections/run", json.dumps({"text": "B.kind = CAE"}), content_type="application/json"
    )
    assert response.status_code == 403
    assert BorrowerSet.objects.count() == 0


def test_a_login_without_staff_account_is_refused(world, django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_user("plain", password="x" * 12))
    assert client.get("/api/sets").status_code == 403


def test_a_selection_within_a_library_outside_ones_scope_is_refused(gent_desk):
    status, answer = post(
        gent_desk, "/api/selections/run", {"text": "B.kind = CAE", "instance": "BRUGGE"}
    )
    assert status == 403
    assert "access" in answer["error"]
    status, answer = post(
        gent_desk, "/api/selections/run", {"text": "B.kind = CAE", "instance": "GENT"}
    )
    assert (status, answer["size"]) == (201, 1)


@pytest.fixture
def group_world():
    """GENT and LOCH share borrowers (group OOST)."""
    group = CooperationGroup.objects.create(code="OOST", name="Oost")
    gent, loch = make_instance("GENT", group=group), make_instance("LOCH", group=group)
    make_message(make_borrower(gent, card="G1", email="g1@example.be"), APRIL_1)
    make_message(make_borrower(loch, card="L1", email="l1@example.be"), APRIL_1)
    return gent, loch


@pytest.mark.parametrize(
    ("role", "status"), [("desk", 403), ("coordinator", 200), ("administrator", 200)]
)
def test_exports_of_another_librarys_borrowers_need_the_coordinator_role(
    group_world, client, role, status
):
    client.force_login(make_staff("gent", group_world[0], role=role))
    _, made = post(client, "/api/selections/run", {"text": "B.kind = CAE"})
    assert made["size"] == 2
    answers = [
        client.get(f"/api/sets/{made['set']}/export", {"fields": "card,email"}),
        client.get("/api/reports/messages", {"from": "2026-04-01", "format": "csv"}),
        client.get("/api/reports/messages", {"from": "2026-04-01"}),  # JSON rows too
    ]
    for response in answers:
        assert response.status_code == status
        if status == 403:
            assert response.json()["code"] == "export_beyond_own"
            assert "holds borrowers of other libraries (LOCH)" in response.json()["error"]
        elif hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    exported = AuditEvent.objects.filter(action__in=["set.export", "report.export"])
    assert exported.count() == (0 if status == 403 else 2)
    # counts without names may leave
    summary = client.get("/api/reports/messages", {"from": "2026-04-01", "summary": "1"})
    assert summary.status_code == 200


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ('{"text": "A.first_name = \\"An\\u0000\\""}', "$.text contains a NUL character"),
        ('{"text": "A.first_name = \\"\\ud800\\""}', "$.text contains characters that are not"),
        (
            '{"rule": {"field": "A.city", "op": "=", "value": "Gent\\u0000"}}',
            "$.rule.value contains a NUL character",
        ),
        ('{"text": "A.city = x", "instance": "GE\\u0000NT"}', "$.instance contains a NUL"),
        ('{"saved": "\\u0000"}', "$.saved contains a NUL character"),
        ('{"text\\u0000": "A.city = x"}', "a key of $ contains a NUL character"),
    ],
)
def test_text_no_database_stores_is_refused_in_a_json_body(gent_desk, body, says):
    response = gent_desk.post("/api/selections/run", body, content_type="application/json")
    assert response.status_code == 400
    answer = response.json()
    assert answer["error"].startswith(says)
    assert answer["error"].endswith("which cannot be stored; remove it")
    assert answer["code"] == "unstorable_text"
    assert BorrowerSet.objects.count() == 0


def test_a_json_body_nested_beyond_reason_is_refused(gent_desk):
    body = '{"rule": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = gent_desk.post("/api/selections/run", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "the request body is nested too deeply to read"


def test_an_expiring_report_of_a_month_too_far_off_is_refused(gent_desk):
    response = gent_desk.get("/api/reports/expiring", {"month": "9999-12"})
    assert response.status_code == 400
    assert response.json()["error"] == "'9999-12' is too far off: the year must be 1900 to 2999"


@pytest.mark.parametrize(
    ("body", "says", "where"),
    [
        ('{"text": "' + "(" * 315 + "A.city = Gent" + ")" * 315 + '"}',
         "nested more than 50 deep", {"position": 50}),
        ('{"rule": ' + '{"not": ' * 315 + '{"field": "A.city", "op": "is_empty"}' + "}" * 316,
         "nested more than 50 deep", {"path": "$" + ".not" * 50}),
        ('{"text": "' + " AND ".join(["A.city = Gent"] * 3000) + '"}',
         "a rule holds at most 100 conditions", {"position": 1800}),
        ('{"rule": {"field": "C.amount", "op": "=", "value": 1e400}}',
         "found the number 1E+400", {"path": "$.value"}),
        ('{"text": "C.amount > 1000000000000000000000000000000"}',
         "is out of range: an amount is -999999.99 to 999999.99", {"position": 11}),
        ('{"text": "C.booking_code in (1, 100000000000000000000000000000)"}',
         "is out of range: a booking code is 1 to 9999", {"position": 22}),
    ],
)  # fmt: skip
def test_a_rule_beyond_what_a_rule_may_hold_is_a_400_saying_where(gent_desk, body, says, where):
    response = gent_desk.post("/api/selections/run", body, content_type="application/json")
    assert response.status_code == 400
    answer = response.json()
    assert says in answer["error"]
    assert {key: answer[key] for key in where} == where
    assert BorrowerSet.objects.count() == 0
