"""Number and time formatting shared by every dashboard page.

Money is always Pakistani rupees. Amounts below one million are written in full with
thousands separators (``PKR 950,000``); from one million up they are written in millions
(``PKR 12.35 M``) and from one billion up in billions (``PKR 1.24 B``). A chart or table
column uses one scale for all its values (:func:`money_scale`), so bars and cells stay
comparable.

Times are stored in UTC; users read them in Pakistan Standard Time (UTC+5, no daylight
saving), always with the zone named.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Iterable

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


def _as_float(value: object) -> float | None:
    if value is None:
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
    if value is None or value == "":
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
    return value.astimezone(PKT)


def format_pkt(value: datetime | str | None) -> str:
    """``2025-07-01 00:45 PKT (UTC+5)``, or a dash when there is no usable time."""
    local = to_pkt(value)
    return MISSING if local is None else f"{local:%Y-%m-%d %H:%M} {PKT_LABEL}"


def format_date(value: date | None) -> str:
    return MISSING if value is None else f"{value:%d %b %Y}"


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
    if value is None:
        return MISSING
    try:
        return f"{value:%b %Y}"
    except (TypeError, ValueError):
        return MISSING


def pct_change(current: object, previous: object) -> float | None:
    """100 × (current − previous) / previous; None when previous is missing, zero or negative."""
    c, p = _as_float(current), _as_float(previous)
    if c is None or p is None or p <= 0:
        return None
    return 100.0 * (c - p) / p
