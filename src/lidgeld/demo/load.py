"""Loading the demo: the entry point, the staff logins it adds, and the summary of what it holds."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from lidgeld.borrowers.models import Borrower
from lidgeld.circulation.models import Reservation
from lidgeld.clock import at_nine
from lidgeld.demo.history import Replay
from lidgeld.demo.network import ACTOR, CODES, GROUP, LIBRARIES
from lidgeld.demo.plan import Plan
from lidgeld.errors import InvalidInput
from lidgeld.libraries.models import Instance
from lidgeld.memberships.models import Membership, Origin
from lidgeld.memberships.selectors import memberships_expiring
from lidgeld.notices.models import KIND_END_OF_CONTRIBUTION, TYPE_CONTRIBUTION, Message
from lidgeld.staff.services import staff_add
from lidgeld.standing.status import borrower_status

MINIMUM_BORROWERS = 10
STAFF_USERNAME = "balie"
STAFF_PASSWORD = "lidgeld-demo"
DEMO_PIN = "1234"
BACK_OFFICE_URL = "http://127.0.0.1:8000/admin/"
STAFF_URL = "http://127.0.0.1:8000/staff/"
PORTAL_URL = "http://127.0.0.1:8000/portal/"

# One login per role of the staff pages, all for Gent (whose group shares borrowers).
DEMO_ACCOUNTS = (
    ("gent-balie", "desk"),
    ("gent-coordinator", "coordinator"),
    ("gent-beheerder", "administrator"),
)


def _staff_user(today: date) -> bool:
    """The back-office logins; existing ones are left as they are. True when created."""

    users = get_user_model()
    if users.objects.filter(username=STAFF_USERNAME).exists():
        return False
    users.objects.create_superuser(username=STAFF_USERNAME, email="", password=STAFF_PASSWORD)
    for username, role in DEMO_ACCOUNTS:
        if not users.objects.filter(username=username).exists():
            staff_add(
                username=username,
                password=STAFF_PASSWORD,
                role=role,
                instance_codes=["GENT"],
                today=today,
                now=at_nine(today),
                actor=ACTOR,
            )
    return True


def demo_load(*, today: date, borrowers: int = 2000) -> dict[str, Any]:
    """Build the demo network up to ``today`` and say what it holds (JSON-ready, with "text")."""
    if borrowers < MINIMUM_BORROWERS:
        raise InvalidInput(
            _("the demo needs at least %(minimum)s borrowers"),
            code="too_few_borrowers",
            params={"minimum": MINIMUM_BORROWERS},
        )
    existing = list(
        Instance.objects.filter(code__in=CODES).order_by("code").values_list("code", flat=True)
    )
    if existing:
        if len(existing) > 1:
            sentence = _(
                "the demo network is already loaded or its codes are taken (instances "
                "%(codes)s exist); load it into an empty database instead, e.g. set "
                "LIDGELD_DATA_DIR to a new folder and run 'lidgeld migrate' first"
            )
        else:
            sentence = _(
                "the demo network is already loaded or its codes are taken (instance "
                "%(codes)s exists); load it into an empty database instead, e.g. set "
                "LIDGELD_DATA_DIR to a new folder and run 'lidgeld migrate' first"
            )
        raise InvalidInput(sentence, code="demo_loaded", params={"codes": ", ".join(existing)})
    plan = Plan(today=today, borrowers=borrowers)
    replay = Replay(plan)
    # One transaction: a failure halfway leaves nothing, and SQLite writes fastest so.
    with transaction.atomic():
        replay.run()
        created = _staff_user(today)
        # One hash for every demo borrower: hashing 2,000 PINs one by one would take
        # minutes, and demo PINs are public anyway.
        Borrower.objects.filter(home_instance__code__in=CODES, pin_hash="").update(
            pin_hash=make_password(DEMO_PIN)
        )
    return _summary(plan, replay, login_created=created)


def _summary(plan: Plan, replay: Replay, *, login_created: bool) -> dict[str, Any]:
    today = plan.today
    instance_ids = [instance.pk for instance in replay.instances]
    memberships: Counter[str] = Counter()
    stages: Counter[str] = Counter()
    examples: dict[str, str] = {}
    open_total = Decimal("0.00")
    ours = Borrower.objects.filter(home_instance_id__in=instance_ids).select_related(
        "home_instance"
    )
    for borrower in ours.order_by("card_number"):
        status = borrower_status(borrower=borrower, today=today)
        state = status.membership.state.value
        memberships[state] += 1
        examples.setdefault(state, borrower.card_number)
        open_total += status.open_amount
        if status.stage:
            stages[status.stage] += 1
            examples.setdefault(f"fee_{status.stage}", borrower.card_number)
        if any(reservation.status == "held" for reservation in status.reservations):
            examples.setdefault("reservation_held", borrower.card_number)
    per_instance = dict(
        Borrower.objects.filter(home_instance_id__in=instance_ids)
        .values_list("home_instance__code")
        .annotate(n=Count("id"))
        .values_list("home_instance__code", "n")
    )
    reservations = dict(
        Reservation.objects.filter(instance_id__in=instance_ids)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    cae = dict(
        Message.objects.filter(
            instance_id__in=instance_ids,
            type=TYPE_CONTRIBUTION,
            kind=KIND_END_OF_CONTRIBUTION,
            date=plan.month0,
        )
        .values_list("channel")
        .annotate(n=Count("id"))
        .values_list("channel", "n")
    )
    cae_all = Message.objects.filter(
        instance_id__in=instance_ids, type=TYPE_CONTRIBUTION, kind=KIND_END_OF_CONTRIBUTION
    ).count()
    automatic = Membership.objects.filter(
        instance_id__in=instance_ids, origin=Origin.AUTOMATIC
    ).count()
    expiring = memberships_expiring(month=plan.month0, instance_ids=instance_ids).count()
    examples.update(replay.desk_examples)
    month = f"{plan.month0:%Y-%m}"
    total = sum(per_instance.values())
    summary: dict[str, Any] = {
        "today": today.isoformat(),
        "history_from": plan.first_day.isoformat(),
        "group": GROUP,
        "instances": [
            {"code": lib.code, "name": lib.name, "borrowers": per_instance.get(lib.code, 0)}
            for lib in LIBRARIES
        ],
        "borrowers": total,
        "membership": {name: memberships[name] for name in ("active", "expired", "invalidated")},
        "contribution": {
            "open": stages["open"],
            "reminder": stages["reminder"],
            "unpaid": stages["unpaid"],
            "open_amount": f"{open_total:.2f}",
        },
        "reservations": {
            "waiting": reservations.get("waiting", 0),
            "held": reservations.get("held", 0),
        },
        "automatic_renewals": automatic,
        "cae": {
            "date": plan.month0.isoformat(),
            "email": cae.get("email", 0),
            "letter": cae.get("letter", 0),
            "since_start": cae_all,
        },
        "expiring": {"month": month, "count": expiring},
        "examples": examples,
        "login": {
            "username": STAFF_USERNAME,
            "password": STAFF_PASSWORD,
            "url": BACK_OFFICE_URL,
            "created": login_created,
        },
    }
    names = ", ".join(
        f"{lib.code} {lib.name} ({per_instance.get(lib.code, 0)})" for lib in LIBRARIES
    )
    tried = ", ".join(f"{card} ({state})" for state, card in sorted(examples.items()))
    login_note = "" if login_created else " (existing user, left as it was)"
    cae_count = cae.get("email", 0) + cae.get("letter", 0)
    summary["text"] = "\n".join(
        [
            f"demo network {GROUP} loaded: {plan.first_day:%d/%m/%Y} to {today:%d/%m/%Y} replayed "
            "through the services and the daily run",
            f"instances: {names}",
            f"borrowers: {total}; membership active {memberships['active']}, "
            f"expired {memberships['expired']}, invalidated {memberships['invalidated']}",
            f"contributions open: {stages['open']} open, {stages['reminder']} reminder, "
            f"{stages['unpaid']} unpaid (EUR {open_total:.2f} in all)",
            f"reservations: {reservations.get('waiting', 0)} waiting, "
            f"{reservations.get('held', 0)} held; {automatic} free periods renewed automatically",
            f"CAE notices on {plan.month0:%d/%m/%Y}: {cae_count} ({cae.get('email', 0)} e-mail, "
            f"{cae.get('letter', 0)} letter); {expiring} memberships still end this month: "
            f"lidgeld expiring --month {month}",
            f"try: lidgeld status CARD --on {today.isoformat()} with {tried}",
            f"staff pages: lidgeld serve, then {STAFF_URL} - user {STAFF_USERNAME} (all "
            f"libraries) or {', '.join(name for name, _ in DEMO_ACCOUNTS)} (one per role), "
            f"password {STAFF_PASSWORD}{login_note}; back office for superusers: {BACK_OFFICE_URL}",
            f"Mijn Bibliotheek: {PORTAL_URL} - any card number above, PIN {DEMO_PIN}",
        ]
    )
    return summary
