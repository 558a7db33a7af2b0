"""Bar charts drawn on the server as inline SVG: no chart library, nothing to download.

A chart is a picture with a title and a one-line description for screen readers
(``role="img"``); the page puts the same figures in a table beside it, which is the
text alternative and the place for links. Geometry uses floats; the figures shown
are formatted by the caller, so amounts stay Decimal where they are read.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 240
LEFT = 64  # room for the value axis labels
BOTTOM = 44  # room for the category labels
TOP = 16
RIGHT = 8
GRID_LINES = 4

_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Any]  # int or Decimal per category


def axis_scale(value: float, *, whole: bool = False) -> tuple[float, float]:
    """The axis top and the step between grid lines: a step of 1, 2, 2.5 or 5 times a
    power of ten (whole numbers for counts), at most ``GRID_LINES``
    steps up to the first multiple of the step at or above ``value``."""
    if value <= 0:
        return 1.0, 1.0
    power = 10 ** math.floor(math.log10(value / GRID_LINES))
    # 2.5 steps make fractions of a count below 10 (2.5, 7.5): not for whole figures.
    factors = (1, 2, 5, 10) if whole and power < 10 else (1, 2, 2.5, 5, 10)
    step = next(f * power for f in factors if value <= f * power * GRID_LINES)
    if whole:
        step = max(step, 1.0)
    return step * math.ceil(value / step - 1e-9), step


def column_chart(
    *,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    value_text: Callable[[Any], str] = str,
    axis_text: Callable[[Any], str] | None = None,
    whole: bool = True,
) -> SafeString:
    """Columns per category, one colour per series (``s0``, ``s1`` … in the CSS);
    ``value_text`` writes a figure, ``axis_text`` an axis label (default: the same);
    ``whole`` says the figures are counts, so the axis steps are whole numbers."""
    axis_text = axis_text or value_text
    number = next(_ids)
    title_id, desc_id = f"chart-{number}-title", f"chart-{number}-desc"
    top, step = axis_scale(
        max((float(v) for s in series for v in s.values), default=0.0), whole=whole
    )
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    bar_w = slot * 0.7 / max(len(series), 1)

    def y(value: Any) -> float:
        return TOP + plot_h - plot_h * float(value) / top

    grid = format_html_join(
        "",
        '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (LEFT, WIDTH - RIGHT, _n(y(step * n)), _n(y(step * n)),
             LEFT - 6, _n(y(step * n) + 4), axis_text(_axis_value(step * n)))
            for n in range(round(top / step) + 1)
        ),
    )  # fmt: skip
    bars = format_html_join(
        "",
        '<rect class="bar s{}" x="{}" y="{}" width="{}" height="{}"><title>{}{}: {}</title></rect>',
        (
            (
                s_index,
                _n(LEFT + slot * c_index + slot * 0.15 + bar_w * s_index),
                _n(y(value)),
                _n(bar_w),
                _n(max(TOP + plot_h - y(value), 0.0)),
                label,
                f" — {s.name}" if len(series) > 1 else "",
                value_text(value),
            )
            for s_index, s in enumerate(series)
            for c_index, (label, value) in enumerate(zip(labels, s.values, strict=True))
        ),
    )
    names = format_html_join(
        "",
        '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (_n(LEFT + slot * (i + 0.5)), HEIGHT - BOTTOM + 18, label)
            for i, label in enumerate(labels)
        ),
    )
    legend = (
        format_html_join(
            "",
            '<rect class="bar s{}" x="{}" y="{}" width="12" height="12"/>'
            '<text class="axis" x="{}" y="{}">{}</text>',
            (
                (i, LEFT + i * 180, HEIGHT - 16, LEFT + i * 180 + 18, HEIGHT - 6, s.name)
                for i, s in enumerate(series)
            ),
        )
        if len(series) > 1
        else mark_safe("")
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{} {}" '
        'preserveAspectRatio="xMidYMid meet">'
        '<title id="{}">{}</title><desc id="{}">{}</desc>{}{}{}{}</svg>',
        WIDTH, HEIGHT, title_id, desc_id, title_id, title, desc_id, description,
        grid, bars, names, legend,
    )  # fmt: skip


def _n(value: float) -> str:
    """A coordinate, to a tenth of a pixel."""
    return f"{value:.1f}"


def _axis_value(value: float) -> Any:
    """Axis labels: whole numbers where they are whole (no "12.0")."""
    return int(value) if float(value).is_integer() else round(value, 2)
