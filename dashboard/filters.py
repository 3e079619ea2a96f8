"""Filters that follow the user from page to page and live in the URL.

Every page shows the seizure period and the formations. Their values are kept once per
session (``st.session_state``, under keys no widget uses) and mirrored in the URL query
string (``?from=2025-01-01&to=2025-06-30&formation=II-PSH&formation=CE-QTA``), so:

* moving to another page keeps them (each page has its own widgets, keyed ``<page>_period``
  and ``<page>_formations``, filled from the shared values before they are drawn);
* a copied URL opens the same view: a new session starts from the query string;
* values equal to the default (first seizure to the last one not after today, all
  formations) are left out of the URL.

Page-specific choices (a searched registration, an HS code, an officer…) use
:func:`bound_value`, the same mechanism for one widget and one query parameter.

A link or ``st.switch_page(..., query_params=...)`` that changes a parameter during the
session is picked up too: the URL is compared with what this module last wrote to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.formatting import format_date, month_end, months_back, period_year_earlier, today_pkt, year_earlier

T = TypeVar("T")

PARAM_FROM = "from"
PARAM_TO = "to"
PARAM_FORMATION = "formation"

_PERIOD = "_filter_period"  # (start, end)
_FORMATIONS = "_filter_formations"  # tuple of codes
_WRITTEN = "_url_written"  # param -> list of values this module last put in the URL


# --------------------------------------------------------------------------- URL plumbing


def _written() -> dict[str, list[str]]:
    return st.session_state.setdefault(_WRITTEN, {})


def _url_values(param: str) -> list[str]:
    return [v for v in st.query_params.get_all(param) if v != ""]


def _changed_outside(param: str) -> list[str] | None:
    """The URL's values for ``param`` when something other than this module put them there
    (a page load, a link, ``st.switch_page``), else None. An absent parameter carries no
    news: navigating between pages may drop the query string."""
    values = _url_values(param)
    if not values or values == _written().get(param):
        return None
    return values


def _write_param(param: str, values: Sequence[str]) -> None:
    values = [str(v) for v in values]
    if st.query_params.get_all(param) != values:
        if values:
            st.query_params[param] = values if len(values) > 1 else values[0]
        elif param in st.query_params:
            del st.query_params[param]
    _written()[param] = values


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


# --------------------------------------------------------------------------- shared filters


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    formations: tuple[str, ...]  # empty = all
    # the default period (:func:`default_period`): a period covering it is the whole period
    min_date: date
    max_date: date
    all_formations_label: str = "all formations"  # what an empty choice means to the reader

    @property
    def is_whole_period(self) -> bool:
        return self.start <= self.min_date and self.end >= self.max_date

    @property
    def month_range(self) -> tuple[date, date]:
        """First days of the first and last month of the period (for the monthly marts)."""
        return self.start.replace(day=1), self.end.replace(day=1)

    @property
    def months_aligned(self) -> bool:
        """Whether the period is made of whole months (the monthly marts then agree exactly
        with the day-level figures); the whole data range counts as aligned."""
        if self.is_whole_period:
            return True
        return self.start.day == 1 and self.end == month_end(self.end)

    def contains(self, seizure_dates: pd.Series, formation_codes: pd.Series) -> pd.Series:
        """Which rows (of a look-up, which ignores the filters) fall in the period and
        formations; a row without a seizure date does not."""
        dates = pd.to_datetime(seizure_dates)
        inside = dates.between(pd.Timestamp(self.start), pd.Timestamp(self.end)).fillna(False)
        if self.formations:
            inside &= formation_codes.isin(self.formations)
        return inside.astype(bool)

    def previous_year(self) -> tuple[date, date]:
        """The same period one year earlier (:func:`period_year_earlier`)."""
        return period_year_earlier(self.start, self.end)

    def scope(self) -> str:
        """One caption line saying what the page shows."""
        formations = self.all_formations_label if not self.formations else ", ".join(self.formations)
        return f"Seizures from {format_date(self.start)} to {format_date(self.end)} · {formations}"

    def months_note(self) -> str | None:
        """Caption for sections built on monthly marts when the period is not whole months."""
        if self.months_aligned:
            return None
        first, last = self.month_range
        return (
            f"Monthly figures: whole months {first:%b %Y} to {last:%b %Y} "
            f"(the period starts or ends within a month)."
        )


def _latest_day(options: data.FilterOptions) -> date:
    """The last day a period may reach: the last seizure, or the last day of data when the
    latest seizures of the reader's formations are older (a quick period then still covers
    the days without seizures)."""
    assert options.max_date is not None
    return max(options.max_date, options.watermark) if options.watermark else options.max_date


def data_end(options: data.FilterOptions, today: date | None = None) -> date:
    """Where quick periods end: the last day the source has data for (the watermark,
    :func:`dashboard.data.data_watermark`), never after today; the last seizure not after
    today when the snapshot does not say."""
    assert options.max_date is not None
    latest = options.watermark or options.default_end or options.max_date
    return min(latest, today or today_pkt())


def year_before_in_data(start: date, options: data.FilterOptions) -> bool:
    """Whether a period starting on ``start`` has its year before inside the data (from the
    first seizure month on); if not, a year-on-year change would read as false growth."""
    return options.min_date is not None and year_earlier(start) >= options.min_date.replace(day=1)


def data_end_note(options: data.FilterOptions) -> str:
    """The caption saying where the data ends."""
    if options.watermark is None:
        return (
            f"Data up to {format_date(data_end(options))} (the latest seizure not after today: "
            "this snapshot does not say up to when the store's records go)."
        )
    return f"Data up to {format_date(data_end(options))} (the latest day the store has records for)."


def _clamp_period(start: date, end: date, options: data.FilterOptions) -> tuple[date, date]:
    assert options.min_date is not None and options.max_date is not None
    start, end = max(start, options.min_date), min(end, _latest_day(options))
    if start > end:  # wholly outside this snapshot's dates (an old link): the default
        return default_period(options)
    return start, end


def default_period(options: data.FilterOptions) -> tuple[date, date]:
    """From the first seizure to the last one not after today: cases dated in the future
    are typing errors, shown by the data-quality page and reachable by picking their dates."""
    assert options.min_date is not None and options.max_date is not None
    return options.min_date, options.default_end or options.max_date


def _shared_state(options: data.FilterOptions) -> tuple[tuple[date, date], tuple[str, ...]]:
    """The session's period and formations: from the URL at the start of a session (or when
    a link changed it), clamped to what the current snapshot holds."""
    assert options.min_date is not None and options.max_date is not None
    ss = st.session_state
    period = ss.get(_PERIOD, default_period(options))
    from_values, to_values = _changed_outside(PARAM_FROM), _changed_outside(PARAM_TO)
    if from_values or to_values:
        start = _parse_date(from_values[0]) if from_values else None
        end = _parse_date(to_values[0]) if to_values else None
        period = (start or period[0], end or period[1])
    period = _clamp_period(period[0], period[1], options)

    formations = tuple(ss.get(_FORMATIONS, ()))
    url_formations = _changed_outside(PARAM_FORMATION)
    if url_formations:
        formations = tuple(url_formations)
    formations = tuple(sorted(code for code in dict.fromkeys(formations) if code in options.formations))

    ss[_PERIOD], ss[_FORMATIONS] = period, formations
    return period, formations


def _on_period_change(key: str, min_date: date, default_end: date) -> None:
    picked = st.session_state.get(key)
    picked = tuple(picked) if isinstance(picked, (tuple, list)) else (picked,)
    current = st.session_state.get(_PERIOD, (min_date, default_end))
    start = picked[0] if len(picked) >= 1 and picked[0] else min_date
    # A range half picked (one date): keep the end unless it is now before the start.
    end = picked[1] if len(picked) >= 2 and picked[1] else current[1]
    if end < start:
        end = max(default_end, start)
    st.session_state[_PERIOD] = (start, end)


def _on_formations_change(key: str) -> None:
    st.session_state[_FORMATIONS] = tuple(sorted(st.session_state.get(key) or ()))


def period_input(options: data.FilterOptions, page: str) -> tuple[date, date]:
    """The period widget of ``page`` (key ``<page>_period``), showing the shared period."""
    assert options.min_date is not None and options.max_date is not None
    (start, end), _ = _shared_state(options)
    key = f"{page}_period"
    if st.session_state.get(key) != (start, end):
        st.session_state[key] = (start, end)
    st.date_input(
        "Seizure period",
        min_value=options.min_date,
        max_value=_latest_day(options),
        format="DD/MM/YYYY",
        key=key,
        on_change=_on_period_change,
        args=(key, *default_period(options)),
        help="Cases and items whose seizure date (Pakistan local date) falls in this range. "
        "The choice follows you to the other pages and is kept in the page address.",
    )
    start, end = st.session_state[_PERIOD]
    default_start, default_end = default_period(options)
    _write_param(PARAM_FROM, [start.isoformat()] if start != default_start else [])
    _write_param(PARAM_TO, [end.isoformat()] if end != default_end else [])
    return start, end


def formations_input(options: data.FilterOptions, page: str) -> tuple[str, ...]:
    """The formations widget of ``page`` (key ``<page>_formations``); empty = all."""
    _, formations = _shared_state(options)
    key = f"{page}_formations"
    if list(st.session_state.get(key) or []) != list(formations):
        st.session_state[key] = list(formations)
    st.multiselect(
        "Formations",
        options=list(options.formations),
        format_func=lambda code: options.formation_labels.get(code, code),
        placeholder=options.all_formations_label[0].upper() + options.all_formations_label[1:],
        key=key,
        on_change=_on_formations_change,
        args=(key,),
        help="Leave empty for all formations. The choice follows you to the other pages.",
    )
    formations = st.session_state[_FORMATIONS]
    _write_param(PARAM_FORMATION, list(formations))
    return formations


PRESETS = ("Last full month", "Last 3 full months", "Last 12 full months", "Year to date", "Whole period")


def preset_period(name: str, options: data.FilterOptions, today: date | None = None) -> tuple[date, date]:
    """The dates of a quick period, counted back from where the data ends (:func:`data_end`:
    the watermark, never after today), within the data.

    A month is full when the data covers its last day: with data up to 31 Oct 2026, "Last
    12 full months" is Nov 2025 to Oct 2026; with data up to 15 Oct, it is Oct 2025 to Sep
    2026. "Year to date" runs from 1 January to that last day. "Whole period" is the
    default period: the first seizure to the last one not after today (cases dated in the
    future are left out and reported apart).
    """
    assert options.min_date is not None and options.max_date is not None
    if name == "Whole period":
        return default_period(options)
    as_of = data_end(options, today)
    last_full = as_of if as_of == month_end(as_of) else month_end(months_back(as_of.replace(day=1), 1))
    last_full_month = last_full.replace(day=1)
    if name == "Last full month":
        start, end = last_full_month, last_full
    elif name == "Last 3 full months":
        start, end = months_back(last_full_month, 2), last_full
    elif name == "Last 12 full months":
        start, end = months_back(last_full_month, 11), last_full
    elif name == "Year to date":
        start, end = as_of.replace(month=1, day=1), as_of
    else:
        raise ValueError(f"unknown quick period {name!r}")
    return _clamp_period(start, end, options)


def _on_preset(key: str, options: data.FilterOptions) -> None:
    name = st.session_state.get(key)
    if name:
        st.session_state[_PERIOD] = preset_period(name, options)
    st.session_state[key] = None  # a one-shot action, not a lasting choice


def preset_input(options: data.FilterOptions, page: str) -> None:
    key = f"{page}_quick_period"
    st.selectbox(
        "Quick period",
        PRESETS,
        index=None,
        placeholder="Choose…",
        key=key,
        on_change=_on_preset,
        args=(key, options),
        help=f"Sets the seizure period: whole calendar months, or this year so far, up to "
        f"{format_date(data_end(options))}, the latest day the store has records for. "
        "\"Whole period\" runs from the first seizure to the last one not after today.",
    )


def shared_filters(options: data.FilterOptions, page: str, *, columns: Sequence[int] = (2, 1, 3)) -> Filters:
    """The period and formation filters, side by side, as every page shows them."""
    assert options.min_date is not None and options.max_date is not None
    left, middle, right = st.columns(list(columns))
    with left:
        start, end = period_input(options, page)
    with middle:
        preset_input(options, page)
    with right:
        formations = formations_input(options, page)
    if options.n_cases_after_today and end < options.max_date:
        st.caption(
            f"{options.n_cases_after_today:,} case(s) dated after today (up to {format_date(options.max_date)}), "
            "probably mistyped, are outside this period; pick their dates or see Data quality."
        )
    if options.n_cases_undated:
        st.caption(
            f"{options.n_cases_undated:,} case(s) with no plausible seizure date are in no period; "
            "Data quality lists them with the dates as typed."
        )
    return Filters(start, end, formations, *default_period(options), options.all_formations_label)


def current_filters(options: data.FilterOptions) -> Filters:
    """The shared filters without drawing widgets (for a page that shows them elsewhere)."""
    assert options.min_date is not None and options.max_date is not None
    (start, end), formations = _shared_state(options)
    return Filters(start, end, formations, *default_period(options), options.all_formations_label)


# --------------------------------------------------------------------------- page-specific values


def bound_value(
    key: str,
    param: str,
    *,
    default: T,
    parse: Callable[[list[str]], T | None],
    dump: Callable[[T], list[str]],
) -> T:
    """Prepare the widget ``key`` bound to the query parameter ``param`` and return its value.

    Call it just before drawing the widget, and pass ``on_change=bound_changed,
    args=(key, param)`` to the widget; then call :func:`write_bound` after it. ``parse``
    turns the URL's values into a value (None when they are not valid); ``dump`` the other
    way (``[]`` to leave the parameter out).
    """
    ss = st.session_state
    canonical = f"_bound_{param}"
    if canonical not in ss:
        ss[canonical] = default
    outside = _changed_outside(param)
    if outside is not None:
        parsed = parse(outside)
        if parsed is not None:
            ss[canonical] = parsed
        _written()[param] = outside
    if key not in ss or ss[key] != ss[canonical]:
        ss[key] = ss[canonical]
    return ss[canonical]


def bound_changed(key: str, param: str) -> None:
    st.session_state[f"_bound_{param}"] = st.session_state.get(key)


def set_bound(param: str, value: Any) -> None:
    """Change a bound value from code (e.g. a click on a chart), before its widget is drawn."""
    st.session_state[f"_bound_{param}"] = value


def write_bound(param: str, values: Sequence[str]) -> None:
    _write_param(param, values)
