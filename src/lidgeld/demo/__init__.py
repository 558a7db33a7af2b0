"""The demo network (``lidgeld demo``): three libraries of one cooperation group and
a year of their borrowers' history.

No row is written in its final state by hand. The year is replayed day by day
through the services the desk uses (registration, renewal, payment, reservation)
and the daily run that expires, dunns, writes off, holds reservations and queues
the end-of-contribution notices, so every state the demo shows is one the real
code reached. The plan is drawn from ``random.Random(2026)``: the same ``today``
and number of borrowers give the same network.

:mod:`~lidgeld.demo.network` is the libraries as data, :mod:`~lidgeld.demo.plan`
who the borrowers are and what happens to them when, :mod:`~lidgeld.demo.history`
the replay through the services, and :mod:`~lidgeld.demo.load` the entry point with
its logins and summary.
"""

from lidgeld.demo.load import demo_load

__all__ = ["demo_load"]
