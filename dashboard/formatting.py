"""Number and time formatting shared by every dashboard page.

Money is always Pakistani rupees. Amounts below one million are written in full with
thousands separators (``PKR 950,000``); from one million up they are written in millions
(``PKR 12.35 M``) and from one billion up in billions (``PKR 1.24 B``). A chart or table
column uses one scale for all its values (:func:`money_scale`), so bars and cells stay
comparable.

Times are stored in UTC; users read them in Pakistan Standard Time (UTC+5, no daylight
saving), always with the zone named.

A value the marts do not have, or withhold from the reader (a formation officer sees a
person's totals over every formation as NULL), reaches the pages as None, NaN, pandas' NA or
NaT; every function here writes it as :data:`MISSING`, never as ``nan`` or ``<NA>``, and
:func:`is_missing` / :func:`first_present` let a page test for it (NaN is truthy and NA
cannot be tested at all, so ``value or default`` is wrong for both).
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Iterable

import pandas as pd

PKT = timezone(timedelta(hours=5), "PKT")
PKT_LABEL = "PKT (UTC+5)"
MISSING = "–"


@dataclass(frozen=True)
class MoneyScale:
    """One unit for a set of amounts: divide by ``divisor``, then append ``suffix``."""

    divisor: float
    suffix: str  # "", "M" or "B"
    label: str  # for axis titles, e.g. "PKR millions"
    short_label: str  # for column headers, e.g. "PKR M"


UNIT = MoneyScale(1.0, "", "PKR", "PKR")
MILLIONS = MoneyScale(1e6, "M", "PKR millions", "PKR M")
BILLIONS = MoneyScale(1e9, "B", "PKR billions", "PKR B")


def is_missing(value: object) -> bool:
    """True for a value that is not there or is withheld: None, NaN, pandas' NA or NaT."""
    if not isinstance(value, str) and hasattr(value, "__len__"):
        return False  # a list of names is a value, even an empty one
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def first_present(*values: object) -> object | None:
    """The first value that is neither missing nor empty text (``registration or chassis``), else None."""
    for value in values:
        if not is_missing(value) and not (isinstance(value, str) and not value.strip()):
            return value
    return None


def format_text(value: object) -> str:
    """A value as text for a sentence or a chart label; a dash when it is missing or withheld."""
    return MISSING if is_missing(value) else str(value)


def _as_float(value: object) -> float | None:
    if is_missing(value):
        return None
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
    else:
        try:
            number = float(value)  # numpy scalars, numeric strings
        except (TypeError, ValueError):
            return None
    return None if math.isnan(number) else number


def money_scale(values: Iterable[object] | object) -> MoneyScale:
    """The scale for a set of amounts, chosen by the largest absolute value."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        values = [values]
    numbers = [abs(n) for n in (_as_float(v) for v in values) if n is not None]
    largest = max(numbers, default=0.0)
    if largest >= 1e9:
        return BILLIONS
    if largest >= 1e6:
        return MILLIONS
    return UNIT


def format_pkr(value: object, scale: MoneyScale | None = None, *, prefix: bool = True) -> str:
    """``PKR 950,000`` / ``PKR 12.35 M`` / ``PKR 1.24 B``; the scale follows the value unless given."""
    number = _as_float(value)
    if number is None:
        return MISSING
    if scale is None:
        scale = money_scale(number)
        if scale is MILLIONS and round(abs(number) / MILLIONS.divisor, 2) >= 1000:
            scale = BILLIONS  # 999,999,999 reads "1.00 B", not "1,000.00 M"
    if scale.suffix:
        text = f"{number / scale.divisor:,.2f} {scale.suffix}"
    else:
        text = f"{number:,.0f}"
    return f"PKR {text}" if prefix else text


def format_pkr_compact(value: object, *, prefix: bool = True) -> str:
    """Three significant digits in the value's own scale, for tight spaces such as KPI tiles.

    ``PKR 926 M``, ``PKR 92.6 M``, ``PKR 6.92 B``; below one million, the full amount.
    With ``prefix=False`` (the label says PKR) just ``926 M``.
    """
    number = _as_float(value)
    if number is None:
        return MISSING
    currency = "PKR " if prefix else ""
    scale = money_scale(number)
    if not scale.suffix:
        return f"{currency}{number:,.0f}"
    if scale is MILLIONS and abs(number) >= 999.5e6:
        scale = BILLIONS  # would round to "1,000 M"
    scaled = number / scale.divisor
    magnitude = abs(scaled)
    decimals = 0 if magnitude >= 99.95 else 1 if magnitude >= 9.995 else 2
    return f"{currency}{scaled:,.{decimals}f} {scale.suffix}"


def format_pkr_exact(value: object) -> str:
    """The full amount with thousands separators, e.g. ``PKR 1,234,567,890``."""
    number = _as_float(value)
    return MISSING if number is None else f"PKR {number:,.0f}"


def format_count(value: object) -> str:
    """A whole number with thousands separators."""
    number = _as_float(value)
    return MISSING if number is None else f"{number:,.0f}"


def plural(n: object, noun: str, plural_noun: str | None = None) -> str:
    """``1 formation`` / ``8 formations`` / ``1,234 vehicles``."""
    number = _as_float(n)
    word = noun if number == 1 else (plural_noun or f"{noun}s")
    return f"{format_count(n)} {word}"


def format_share(part: object, whole: object) -> str:
    """``part`` as a percentage of ``whole`` (one decimal), or a dash when undefined."""
    p, w = _as_float(part), _as_float(whole)
    if p is None or not w:
        return MISSING
    return f"{100 * p / w:.1f}%"


def today_pkt() -> date:
    """Today's date in Pakistan (seizure dates are Pakistan local dates)."""
    return datetime.now(PKT).date()


def to_pkt(value: datetime | str | None) -> datetime | None:
    """A UTC timestamp (naive means UTC; ISO strings accepted) converted to PKT."""
    if is_missing(value) or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    try:
        return value.astimezone(PKT)
    except (OverflowError, ValueError):  # a year 9999 timestamp has no PKT time
        return None


def format_pkt(value: datetime | str | None) -> str:
    """``2025-07-01 00:45 PKT (UTC+5)``, or a dash when there is no usable time."""
    local = to_pkt(value)
    return MISSING if local is None else f"{local:%Y-%m-%d %H:%M} {PKT_LABEL}"


def format_date(value: date | None) -> str:
    """``05 Mar 2025``; a dash for a missing date, or for anything that is not a date."""
    if is_missing(value) or not isinstance(value, date):
        return MISSING
    try:
        return f"{value:%d %b %Y}"
    except (TypeError, ValueError, NotImplementedError):  # a pandas Timestamp beyond year 9999
        return MISSING


def format_rate(value: object, *, decimals: int = 1) -> str:
    """A 0–1 ratio as a percentage (``0.734`` → ``73.4%``), or a dash when undefined."""
    number = _as_float(value)
    return MISSING if number is None else f"{100 * number:.{decimals}f}%"


def format_change_pct(value: object) -> str:
    """A percentage change with its sign (``+12.3%``, ``-4.0%``), or a dash when undefined."""
    number = _as_float(value)
    return MISSING if number is None else f"{number:+,.1f}%"


def format_days(value: object) -> str:
    """A number of days: ``3 days``, ``1 day``, ``2.5 days``; a dash when unknown."""
    number = _as_float(value)
    if number is None:
        return MISSING
    text = f"{number:,.0f}" if float(number).is_integer() else f"{number:,.1f}"
    return f"{text} day" if number == 1 else f"{text} days"


def format_month(value: object) -> str:
    """``Mar 2025`` for a month (any date or timestamp in it)."""
    if is_missing(value) or not isinstance(value, date):
        return MISSING
    try:
        return f"{value:%b %Y}"
    except (TypeError, ValueError, NotImplementedError):
        return MISSING


def months_back(month: date, n: int) -> date:
    """The first day of the month ``n`` months before ``month``'s (after it, for a negative
    ``n``), held within the dates Python has: a typo'd year 1 or 9999 must not break a page."""
    index = month.year * 12 + month.month - 1 - n
    index = min(max(index, date.min.year * 12), date.max.year * 12 + 11)
    return date(index // 12, index % 12 + 1, 1)


def year_earlier(day: date) -> date:
    """The same day a year before (29 February becomes 28 February); the first date Python
    has for a day in year 1."""
    if day.year == date.min.year:
        return date.min
    return day.replace(year=day.year - 1, day=min(day.day, calendar.monthrange(day.year - 1, day.month)[1]))


def period_year_earlier(start: date, end: date) -> tuple[date, date]:
    """The period ``start``–``end`` a year before. An end on a month's last day stays on its
    month's last day, so February 2025 compares with all of February 2024, 29th included."""
    previous_end = year_earlier(end)
    if end == month_end(end):
        previous_end = month_end(previous_end)
    return year_earlier(start), previous_end


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def pct_change(current: object, previous: object) -> float | None:
    """100 × (current − previous) / previous; None when previous is missing, zero or negative."""
    c, p = _as_float(current), _as_float(previous)
    if c is None or p is None or p <= 0:
        return None
    return 100.0 * (c - p) / p
