from lidgeld.domain.actors import (
    api_actor,
    cli_actor,
    job_actor,
    kiosk_actor,
    portal_actor,
    staff_actor,
)


def test_one_spelling_per_kind_of_actor():
    assert staff_actor("balie-gent") == "staff:balie-gent"
    assert portal_actor("210000002") == "portal:210000002"
    assert kiosk_actor("kiosk-gent-1") == "kiosk:kiosk-gent-1"
    assert job_actor("tick") == "job:tick"
    assert cli_actor("root") == "cli:root"
    assert cli_actor(None) == "cli"
    assert api_actor("catalogus") == "api:catalogus"
