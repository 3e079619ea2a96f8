"""The date axis of the seizure timelines (vehicle look-up, offender profile).

Seizure dates are whole days. Left to itself, Plotly zooms a timeline of one date (one case,
or every seizure on the same day) onto a fraction of a second and labels it in hours and
milliseconds; a span of a few days gets hourly ticks. :func:`date_axis` keeps the axis in
days: at least a week wide around the dates, one tick a day, and whole-day ticks up to two
months; longer spans keep Plotly's own month and year ticks.
"""

from __future__ import annotations

import math

import pandas as pd

DAY_MS = 86_400_000  # a Plotly date axis counts dtick in milliseconds
MIN_SPAN_DAYS = 7  # narrower timelines are widened to this around their dates
DAY_TICKS_UP_TO_DAYS = 62  # up to this span, ticks fall on whole days
MAX_TICKS = 10
DAY_FORMAT = "%d %b %Y"


def date_axis(dates: pd.Series) -> dict[str, object]:
    """``fig.update_xaxes(**date_axis(dates))`` for a timeline of ``dates`` (dates or
    timestamps; missing ones ignored)."""
    axis: dict[str, object] = {"type": "date", "title": None}
    days = pd.to_datetime(pd.Series(dates), errors="coerce").dropna()
    if days.empty:
        return axis
    first, last = days.min().normalize(), days.max().normalize()
    span = (last - first).days
    if span >= DAY_TICKS_UP_TO_DAYS:
        return axis
    if span < MIN_SPAN_DAYS:
        pad = math.ceil((MIN_SPAN_DAYS - span) / 2)
        first, last = first - pd.Timedelta(days=pad), last + pd.Timedelta(days=pad)
        axis["range"] = [first.strftime("%Y-%m-%d"), last.strftime("%Y-%m-%d")]
        span = (last - first).days
    axis.update(
        dtick=DAY_MS * max(1, math.ceil(span / MAX_TICKS)),
        tick0=first.strftime("%Y-%m-%d"),
        tickformat=DAY_FORMAT,
        hoverformat=DAY_FORMAT,
    )
    return axis
