"""The daily run ("tick"): every step, for every instance, for every day not yet done.

The clock is read by the caller; ``today`` comes in. Each (instance, step, day)
runs in its own transaction together with its ledger row, so a crash leaves
whole steps only and the next run picks up exactly where this one stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from lidgeld.batching import BatchContext, StepResult
from lidgeld.circulation.batch import reservations_hold_and_resume
from lidgeld.clock import clock
from lidgeld.domain.actors import job_actor
from lidgeld.domain.months import days_of
from lidgeld.errors import Refused
from lidgeld.finance.batch import contributions_write_off, dunning_advance
from lidgeld.libraries.models import Instance
from lidgeld.lifecycle.locks import Busy, exclusive, is_held
from lidgeld.lifecycle.models import JobRun
from lidgeld.memberships.batch import memberships_expire
from lidgeld.notices.batch import cae_notices_queue, dunning_notices_queue

StepFunction = Callable[..., StepResult]


def dunning_with_notices(*, instance: Instance, ctx: BatchContext) -> StepResult:
    """R6's stage changes, each told to the borrower by the stage's notice."""
    return dunning_advance(instance=instance, ctx=ctx, notify=dunning_notices_queue)


@dataclass(frozen=True)
class Step:
    name: str
    run: StepFunction
    description: str


# Order matters: a contribution reaches "unpaid" before it is written off, a
# membership is invalidated before expiry looks at it, and reservations and
# notices see the memberships as the earlier steps left them.
STEPS: tuple[Step, ...] = (
    Step("dunning", dunning_with_notices, "contributions to reminder / unpaid (R6)"),
    Step("write_off", contributions_write_off, "write-off and invalidation (R6)"),
    Step("expiry", memberships_expire, "expiry and automatic renewal (R2)"),
    Step("reservations", reservations_hold_and_resume, "hold and resume reservations (R3)"),
    Step("cae", cae_notices_queue, "end-of-contribution notices (R4)"),
)
STEP_NAMES = tuple(step.name for step in STEPS)


@dataclass
class StepReport:
    day: date
    instance: str
    step: str
    counts: dict[str, int]
    cards: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "day": self.day.isoformat(),
            "instance": self.instance,
            "step": self.step,
            "counts": self.counts,
        }
        if self.cards:
            data["borrowers"] = self.cards
        return data


@dataclass
class TickReport:
    today: date
    dry_run: bool
    days: list[date] = field(default_factory=list)
    steps: list[StepReport] = field(default_factory=list)

    def totals(self) -> dict[str, dict[str, dict[str, int]]]:
        """Per instance, per step: the counts added up over the days run."""
        totals: dict[str, dict[str, dict[str, int]]] = {}
        for report in self.steps:
            step_totals = totals.setdefault(report.instance, {}).setdefault(report.step, {})
            for name, count in report.counts.items():
                step_totals[name] = step_totals.get(name, 0) + count
        return totals

    def as_dict(self) -> dict[str, object]:
        return {
            "today": self.today.isoformat(),
            "dry_run": self.dry_run,
            "days": [day.isoformat() for day in self.days],
            "totals": self.totals(),
            "steps": [report.as_dict() for report in self.steps if report.counts or report.cards],
        }


TICK_ACTOR = job_actor("tick")


def days_to_run(instance: Instance, today: date) -> list[date]:
    """From the last day in the ledger (again, to finish it if a crash cut it short)
    up to today; on an empty ledger, just today."""
    last = (
        JobRun.objects.filter(instance=instance)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    if last is None or last > today:
        return [today] if last is None else []
    return days_of(last, today)


# A run for tomorrow is fine (cron just before midnight); one further ahead is a typo
# or a test. Expiry and write-off cannot be undone, so both bounds protect a library
# from a mistyped year (--today 2027-12-02 for 2026-12-02) and from a system clock
# that jumped ahead: a real library is not down for more than a month, and when it
# was, a person says so (--allow-catch-up) or catches up in steps (--today).
FUTURE_DAYS = 1
CATCH_UP_DAYS = 31


@dataclass(frozen=True)
class RunSize:
    """How far a run up to ``today`` reaches: days after the wall-clock date, and the
    most new days any library would run (its last ledger day is finished again, not
    counted)."""

    today: date
    wall_today: date
    days: int
    last_done: date | None

    @property
    def days_ahead(self) -> int:
        return (self.today - self.wall_today).days


def run_size(*, today: date, wall_today: date, instance_codes: list[str] | None = None) -> RunSize:
    instances = Instance.objects.all()
    if instance_codes:
        instances = instances.filter(code__in=instance_codes)
    last_days = dict(instances.annotate(last=Max("job_runs__day")).values_list("pk", "last"))
    days = [1 if last is None else max((today - last).days, 0) for last in last_days.values()]
    done = [last for last in last_days.values() if last is not None]
    return RunSize(
        today=today,
        wall_today=wall_today,
        days=max(days, default=0),
        last_done=min(done, default=None),
    )


def tick_check(size: RunSize, *, allow_future: bool, allow_catch_up: bool) -> list[str]:
    """Refuse a run that races ahead unless the flag for it is given; what a person
    at a terminal should confirm (empty: an ordinary run)."""
    unusual: list[str] = []
    if size.days_ahead > FUTURE_DAYS:
        if not allow_future:
            raise Refused(
                _(
                    "--today %(today)s is %(days)s days after today (%(wall)s); expiry and "
                    "write-off cannot be undone. Check the date (a typo in the year?); to run "
                    "ahead on purpose (tests, demos) add --allow-future"
                ),
                code="tick_in_the_future",
                params={
                    "today": size.today.isoformat(),
                    "days": size.days_ahead,
                    "wall": size.wall_today.isoformat(),
                },
            )
        unusual.append(
            f"--today {size.today.isoformat()} is {size.days_ahead} days after today "
            f"({size.wall_today.isoformat()})"
        )
    if size.days > CATCH_UP_DAYS:
        # Running ahead on purpose means running every day up to there.
        if not (allow_catch_up or allow_future):
            raise Refused(
                _(
                    "the last day done is %(last)s: running up to %(today)s would catch up "
                    "%(days)s days at once, more than %(bound)s. Check the system clock (it "
                    "says %(wall)s); if the system really was down that long, run again with "
                    "--allow-catch-up, or catch up in steps with --today"
                ),
                code="tick_catch_up_too_long",
                params={
                    "last": size.last_done.isoformat() if size.last_done else "-",
                    "today": size.today.isoformat(),
                    "days": size.days,
                    "bound": CATCH_UP_DAYS,
                    "wall": size.wall_today.isoformat(),
                },
            )
        unusual.append(f"it runs {size.days} days at once")
    return unusual


def tick_run(
    *,
    today: date,
    now: datetime,
    dry_run: bool = False,
    verbose: bool = False,
    actor: str = TICK_ACTOR,
    instance_codes: list[str] | None = None,
) -> TickReport:
    """Run (or, with ``dry_run``, rehearse and roll back) every missed day in order."""
    report = TickReport(today=today, dry_run=dry_run)
    # A rehearsal runs the real steps, so its counts are exact, inside one transaction
    # that is then rolled back.
    # It takes no lock, it only looks: the real run must never be turned away because
    # someone opened the dashboard; what a rehearsal writes is rolled back anyway.
    rehearsal = transaction.atomic() if dry_run else nullcontext()
    if dry_run and is_held("tick", now=now):
        raise Busy("the daily run, which is working right now")
    lock = nullcontext() if dry_run else exclusive("tick", now=now)
    try:
        with lock, rehearsal:
            _run_days(
                report,
                today=today,
                now=now,
                verbose=verbose,
                actor=actor,
                instance_codes=instance_codes,
            )
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError as error:
        if not dry_run:
            raise
        # The real run recorded a day this rehearsal was still going through.
        raise Busy("the daily run, which ran meanwhile; rehearse again") from error
    return report


def _run_days(
    report: TickReport,
    *,
    today: date,
    now: datetime,
    verbose: bool,
    actor: str,
    instance_codes: list[str] | None,
) -> None:
    instances = Instance.objects.order_by("code")
    if instance_codes:
        instances = instances.filter(code__in=instance_codes)
    plan: dict[date, list[Instance]] = {}
    for instance in instances:
        for day in days_to_run(instance, today):
            plan.setdefault(day, []).append(instance)
    for day in sorted(plan):
        ran_before = len(report.steps)
        ctx = BatchContext(day=day, run_on=today, now=now, actor=actor, collect_cards=verbose)
        for instance in plan[day]:
            done = set(
                JobRun.objects.filter(instance=instance, day=day).values_list("step", flat=True)
            )
            for step in STEPS:
                if step.name in done:
                    continue
                with transaction.atomic():
                    result = step.run(instance=instance, ctx=ctx)
                    JobRun.objects.create(
                        instance=instance,
                        step=step.name,
                        day=day,
                        run_on=today,
                        rows=result.rows,
                        started_at=now,
                        finished_at=clock.now(),
                    )
                report.steps.append(
                    StepReport(
                        day=day,
                        instance=instance.code,
                        step=step.name,
                        counts=result.counts,
                        cards=result.cards,
                    )
                )
        if len(report.steps) > ran_before:
            report.days.append(day)
