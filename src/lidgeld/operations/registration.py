"""A new borrower at the desk or from the command line, with their first membership."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lidgeld.borrowers.models import Borrower
from lidgeld.borrowers.services import borrower_create
from lidgeld.errors import InvalidInput
from lidgeld.libraries.models import Instance
from lidgeld.memberships.models import MembershipType
from lidgeld.operations.renewals import age_refusal, membership_start
from lidgeld.scope import Scope


def borrower_register(
    *,
    card_number: str,
    first_name: str,
    last_name: str,
    instance: Instance,
    today: date,
    now: datetime,
    actor: str,
    email: str = "",
    language: str = "nl",
    birth_date: date | None = None,
    street: str = "",
    house_number: str = "",
    box: str = "",
    postal_code: str = "",
    city: str = "",
    country: str = "BE",
    phone: str = "",
    pin: str | None = None,
    duplicates_in: Scope | None = None,
    membership_type: MembershipType | None = None,
    start: date | None = None,
    paid: bool = False,
) -> Borrower:
    """A new card holder, with a first membership when a type is given; both or
    neither. ``duplicates_in``: see :func:`lidgeld.borrowers.services.borrower_create`."""
    if membership_type is not None and membership_type.instance_id != instance.pk:
        raise InvalidInput(
            _("type %(type)s belongs to another instance than %(instance)s"),
            code="type_of_other_instance",
            params={"type": membership_type.code, "instance": instance.code},
        )
    # R12, said before anything else is checked (membership_start asks it again).
    if membership_type is not None and (
        refused := age_refusal(
            birth_date=birth_date, membership_type=membership_type, start=start or today
        )
    ):
        raise refused
    with transaction.atomic():
        borrower = borrower_create(
            card_number=card_number,
            first_name=first_name,
            last_name=last_name,
            instance=instance,
            today=today,
            now=now,
            actor=actor,
            email=email,
            language=language,
            birth_date=birth_date,
            street=street,
            house_number=house_number,
            box=box,
            postal_code=postal_code,
            city=city,
            country=country,
            phone=phone,
            pin=pin,
            duplicates_in=duplicates_in,
        )
        if membership_type is not None:
            membership_start(
                borrower=borrower,
                membership_type=membership_type,
                start=start or today,
                today=today,
                now=now,
                actor=actor,
                paid=paid,
            )
        return borrower
