"""Indexes for the desk's borrower search (card, name, e-mail; prefix, any case).

The search compares ``UPPER(column)`` with a range (``>= 'PEETERS' AND < 'PEETERT'``),
not ``LIKE``: a range works with an ordinary B-tree and lets the same index return the
rows already in the order shown, so a query stops after the first page even when
"Peeters" matches 50,000 borrowers. On PostgreSQL the expressions carry ``COLLATE "C"``
because a prefix is only a contiguous range in byte order (a linguistic collation such
as nl_BE sorts spaces and accents differently); :mod:`lidgeld.staffweb.selectors` asks
with the very same expressions. SQLite compares in byte order already.

The indexes are not in the model's state (the ORM cannot declare a collation that
SQLite lacks). A later migration that makes Django rebuild this table on SQLite drops
them: recreate them there (tests/staffweb/test_desk_search.py checks the plan).
"""

from django.db import migrations

from lidgeld.db import VendorSQL

TABLE = "borrowers_borrower"
NAMES = ("borrower_name_search_idx", "borrower_card_search_idx", "borrower_email_search_idx")


def _indexes(collate: str) -> list[str]:
    def key(column: str) -> str:
        return f"(UPPER({column}){collate})"

    return [
        f"CREATE INDEX borrower_name_search_idx ON {TABLE} "
        f"({key('last_name')}, {key('first_name')}, id)",
        f"CREATE INDEX borrower_card_search_idx ON {TABLE} ({key('card_number')}, id)",
        f"CREATE INDEX borrower_email_search_idx ON {TABLE} ({key('email')}, id)",
    ]


class Migration(migrations.Migration):
    dependencies = [("borrowers", "0002_postal_address")]

    operations = [
        VendorSQL(
            forwards={
                "sqlite": _indexes(""),
                "postgresql": _indexes(' COLLATE "C"'),
            },
            backwards={
                "sqlite": [f"DROP INDEX IF EXISTS {name}" for name in NAMES],
                "postgresql": [f"DROP INDEX IF EXISTS {name}" for name in NAMES],
            },
        )
    ]
