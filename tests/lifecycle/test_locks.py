"""Whether the daily run is running, as the dashboard asks: this database's run only."""

from __future__ import annotations

import pytest
from django.db import connection

from lidgeld.clock import clock
from lidgeld.lifecycle.locks import _advisory_key, is_held


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_lock_in_another_database_of_the_server_is_not_this_ones():
    import psycopg

    key = _advisory_key("tick")
    params = connection.get_connection_params()
    # given another database on the same server whose daily run holds its lock
    elsewhere = psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True)
    try:
        elsewhere.execute("SELECT pg_advisory_lock(%s)", [key])
        # then this database's run is not said to be working
        assert is_held("tick", now=clock.now()) is False
        # and when this database's own run holds it, it is
        here = psycopg.connect(**params, autocommit=True)
        try:
            here.execute("SELECT pg_try_advisory_lock(%s)", [key])
            assert is_held("tick", now=clock.now()) is True
        finally:
            here.close()
    finally:
        elsewhere.close()
