"""A library's details and policy, changed from the command line."""

import pytest

from lidgeld.audit.models import AuditEvent
from lidgeld.cli.main import main
from lidgeld.libraries.models import Instance
from tests.factories import make_instance

pytestmark = pytest.mark.django_db


def test_details_are_changed_and_audited(capsys):
    make_instance("GENT")
    code = main(
        ["instance", "set", "--code", "GENT", "--iban", "BE68 5390 0754 7034",
         "--address", "Kouter 29\\n9000 Gent", "--sender-email", "gent@bib.example",
         "--notice-max-delay-days", "3"]
    )  # fmt: skip
    assert code == 0
    gent = Instance.objects.get(code="GENT")
    assert (gent.iban, gent.address, gent.notice_max_delay_days) == (
        "BE68539007547034",
        "Kouter 29\n9000 Gent",
        3,
    )
    assert AuditEvent.objects.get(action="instance.changed").after["iban"] == "BE68539007547034"


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--iban", "BE68539007547035"], "'BE68539007547035' is not an IBAN"),
        (["--sender-email", "gent@"], "not a valid e-mail address"),
        (["--unpaid-after-months", "1"], "must grow"),
        ([], "say what to change"),
    ],
)
def test_a_wrong_value_changes_nothing(capsys, argv, says):
    make_instance("GENT", iban="BE68539007547034")
    assert main(["instance", "set", "--code", "GENT", *argv]) == 2
    assert says in capsys.readouterr().err
    assert Instance.objects.get(code="GENT").iban == "BE68539007547034"
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("", "say what to change, e.g. --iban"),
        ("nl", "zeg wat er moet veranderen, bv. --iban"),
        ("fr", "indiquez ce qu’il faut changer, p. ex. --iban"),
        ("de", "say what to change, e.g. --iban"),
    ],
)
def test_the_error_sentence_is_in_the_language_the_back_office_sets(
    capsys, monkeypatch, language, says
):
    # given a back office that sets LIDGELD_LANGUAGE (or not, or to one lidgeld lacks)
    make_instance("GENT", iban="BE68539007547034")
    monkeypatch.setenv("LIDGELD_LANGUAGE", language)

    # when a command is given nothing to do
    assert main(["instance", "set", "--code", "GENT"]) == 2

    # then the error says what to fix in that language, English being the default
    assert says in capsys.readouterr().err
