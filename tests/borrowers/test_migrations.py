"""Borrowers registered before cards had a history and names had search keys."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lidgeld.borrowers.models import Borrower, Card
from lidgeld.domain.names import search_key

BEFORE = ("borrowers", "0005_verbose_names")
NAMES = [("An", "Peeters"), ("Hélène", "D’Hoogh"), ("Jean-Luc", "Van Acker"), ("Zoë", "O'Neil")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_every_borrower_their_card_and_their_names_keys():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        # given borrowers of before, with plain and accented names
        old_apps = executor.loader.project_state([BEFORE]).apps
        instance = old_apps.get_model("libraries", "Instance").objects.create(code="GENT", name="G")
        old = old_apps.get_model("borrowers", "Borrower")
        for n, (first, last) in enumerate(NAMES):
            old.objects.create(
                card_number=f"B{n}",
                first_name=first,
                last_name=last,
                home_instance_id=instance.pk,
                registered_on=date(2020, 1, n + 1),
            )
    finally:
        # when the migration runs
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    # then each name has the key the search computes, and each card is a current card
    keys = set(Borrower.objects.values_list("search_first", "search_last"))
    assert keys == {(search_key(first), search_key(last)) for first, last in NAMES}
    cards = Card.objects.order_by("number").values_list("number", "issued_on", "replaced_on")
    assert list(cards) == [(f"B{n}", date(2020, 1, n + 1), None) for n in range(len(NAMES))]
