"""The dashboard: what the next daily run will do, and three charts read at a glance.

The charts are one GROUP BY each and come with the page. The rehearsal of the daily
run runs the real steps and can take seconds on a large network, so the page asks
for it after it has loaded (htmx), with a plain link for browsers without script."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from lidgeld.exports.formatting import format_money_be
from lidgeld.lifecycle.tick import STEP_NAMES
from lidgeld.staffweb import selectors
from lidgeld.staffweb.access import StaffRequest, staff_page
from lidgeld.staffweb.charts import Series, column_chart
from lidgeld.staffweb.views.desk_borrowers import is_htmx
from lidgeld.staffweb.views.desk_common import STAGES, label

# What each count of the daily run means, in the order the run does it.
RUN_COUNTS = (
    ("dunning", "reminder", gettext_lazy("Contributions that reach the reminder stage")),
    ("dunning", "unpaid", gettext_lazy("Contributions that become unpaid (portal blocked)")),
    ("dunning", "notices_queued", gettext_lazy("Reminder and unpaid notices to send")),
    ("dunning", "notices_skipped", gettext_lazy("Reminder and unpaid notices skipped (too late)")),
    ("write_off", "written_off", gettext_lazy("Unpaid contributions written off")),
    ("write_off", "invalidated", gettext_lazy("Memberships invalidated for non-payment")),
    ("expiry", "expired", gettext_lazy("Memberships that expire")),
    ("expiry", "past_max_age", gettext_lazy("Of those, free memberships past the age limit")),
    ("expiry", "auto_renewed", gettext_lazy("Free memberships renewed automatically")),
    ("expiry", "periods_closed", gettext_lazy("Ended periods closed")),
    ("reservations", "held", gettext_lazy("Reservations put on hold")),
    ("reservations", "resumed", gettext_lazy("Held reservations that resume")),
    ("cae", "queued", gettext_lazy("End-of-contribution notices (CAE) to send")),
    ("cae", "skipped", gettext_lazy("End-of-contribution notices (CAE) skipped (too late)")),
    ("cae", "age_limit_queued", gettext_lazy("Age-limit CAEs (CAEL) to send")),
    ("cae", "age_limit_skipped", gettext_lazy("Age-limit CAEs (CAEL) skipped (too late)")),
)


def _short_month(day: date) -> str:
    return dateformat.format(day, "M ’y")


def _axis_euros(value: Any) -> str:
    """€ 250 on an axis; cents only where the step needs them (€ 2,50)."""
    text = format_money_be(value)
    return text.removesuffix(",00")


@staff_page()
@require_GET
def dashboard(request: StaffRequest) -> HttpResponse:
    scope = request.scope
    today = request.moment.today
    figures = selectors.dashboard_figures(scope=scope, today=today, now=request.moment.now)
    ending, stages, money = figures.ending, figures.stages, figures.money
    context = {
        "today": today,
        "figures_at": figures.at,
        "ending": [(end, dateformat.format(end, "F Y"), f"{end:%Y-%m}", n) for end, n in ending],
        "ending_chart": column_chart(
            title=_("Memberships ending per month"),
            description=_("Next 12 months; at most %(n)s in one month.")
            % {"n": max((n for _end, n in ending), default=0)},
            labels=[_short_month(end) for end, _n in ending],
            series=[Series(_("Memberships"), [n for _end, n in ending])],
        ),
        "stages": [(label(STAGES, s), n, amount) for s, n, amount in stages],
        "stages_chart": column_chart(
            title=_("Open contributions per stage"),
            description=ngettext(
                "%(n)s open contribution, %(amount)s in all.",
                "%(n)s open contributions, %(amount)s in all.",
                sum(n for _s, n, _a in stages),
            )
            % {
                "n": sum(n for _s, n, _a in stages),
                "amount": format_money_be(sum((a for _s, _n, a in stages), Decimal(0))),
            },
            labels=[label(STAGES, s) for s, _n, _a in stages],
            series=[Series(_("Open contributions"), [n for _s, n, _a in stages])],
        ),
        "money": [(dateformat.format(m, "F Y"), paid, off) for m, paid, off in money],
        "money_chart": column_chart(
            title=_("Paid and written off per month"),
            description=_("Last 12 months: %(paid)s paid, %(off)s written off.")
            % {
                "paid": format_money_be(sum((p for _m, p, _o in money), Decimal(0))),
                "off": format_money_be(sum((o for _m, _p, o in money), Decimal(0))),
            },
            labels=[_short_month(m) for m, _p, _o in money],
            series=[
                Series(_("Paid"), [p for _m, p, _o in money]),
                Series(_("Written off"), [o for _m, _p, o in money]),
            ],
            value_text=format_money_be,
            axis_text=_axis_euros,
            whole=False,
        ),
    }
    return render(request, "staffweb/desk/dashboard.html", context)


@staff_page()
@require_GET
def next_run(request: StaffRequest) -> HttpResponse:
    rehearsal = selectors.next_run_rehearsal(
        scope=request.scope,
        today=request.moment.today,
        now=request.moment.now,
        fresh=request.GET.get("fresh") == "1",
    )
    context: dict[str, Any] = {"rehearsal": rehearsal, "today": request.moment.today}
    if rehearsal is not None and rehearsal.report is not None:
        totals = rehearsal.report.totals()
        instances = sorted(totals)
        context["instances"] = instances
        context["days"] = rehearsal.report.days
        context["rows"] = [
            (text, [totals[code].get(step, {}).get(key, 0) for code in instances])
            for step, key, text in RUN_COUNTS
            if any(totals[code].get(step, {}).get(key, 0) for code in instances)
        ]
        known = {(step, key) for step, key, _text in RUN_COUNTS}
        context["rows"] += [
            (f"{step}: {key}", [totals[code].get(step, {}).get(key, 0) for code in instances])
            for step in STEP_NAMES
            for key in sorted({k for code in instances for k in totals[code].get(step, {})})
            if (step, key) not in known
            and any(totals[code].get(step, {}).get(key, 0) for code in instances)
        ]
    template = "staffweb/desk/_next_run.html" if is_htmx(request) else "staffweb/desk/next_run.html"
    return render(request, template, context)
