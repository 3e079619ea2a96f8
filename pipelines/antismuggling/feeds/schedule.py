"""When a feed's schedule fires next: five-field cron in the feed's time zone (no Dagster import).

The Dagster schedules (:mod:`antismuggling.feeds.dagster_defs`) run the same cron strings;
this is what the dashboard's Partner feeds page and ``feeds list`` show as the next delivery.
Fields: minute, hour, day of month, month, day of week (0 or 7 = Sunday), each ``*``, a
number, a range ``a-b``, a step ``/n``, a list ``a,b``, or a name (``Mon``, ``Mon-Fri``,
``Jan``). As in cron, when both day of month and day of week are restricted, either matches.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_NAMES = (
    {},
    {},
    {},
    {m: i + 1 for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"))},
    {d: i for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))},
)
SEARCH_DAYS = 5 * 366  # a schedule that fires only on 29 February still fires within this


def _field(text: str, index: int) -> tuple[frozenset[int], bool]:
    """(allowed values, restricted?) of one cron field."""
    low, high = _RANGES[index]
    names = _NAMES[index]
    allowed: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"cron step {part!r}")
        if base == "*":
            start, end = low, high
        else:
            first, _, last = base.partition("-")
            start = names.get(first.upper(), None) if first.isalpha() else int(first)
            end = (names.get(last.upper()) if last.isalpha() else int(last)) if last else (high if step_text else start)
            if start is None or end is None:
                raise ValueError(f"cron name {base!r}")
        if not (low <= start <= high and low <= end <= high) or start > end:
            raise ValueError(f"cron field {part!r} is out of range {low}-{high}")
        allowed.update(range(start, end + 1, step))
    if index == 4 and 7 in allowed:
        allowed.discard(7)
        allowed.add(0)
    return frozenset(allowed), text != "*"


def next_fire(cron: str, tz: str, after: datetime | None = None) -> datetime | None:
    """The first time strictly after ``after`` (default now) that ``cron`` fires in ``tz``, aware.

    Local times that do not exist (a DST gap) are skipped; None when nothing fires within
    :data:`SEARCH_DAYS` days.
    """
    fields = cron.split()
    if len(fields) != 5:
        raise ValueError(f"{cron!r} is not a five-field cron expression")
    (minutes, _), (hours, _), (doms, dom_restricted), (months, _), (dows, dow_restricted) = (
        _field(text, i) for i, text in enumerate(fields)
    )
    zone = ZoneInfo(tz)
    after = (after or datetime.now(timezone.utc)).astimezone(zone)
    times = sorted(time(h, m) for h in hours for m in minutes)
    day: date = after.date()
    for _ in range(SEARCH_DAYS):
        if day.month in months:
            dom_ok, dow_ok = day.day in doms, (day.isoweekday() % 7) in dows
            matches = (dom_ok or dow_ok) if (dom_restricted and dow_restricted) else (dom_ok and dow_ok)
            if matches:
                for moment in times:
                    local = datetime.combine(day, moment, tzinfo=zone)
                    roundtrip = local.astimezone(timezone.utc).astimezone(zone)
                    if roundtrip.replace(tzinfo=None) != local.replace(tzinfo=None):
                        continue  # not a local time of this zone (DST gap)
                    if local > after:
                        return local
        day += timedelta(days=1)
    return None


_DAY_NAMES = ("Sundays", "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays")


def describe(cron: str, tz: str) -> str:
    """``0 3 * * *`` -> ``daily 03:00 PKT``; ``0 4 * * 1`` -> ``Mondays 04:00 PKT``; ``0 5 1 * *``
    -> ``day 1 of the month 05:00 PKT``; anything else the cron string and the zone."""
    zone = datetime.now(ZoneInfo(tz)).tzname() or tz
    fields = cron.split()
    if len(fields) == 5 and fields[0].isdigit() and fields[1].isdigit() and fields[3] == "*":
        at = f"{int(fields[1]):02d}:{int(fields[0]):02d} {zone}"
        dom, dow = fields[2], fields[4]
        if dom == "*" and dow == "*":
            return f"daily {at}"
        if dom == "*" and dow.isdigit() and 0 <= int(dow) <= 7:
            return f"{_DAY_NAMES[int(dow) % 7]} {at}"
        if dow == "*" and dom.isdigit():
            return f"day {int(dom)} of the month {at}"
    return f"{cron} ({tz})"
