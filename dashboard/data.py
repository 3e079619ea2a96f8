"""Every query the dashboard runs, and nothing else.

Rules, so the dashboard never gets in the pipeline's way:

* Queries read the current published snapshot through the views of
  :func:`antismuggling.access.scope.open_scoped`, which hold only what the signed-in user
  may see (their formations, PII masked for analysts): scoping is not left to the pages.
  The queries of one page run share one
  connection (:func:`page_run`, opened on the first cache miss, closed when the run ends);
  outside a page run each query opens and closes its own. The dashboard never holds a file
  open between reruns; the pipeline publishes a *new* snapshot file and swaps
  ``published/CURRENT``.
* Every query function is cached with ``st.cache_data`` and an explicit TTL, and takes a
  :class:`Snapshot` (:func:`current_snapshot`: the snapshot file's path, whose name is the
  publication stamp, and the reader's scope) as its first argument. A new publication or
  another scope therefore changes the cache key, so one user's results never serve
  another's; snapshots are immutable, so a cached result never goes stale while its
  snapshot is current. The TTLs only bound memory.
* Values reach SQL only as bound parameters. The only identifiers spliced into SQL text are
  table and column names read back from the snapshot's own ``information_schema``.
* Money is returned as DOUBLE (the marts hold DECIMAL), counts as integers.
* Dates and timestamps are real ones or missing: a value Python cannot hold as a date (a
  five-digit year, which DuckDB hands back as text and pandas keeps as a Timestamp no page
  can format) is read as missing in every result (:class:`_ScopedConnection`) and left out
  of the date ranges the filters offer.

When nothing is published, :func:`current_snapshot` returns ``None`` and the query functions
raise :class:`antismuggling.publish.NothingPublishedError`; pages show a "run
``antismuggling refresh``" message instead (see :mod:`dashboard.ui`).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from antismuggling.access.scope import DQ_ATTRIBUTION, Scope, open_scoped, person_secret, person_token
from antismuggling.config import load_settings
from antismuggling.publish import NothingPublishedError, current_snapshot_path
from antismuggling.publish import last_checked as last_checked_marker
from dashboard.formatting import month_end, months_back, period_year_earlier, to_pkt, today_pkt, year_earlier

__all__ = [
    "NothingPublishedError",
    "Scope",
    "Snapshot",
    "SnapshotChanged",
    "PublishInfo",
    "FilterOptions",
    "current_snapshot",
    "published_dir",
    "publish_info",
    "table_rows",
    "data_quality_summary",
    "filter_options",
    "formation_short_name",
    "formation_short_names",
    "data_watermark",
    "case_kpis",
    "PENDING_STATUSES",
    "PENDING_DAYS",
    "adjudication_kpis",
    "Comparison",
    "comparison_kpis",
    "cases_by_month",
    "month_completeness",
    "cases_by_formation",
    "top_commodities",
    "hs_status_breakdown",
    "page_run",
    "Capabilities",
    "capabilities",
    "leadership_kpis",
    "formation_league",
    "STANDING_MEASURES",
    "formation_standing",
    "upload_lag_kpis",
    "formation_months",
    "upload_lag_distribution",
    "officer_table",
    "officer_cases",
    "hs_reference",
    "hs_comparison_months",
    "hs_totals",
    "hs_code_trend",
    "notified_items",
    "locations",
    "hs_chapters",
    "route_flows",
    "vehicle_seizures",
    "vehicles",
    "vehicle_suggestions",
    "repeat_vehicles",
    "offender",
    "top_offenders",
    "OffenderNetwork",
    "offender_network",
    "data_quality_checks",
    "data_quality_by_formation",
    "data_quality_rows",
    "expectation_results",
]

# Snapshot metadata is tiny and read on every page; results of the (heavier) mart queries
# depend on the filters, so keep fewer of them around.
METADATA_TTL = timedelta(minutes=30)
QUERY_TTL = timedelta(minutes=30)
METADATA_MAX_ENTRIES = 32
QUERY_MAX_ENTRIES = 512

MARTS = "marts"
UNCLASSIFIED = "Unclassified"
HS_LEVELS = ("hs2", "hs4")
# Today's date in Pakistan, in SQL (seizure dates are Pakistan local dates).
TODAY_PKT_SQL = "cast((now() at time zone 'UTC') + interval 5 hour as date)"
_NOW_UTC_SQL = "(now() at time zone 'UTC')"


class SnapshotChanged(RuntimeError):
    """A new snapshot was published while a query was running: rerun with the new one."""


# --------------------------------------------------------------------------- plumbing


@dataclass(frozen=True)
class Snapshot:
    """The published snapshot a page reads, as one reader's scope shows it."""

    path: str
    scope: Scope


def last_checked(snapshot: Snapshot) -> datetime | None:
    """When a refresh last found nothing new for this snapshot (naive, UTC), if one has since it
    was published. Not cached, like ``current_snapshot``: one small file read."""
    checked = last_checked_marker(load_settings(), snapshot.path)
    return checked.astimezone(timezone.utc).replace(tzinfo=None) if checked else None


def current_snapshot(scope: Scope) -> Snapshot | None:
    """The current snapshot seen through ``scope``, or ``None`` when nothing is published yet.

    Not cached: it is one small file read, and reading it on every rerun is what makes a new
    publication visible at once.
    """
    path = current_snapshot_path(load_settings())
    return None if path is None else Snapshot(str(path), scope)


def published_dir() -> Path:
    """Where the pipeline publishes snapshots (for the "nothing published" message)."""
    return load_settings().published_dir


# The dates Python can hold: outside them a date is a typing error no page can show.
_REAL_DATES_SQL = "between date '0001-01-01' and date '9999-12-31'"
_DATE_TYPES = ("DATE", "TIMESTAMP")  # DuckDB type names (TIMESTAMP WITH TIME ZONE, TIMESTAMP_NS…)


def _is_date_type(duckdb_type: object) -> bool:
    name = str(duckdb_type).upper()
    return name.startswith(_DATE_TYPES) and not name.endswith("]")  # a DATE[] list is not a date


def _is_real_date(value: object) -> bool:
    # NaT is an instance of datetime; a date DuckDB could not convert arrives as text
    return isinstance(value, date) and not pd.isna(value)


def _real_dates_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every date or timestamp outside years 1 to 9999 made NaT."""
    for column in df.columns:
        values = df[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            real = values.dt.year.between(1, 9999)
            if not real[values.notna()].all():
                df[column] = values.where(real)
    return df


class _ScopedConnection:
    """The connection of :func:`antismuggling.access.scope.open_scoped` as the queries use it,
    ``con.execute(sql, params)`` then ``df()``, ``fetchone()`` or ``fetchall()``, with every
    date or timestamp that is not a real one read as missing at the point it is read (NaT in
    frames, None in rows)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def execute(self, sql: str, params: Sequence[object] | None = None) -> _ScopedConnection:
        self._con.execute(sql, list(params or []))
        return self

    def df(self) -> pd.DataFrame:
        return _real_dates_frame(self._con.df())

    def fetchone(self) -> tuple | None:
        row = self._con.fetchone()
        return None if row is None else self._real_dates([row])[0]

    def fetchall(self) -> list[tuple]:
        return self._real_dates(self._con.fetchall())

    def _real_dates(self, rows: list[tuple]) -> list[tuple]:
        dated = [_is_date_type(column[1]) for column in self._con.description]
        return [
            tuple(None if is_date and not _is_real_date(value) else value for value, is_date in zip(row, dated, strict=True))
            for row in rows
        ]

    def close(self) -> None:
        self._con.close()


def _open(snapshot: Snapshot) -> _ScopedConnection:
    """A read-only, scoped connection to the current snapshot, which must still be ``snapshot``.

    ``snapshot`` is the cache key the caller computed. If the pointer has moved on since, the
    result would be cached under the wrong key, so :class:`SnapshotChanged` is raised instead
    (pages rerun, picking up the new snapshot).
    """
    settings = load_settings()
    now_current = current_snapshot_path(settings)
    if now_current is None:
        raise NothingPublishedError(
            f"no marts are published under {settings.published_dir}: run `antismuggling refresh` first"
        )
    if str(now_current) != snapshot.path:
        raise SnapshotChanged(f"{Path(snapshot.path).name} was replaced by {now_current.name}")
    # Snapshots are immutable and the last few are kept, so it is still there to attach.
    return _ScopedConnection(open_scoped(now_current, snapshot.scope, person_secret(settings.access_dir)))


# One page run's connection (see :func:`page_run`), per thread: Streamlit runs each
# session's script in its own thread, and a DuckDB connection is not shared between threads.
_run = threading.local()


@contextmanager
def page_run(snapshot: Snapshot) -> Iterator[None]:
    """Let the queries of one page run share a connection, opened on the first query that
    misses the cache and closed when the run ends (well under a second): still short-lived
    and read-only, but one connection per rerun instead of one per query (opening one costs
    about 15 ms on a 100k-case snapshot)."""
    if getattr(_run, "snapshot", None) is not None:  # nested: the outer run owns it
        yield
        return
    _run.snapshot, _run.con = snapshot, None
    try:
        yield
    finally:
        con, _run.con, _run.snapshot = _run.con, None, None
        if con is not None:
            con.close()


@contextmanager
def _connect(snapshot: Snapshot) -> Iterator[_ScopedConnection]:
    """A read-only connection to the current snapshot: the page run's (:func:`page_run`), or
    a new one closed on exit."""
    if getattr(_run, "snapshot", None) == snapshot:
        if _run.con is None:
            _run.con = _open(snapshot)
        yield _run.con
        return
    con = _open(snapshot)
    try:
        yield con
    finally:
        con.close()


def _marts_columns(con: _ScopedConnection) -> dict[str, list[str]]:
    """Table name -> column names (lower case) for every table (scoped view) in schema ``marts``."""
    rows = con.execute(
        "select table_name, lower(column_name) from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? order by table_name, ordinal_position",
        [MARTS],
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def _ident(name: str) -> str:
    """Quote an identifier read from information_schema."""
    return '"' + name.replace('"', '""') + '"'


def _filter_sql(
    start: date | None,
    end: date | None,
    formations: Sequence[str],
    *,
    alias: str = "",
    date_column: str = "seizure_date",
    keyword: str = "where",
) -> tuple[str, list[object]]:
    """``where`` clause on seizure_date / formation_code (columns of both fact marts and of
    the monthly marts, with ``date_column="seizure_month"``). ``alias`` qualifies the
    columns; ``keyword="and"`` continues an existing ``where``."""
    prefix = f"{alias}." if alias else ""
    clauses: list[str] = []
    params: list[object] = []
    if start is not None:
        clauses.append(f"{prefix}{date_column} >= ?")
        params.append(start)
    if end is not None:
        clauses.append(f"{prefix}{date_column} <= ?")
        params.append(end)
    if formations:
        clauses.append(f"list_contains(?::varchar[], {prefix}formation_code)")
        params.append(list(formations))
    return (f"{keyword} " + " and ".join(clauses)) if clauses else "", params


def _month_filter_sql(
    start: date | None, end: date | None, formations: Sequence[str], *, alias: str = "", keyword: str = "where"
) -> tuple[str, list[object]]:
    """The same on ``seizure_month``, for whole months: the months of ``start`` to ``end``."""
    return _filter_sql(
        None if start is None else start.replace(day=1),
        None if end is None else end.replace(day=1),
        formations,
        alias=alias,
        date_column="seizure_month",
        keyword=keyword,
    )


def _formation_names_source(tables: dict[str, list[str]]) -> tuple[str, str] | None:
    """(table, name column) giving formation names, if the snapshot has any; else None."""
    name_columns = ("formation_name", "name")
    candidates = sorted(tables, key=lambda t: (t != "fct_cases", not t.startswith("dim_"), t))
    for table in candidates:
        columns = tables[table]
        if "formation_code" not in columns:
            continue
        for name_column in name_columns:
            if name_column in columns and (table.startswith("dim_") or name_column == "formation_name"):
                return table, name_column
    return None


# The kinds of formation, as their names spell them, and how a short name says them.
_FORMATION_KINDS = (
    (("intelligence", "investigation"), "I&I"),
    (("enforcement",), "Enforcement"),
)
_FORMATION_KIND_FILLER = frozenset({"collectorate", "directorate", "of", "customs", "the", "and", "&", "-"})


# Places whose names are long, as customs writes them short.
_PLACE_SHORT = {"dera ismail khan": "D.I. Khan", "dera ghazi khan": "D.G. Khan"}


def formation_short_name(name: object) -> str:
    """A formation's name short enough for a table cell or a picker, still telling
    formations of one city apart: "Collectorate of Customs Enforcement, Peshawar" →
    "Peshawar (Enforcement)", "Directorate of Customs Intelligence & Investigation,
    Peshawar" → "Peshawar (I&I)", "…, Dera Ismail Khan" → "D.I. Khan (…)". A name with no
    ", city" part is kept whole; empty for no name."""
    text = " ".join(str(name).split()) if isinstance(name, str) else ""
    if "," not in text:
        return text
    kind, place = (part.strip() for part in text.rsplit(",", 1))
    if not place:
        return kind
    place = _PLACE_SHORT.get(place.lower(), place)
    lowered = kind.lower()
    for words, short in _FORMATION_KINDS:
        if all(word in lowered for word in words):
            return f"{place} ({short})"
    rest = " ".join(w for w in kind.split() if w.lower() not in _FORMATION_KIND_FILLER)
    return f"{place} ({rest})" if rest else f"{place} ({kind})"


def formation_short_names(names: dict[str, object]) -> dict[str, str]:
    """Code → :func:`formation_short_name`, with the full name wherever two formations
    would read the same (and the code after it when even the full names are the same)."""
    full = {code: " ".join(str(name).split()) if isinstance(name, str) else "" for code, name in names.items()}
    short = {code: formation_short_name(name) for code, name in full.items()}
    out = {}
    for code, value in short.items():
        if not value:
            out[code] = code
        elif list(short.values()).count(value) == 1:
            out[code] = value
        elif list(full.values()).count(full[code]) == 1:
            out[code] = full[code]
        else:
            out[code] = f"{full[code]} ({code})"
    return out


def _hs_description_source(tables: dict[str, list[str]], level: str) -> tuple[str, str, str] | None:
    """How to describe ``hs2``/``hs4`` codes, if the snapshot can.

    Returns ("column", "<column in fct_seizure_items>", "") when the fact mart carries a
    description column for the level, or ("table", "<table>", "<code column>") for a mart
    whose name mentions "hs" with a ``description`` column keyed by HS code (codes compared
    as digits only, so ``24.02`` matches ``2402``); None when there is none.
    """
    item_columns = tables.get("fct_seizure_items", [])
    for column in (f"{level}_description", f"{level}_desc", f"{level}_name"):
        if column in item_columns:
            return "column", column, ""
    if {"hs_level", "hs_code", "hs_description"} <= set(tables.get("mart_hs_trends", [])):
        return "trends", "mart_hs_trends", {"hs2": "chapter", "hs4": "heading"}[level]
    for table in sorted(tables):
        columns = tables[table]
        if "description" not in columns or "hs" not in table.lower() or table.startswith(("fct_", "mart_")):
            continue
        for code_column in ("hscode", "hs_code", "code"):
            if code_column in columns:
                return "table", table, code_column
    return None


# --------------------------------------------------------------------------- metadata


@dataclass(frozen=True)
class PublishInfo:
    published_at: datetime | None  # naive, UTC
    snapshot_name: str
    details: dict[str, object]


@st.cache_data(ttl=METADATA_TTL, max_entries=METADATA_MAX_ENTRIES, show_spinner=False)
def publish_info(snapshot: Snapshot) -> PublishInfo:
    """When and from what the current snapshot was published (``meta.publish_info``)."""
    with _connect(snapshot) as con:
        row = con.execute(
            "select published_at, snapshot_name, details::varchar from meta.publish_info "
            "order by published_at desc limit 1"
        ).fetchone()
    if row is None:
        return PublishInfo(None, Path(snapshot.path).name, {})
    published_at, name, details_text = row
    try:
        details = json.loads(details_text) if details_text else {}
    except json.JSONDecodeError:
        details = {}
    if not isinstance(details, dict):
        details = {"details": details}
    return PublishInfo(published_at, name or Path(snapshot.path).name, details)


@st.cache_data(ttl=METADATA_TTL, max_entries=METADATA_MAX_ENTRIES, show_spinner=False)
def table_rows(snapshot: Snapshot) -> pd.DataFrame:
    """Rows per published mart (``meta.table_rows``): columns table_name, n_rows."""
    with _connect(snapshot) as con:
        return con.execute(
            "select table_name, n_rows from meta.table_rows order by table_name"
        ).df()


@st.cache_data(ttl=METADATA_TTL, max_entries=METADATA_MAX_ENTRIES, show_spinner=False)
def data_quality_summary(snapshot: Snapshot) -> pd.DataFrame:
    """Source rows kept out of or flagged in the marts, by severity and check.

    Columns severity, check_name, n_rows; empty when the snapshot has no
    ``data_quality_issues`` mart.
    """
    with _connect(snapshot) as con:
        if "data_quality_issues" not in _marts_columns(con):
            return pd.DataFrame(columns=["severity", "check_name", "n_rows"])
        return con.execute(
            "select severity, check_name, count(*)::bigint as n_rows "
            "from marts.data_quality_issues group by all order by severity desc, n_rows desc, check_name"
        ).df()


@dataclass(frozen=True)
class FilterOptions:
    min_date: date | None
    max_date: date | None
    formations: tuple[str, ...]
    formation_labels: dict[str, str]  # code -> "CODE · short name" (just the code when no names)
    # The latest seizure date not after today (Pakistan): where the default period ends, so
    # a mistyped year (2206) does not stretch it over centuries. None when every case is
    # dated after today.
    default_end: date | None = None
    n_cases_after_today: int = 0
    # Cases with no seizure date: missing, or implausible and left empty by the pipeline
    # (flagged in data_quality_issues). They belong to no period.
    n_cases_undated: int = 0
    restricted: bool = False  # the reader sees only some formations (all of them listed above)
    # Where the source's data ends (:func:`data_watermark`): ``watermark`` is the last day
    # (Pakistan) the store has data for, never after today; quick periods end there.
    # ``watermark_at`` is the instant (UTC, naive) the snapshot's data is as of, which
    # year-on-year comparisons shift back a year (:func:`comparison_kpis`). None when unknown.
    watermark: date | None = None
    watermark_at: datetime | None = None
    # code -> the name that tells it apart (:func:`formation_short_names`: "Peshawar (I&I)"),
    # and code -> its full name as the marts hold it; absent when the marts name none.
    formation_names: dict[str, str] = field(default_factory=dict)
    formation_full_names: dict[str, str] = field(default_factory=dict)

    @property
    def all_formations_label(self) -> str:
        """What "no formation chosen" means to this reader."""
        if not self.restricted:
            return "all formations"
        return f"your formation{'s' if len(self.formations) != 1 else ''} {', '.join(self.formations)}"


@st.cache_data(ttl=METADATA_TTL, max_entries=METADATA_MAX_ENTRIES, show_spinner=False)
def filter_options(snapshot: Snapshot) -> FilterOptions:
    """The seizure-date range and the formations present in ``fct_cases``."""
    with _connect(snapshot) as con:
        min_date, max_date, default_end, n_after_today, n_undated = con.execute(
            f"""
            select min(seizure_date) filter (where seizure_date {_REAL_DATES_SQL}),
                   max(seizure_date) filter (where seizure_date {_REAL_DATES_SQL}),
                   max(seizure_date) filter (where seizure_date <= {TODAY_PKT_SQL} and seizure_date {_REAL_DATES_SQL}),
                   count(*) filter (where seizure_date > {TODAY_PKT_SQL})::bigint,
                   count(*) filter (where seizure_date is null or not (seizure_date {_REAL_DATES_SQL}))::bigint
            from marts.fct_cases
            """
        ).fetchone()
        codes = [
            row[0]
            for row in con.execute(
                "select distinct formation_code from marts.fct_cases "
                "where formation_code is not null order by formation_code"
            ).fetchall()
        ]
        labels = {code: code for code in codes}
        full_names: dict[str, str] = {}
        source = _formation_names_source(_marts_columns(con))
        if source is not None:
            table, name_column = source
            for code, name in con.execute(
                f"select formation_code, any_value({_ident(name_column)}) "
                f"from {MARTS}.{_ident(table)} where formation_code is not null group by formation_code"
            ).fetchall():
                if code in labels and name and str(name).strip() and str(name).strip() != code:
                    full_names[code] = " ".join(str(name).split())
        short_names = formation_short_names(full_names)  # type: ignore[arg-type]
        for code, short in short_names.items():
            labels[code] = f"{code} · {short}" if short != code else code
    watermark_at, watermark = data_watermark(snapshot)
    return FilterOptions(
        min_date,
        max_date,
        tuple(codes),
        labels,
        default_end or max_date,
        n_after_today,
        n_undated,
        restricted=snapshot.scope.formations is not None,
        watermark=watermark,
        watermark_at=watermark_at,
        formation_names=short_names,
        formation_full_names=full_names,
    )


def _utc_naive(value: object) -> datetime | None:
    """A UTC timestamp (naive means UTC; ISO text accepted) as a naive UTC datetime."""
    local = to_pkt(value)  # type: ignore[arg-type]
    if local is None:
        return None
    try:
        return local.astimezone(timezone.utc).replace(tzinfo=None)
    except (OverflowError, ValueError):
        return None


@st.cache_data(ttl=METADATA_TTL, max_entries=METADATA_MAX_ENTRIES, show_spinner=False)
def data_watermark(snapshot: Snapshot) -> tuple[datetime | None, date | None]:
    """Up to when the snapshot's source data goes: (instant, last day).

    The instant (UTC, naive) is the source watermark the pipeline published
    (``meta.publish_info.details.source_watermark``: the latest plausible ``updated_at`` seen
    in the store), or, for a snapshot published without one, the latest entry or update
    time of a case not over a day ahead of now; never after now. The last day is the last
    Pakistan date wholly before that instant (the instant's own date when it is that day's
    last second), never after today: 2026-10-31T23:59:59 UTC is 01 Nov 04:59:59 PKT, so the
    data covers 31 Oct 2026. (None, None) when the snapshot holds no such time.
    """
    instant = _utc_naive(publish_info(snapshot).details.get("source_watermark"))
    if instant is None:
        with _connect(snapshot) as con:
            row = con.execute(
                f"""
                select greatest(max(created_at_utc) filter (where created_at_utc <= {_NOW_UTC_SQL} + interval 1 day),
                                max(updated_at_utc) filter (where updated_at_utc <= {_NOW_UTC_SQL} + interval 1 day))
                from marts.fct_cases
                """
            ).fetchone()
        instant = _utc_naive(row[0]) if row else None
    if instant is None:
        return None, None
    instant = min(instant, datetime.now(timezone.utc).replace(tzinfo=None))
    local = to_pkt(instant)
    if local is None:
        return None, None
    last_day = (local + timedelta(seconds=1)).date() - timedelta(days=1)
    return instant, min(last_day, today_pkt())


# --------------------------------------------------------------------------- cases


def _and(where: str, params: list[object], clause: str, clause_params: Sequence[object]) -> tuple[str, list[object]]:
    """``where`` (from :func:`_filter_sql`, maybe empty) with one more condition."""
    return (f"{where} and {clause}" if where else f"where {clause}"), [*params, *clause_params]


def _known_by_sql(known_at: datetime | None, alias: str = "") -> tuple[str, list[object]]:
    """The cases entered no later than ``known_at`` (UTC): what the store held then. A case
    whose entry time is unknown counts, as it does in the current figures."""
    if known_at is None:
        return "true", []
    prefix = f"{alias}." if alias else ""
    return f"({prefix}created_at_utc is null or {prefix}created_at_utc <= ?)", [known_at]


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def case_kpis(
    snapshot: Snapshot,
    start: date | None,
    end: date | None,
    formations: tuple[str, ...],
    known_at: datetime | None = None,
) -> dict[str, float | int]:
    """Headline figures over live cases in the filter; with ``known_at`` (UTC), only over
    the cases entered by then (``created_at_utc``), as the store stood at that time.

    Keys: n_cases, total_value_pkr, goods_value_pkr, vehicle_value_pkr, n_items,
    n_vehicles, n_persons, n_formations.
    """
    where, params = _filter_sql(start, end, formations)
    if known_at is not None:
        where, params = _and(where, params, *_known_by_sql(known_at))
    with _connect(snapshot) as con:
        row = con.execute(
            f"""
            select count(*)::bigint,
                   coalesce(sum(total_value_pkr), 0)::double,
                   coalesce(sum(goods_value_pkr), 0)::double,
                   coalesce(sum(vehicle_value_pkr), 0)::double,
                   coalesce(sum(n_items), 0)::bigint,
                   coalesce(sum(n_vehicles), 0)::bigint,
                   coalesce(sum(n_persons), 0)::bigint,
                   count(distinct formation_code)::bigint
            from marts.fct_cases {where}
            """,
            params,
        ).fetchone()
    keys = (
        "n_cases",
        "total_value_pkr",
        "goods_value_pkr",
        "vehicle_value_pkr",
        "n_items",
        "n_vehicles",
        "n_persons",
        "n_formations",
    )
    return dict(zip(keys, row, strict=True))


# Statuses before adjudication (dbt_project/macros/domains.sql, pre_adjudication_statuses).
PENDING_STATUSES = ("SEIZED", "SCN_ISSUED")
# The comparable backlog measure: the share of cases still pending this many days after seizure.
PENDING_DAYS = 90


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def adjudication_kpis(
    snapshot: Snapshot,
    start: date | None,
    end: date | None,
    formations: tuple[str, ...],
    as_of: date,
    known_at: datetime | None = None,
    pending_days: int = PENDING_DAYS,
) -> dict[str, float | int | None]:
    """Adjudication figures that do not depend on how long ago the period was, over the
    cases in the filter (entered by ``known_at``, UTC, when given), as of the day ``as_of``.

    Keys: n_pending_measured (cases seized at least ``pending_days`` days before ``as_of``
    whose adjudication state after that many days is known: an adjudication date, or still
    pending now), n_pending_after (those of them not adjudicated within ``pending_days``
    days of the seizure: no adjudication date, or a later one), pending_share (the second
    over the first, None when none is measured); n_adjudicated and n_confiscated (cases
    adjudicated, and adjudicated CONFISCATED, on or before ``as_of``; an adjudication with
    no date counts) and confiscation_rate (None when none is adjudicated).
    """
    where, params = _filter_sql(start, end, formations)
    known_sql, known_params = _known_by_sql(known_at)
    measured_until = as_of - timedelta(days=int(pending_days))
    with _connect(snapshot) as con:
        row = con.execute(
            f"""
            with c as (
                select *, list_contains(?::varchar[], status) as is_pending
                from marts.fct_cases {where}
            )
            select count(*) filter (where seizure_date <= ? and (adjudicated_on is not null or is_pending))::bigint,
                   count(*) filter (where seizure_date <= ? and
                                    ((adjudicated_on is null and is_pending)
                                     or datediff('day', seizure_date, adjudicated_on) > ?))::bigint,
                   count(*) filter (where is_adjudicated and (adjudicated_on is null or adjudicated_on <= ?))::bigint,
                   count(*) filter (where adjudication_outcome = 'CONFISCATED'
                                    and (adjudicated_on is null or adjudicated_on <= ?))::bigint
            from c where {known_sql}
            """,
            [list(PENDING_STATUSES), *params, measured_until, measured_until, int(pending_days), as_of, as_of, *known_params],
        ).fetchone()
    measured, pending, adjudicated, confiscated = (int(v or 0) for v in row)
    return {
        "n_pending_measured": measured,
        "n_pending_after": pending,
        "pending_share": pending / measured if measured else None,
        "n_adjudicated": adjudicated,
        "n_confiscated": confiscated,
        "confiscation_rate": confiscated / adjudicated if adjudicated else None,
    }


@dataclass(frozen=True)
class Comparison:
    """A period's figures next to the same period a year before, as that one stood at the
    same lag (see :func:`comparison_kpis`)."""

    start: date
    end: date
    previous_start: date
    previous_end: date
    # The last day the period's data covers (the watermark day), and the instant (UTC) the
    # data is as of; the year before's are these shifted back as the period is.
    as_of: date
    previous_as_of: date
    known_at: datetime | None  # None: the snapshot does not say when its data is from
    previous_known_at: datetime | None
    pending_days: int
    current: dict[str, float | int | None]
    previous: dict[str, float | int | None]

    @property
    def lag_days(self) -> int:
        """Days from the period's end to the end of its data (negative: the data ends first)."""
        return (self.as_of - self.end).days

    @property
    def like_for_like(self) -> bool:
        """Whether the year before is taken as it stood (False: the snapshot has no watermark)."""
        return self.previous_known_at is not None

    def change_pct(self, key: str) -> float | None:
        """Percentage change of ``key`` from the year before; None when not computable."""
        current, previous = self.current.get(key), self.previous.get(key)
        if current is None or previous is None or pd.isna(current) or pd.isna(previous) or not previous:
            return None
        return 100 * (float(current) - float(previous)) / abs(float(previous))

    def change_points(self, key: str) -> float | None:
        """Change of a share ``key`` (0–1) in percentage points; None when not computable."""
        current, previous = self.current.get(key), self.previous.get(key)
        if current is None or previous is None or pd.isna(current) or pd.isna(previous):
            return None
        return 100 * (float(current) - float(previous))


def comparison_kpis(
    snapshot: Snapshot,
    start: date,
    end: date,
    formations: tuple[str, ...],
    *,
    pending_days: int = PENDING_DAYS,
) -> Comparison:
    """The period ``start``–``end`` against the same period a year before, like for like.

    Use it for every year-on-year delta of case figures (Overview, Formation accountability):
    ``cmp = comparison_kpis(snapshot, start, end, formations)``, then
    ``cmp.change_pct("n_cases")`` or ``cmp.change_points("pending_share")``.

    Cases are entered days to months after the seizure, so a recent period is still filling
    up. The period's figures are the snapshot's, whose data is as of the watermark
    (:func:`data_watermark`: instant W, last day D). The year before ([start − 1 y,
    end − 1 y], 29 Feb → 28 Feb) is counted *as it stood at the same lag*: only its cases
    whose ``created_at`` is no later than (end − 1 y) + (D − end) days, i.e. W shifted back
    by the period's shift (365 or 366 days). Adjudication figures are taken at D and at the
    shifted D: the backlog is compared as the share of cases still pending ``pending_days``
    days after seizure (:func:`adjudication_kpis`), not as a count (older cases have had
    longer to be adjudicated). Without a watermark in the snapshot, the year before is
    counted whole (``like_for_like`` False) and D is the last seizure not after today.

    ``current`` and ``previous`` hold the keys of :func:`case_kpis` and of
    :func:`adjudication_kpis`.
    """
    options = filter_options(snapshot)
    previous_start, previous_end = period_year_earlier(start, end)
    shift = timedelta(days=(end - previous_end).days)
    as_of = options.watermark or options.default_end or end
    known_at = options.watermark_at
    previous_known_at = None if known_at is None else known_at - shift
    previous_as_of = as_of - shift
    current = {
        **case_kpis(snapshot, start, end, formations),
        **adjudication_kpis(snapshot, start, end, formations, as_of, None, pending_days),
    }
    previous = {
        **case_kpis(snapshot, previous_start, previous_end, formations, previous_known_at),
        **adjudication_kpis(snapshot, previous_start, previous_end, formations, previous_as_of, previous_known_at, pending_days),
    }
    return Comparison(
        start, end, previous_start, previous_end, as_of, previous_as_of, known_at, previous_known_at,
        int(pending_days), current, previous,
    )


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def cases_by_month(
    snapshot: Snapshot, start: date | None, end: date | None, formations: tuple[str, ...]
) -> pd.DataFrame:
    """Cases and value per seizure month that has cases, in month order.

    Columns seizure_month (datetime, first of month), n_cases, goods_value_pkr,
    vehicle_value_pkr, total_value_pkr. Empty when no case matches. Months without cases
    are absent: filling them is the caller's business (a mistyped year such as 2206 would
    otherwise make two centuries of empty months).
    """
    where, params = _filter_sql(start, end, formations)
    with _connect(snapshot) as con:
        df = con.execute(
            f"""
            select seizure_month,
                   count(*)::bigint as n_cases,
                   coalesce(sum(goods_value_pkr), 0)::double as goods_value_pkr,
                   coalesce(sum(vehicle_value_pkr), 0)::double as vehicle_value_pkr,
                   coalesce(sum(total_value_pkr), 0)::double as total_value_pkr
            from marts.fct_cases {where}
            group by seizure_month
            order by seizure_month
            """,
            params,
        ).df()
    df = df.dropna(subset=["seizure_month"]).reset_index(drop=True)
    df["seizure_month"] = pd.to_datetime(df["seizure_month"])
    return df


# How recent months are still filling up (:func:`month_completeness`).
COMPLETENESS_HORIZON_DAYS = 365  # a case entered later than this after its seizure is not waited for
COMPLETENESS_REFERENCE_YEARS = 3  # the years of seizures (before the horizon) the lags are learnt from
COMPLETENESS_MIN_REFERENCE = 100  # fewer reference cases in the formations chosen: all formations' lags


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def month_completeness(
    snapshot: Snapshot, start: date | None, end: date | None, formations: tuple[str, ...], as_of: date
) -> pd.DataFrame:
    """How complete each recent seizure month of the period probably is on ``as_of`` (the
    last day of data, :attr:`FilterOptions.watermark`): the expected share of its eventual
    cases already entered.

    From the upload-lag distribution (``fct_cases.upload_lag_days``, a lag before the
    seizure counted as 0) of the cases seized in the ``COMPLETENESS_REFERENCE_YEARS`` years
    before ``as_of`` − ``COMPLETENESS_HORIZON_DAYS`` days (old enough for every lag up to
    the horizon to be seen) and entered within the horizon: F(k) = share of them entered
    within k days. A seizure day d is F(as_of − d) complete; a month is the mean over its
    days in the period up to ``as_of`` (seizures spread evenly over the month). The lags are
    the chosen formations' (all formations' when none is chosen, or when the chosen ones
    have fewer than ``COMPLETENESS_MIN_REFERENCE`` reference cases).

    Columns seizure_month (datetime), expected_share (0–1), n_days (days counted),
    reference ("formations" or "all formations"), n_reference. Only months with a day
    within the horizon of ``as_of`` are returned (older ones are complete); empty when
    there are none or no reference cases.
    """
    columns = ["seizure_month", "expected_share", "n_days", "reference", "n_reference"]
    horizon = COMPLETENESS_HORIZON_DAYS
    first = as_of - timedelta(days=horizon)
    first = first.replace(day=1) if start is None else max(start, first.replace(day=1))
    last = as_of if end is None else min(end, as_of)
    if first > last:
        return pd.DataFrame(columns=columns)
    ref_end = as_of - timedelta(days=horizon)
    ref_start = ref_end - timedelta(days=365 * COMPLETENESS_REFERENCE_YEARS)

    def reference(codes: Sequence[str]) -> tuple[str, list[object]]:
        where, params = _filter_sql(ref_start, ref_end, codes)
        where, params = _and(where, params, "upload_lag_days <= ?", [horizon])
        return f"select greatest(upload_lag_days, 0) as lag from marts.fct_cases {where}", params

    with _connect(snapshot) as con:
        basis = "formations" if formations else "all formations"
        ref_sql, ref_params = reference(formations)
        n_reference = con.execute(f"select count(*)::bigint from ({ref_sql})", ref_params).fetchone()[0]
        if formations and n_reference < COMPLETENESS_MIN_REFERENCE:
            basis = "all formations"
            ref_sql, ref_params = reference(())
            n_reference = con.execute(f"select count(*)::bigint from ({ref_sql})", ref_params).fetchone()[0]
        if not n_reference:
            return pd.DataFrame(columns=columns)
        df = con.execute(
            f"""
            with ref as ({ref_sql}),
            hist as (select lag, count(*) as n from ref group by lag),
            cdf as (select lag, (sum(n) over (order by lag) / sum(n) over ())::double as share from hist),
            days as (
                select t.d::date as day, datediff('day', t.d::date, ?::date) as age
                from generate_series(?::timestamp, ?::timestamp, interval 1 day) as t(d)
            )
            select date_trunc('month', days.day)::date as seizure_month,
                   avg(coalesce(cdf.share, 0))::double as expected_share,
                   count(*)::bigint as n_days
            from days asof left join cdf on days.age >= cdf.lag
            group by 1
            order by 1
            """,
            [*ref_params, as_of, first, last],
        ).df()
    df["seizure_month"] = pd.to_datetime(df["seizure_month"])
    df["reference"] = basis
    df["n_reference"] = int(n_reference)
    return df[columns]


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def cases_by_formation(
    snapshot: Snapshot, start: date | None, end: date | None, formations: tuple[str, ...]
) -> pd.DataFrame:
    """Cases and value per formation, largest value first.

    Columns formation_code, n_cases, goods_value_pkr, vehicle_value_pkr, total_value_pkr,
    n_items, n_persons.
    """
    where, params = _filter_sql(start, end, formations)
    with _connect(snapshot) as con:
        return con.execute(
            f"""
            select coalesce(formation_code, '(none)') as formation_code,
                   count(*)::bigint as n_cases,
                   coalesce(sum(goods_value_pkr), 0)::double as goods_value_pkr,
                   coalesce(sum(vehicle_value_pkr), 0)::double as vehicle_value_pkr,
                   coalesce(sum(total_value_pkr), 0)::double as total_value_pkr,
                   coalesce(sum(n_items), 0)::bigint as n_items,
                   coalesce(sum(n_persons), 0)::bigint as n_persons
            from marts.fct_cases {where}
            group by all
            order by total_value_pkr desc, n_cases desc, formation_code
            """,
            params,
        ).df()


# --------------------------------------------------------------------------- commodities


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def top_commodities(
    snapshot: Snapshot,
    level: str,
    start: date | None,
    end: date | None,
    formations: tuple[str, ...],
    limit: int = 15,
) -> pd.DataFrame:
    """The HS chapters (``level="hs2"``) or headings (``"hs4"``) with the most seized value.

    From ``fct_seizure_items``: the ``limit`` codes with the most value, then (last) one row
    "Unclassified" for the items whose code does not resolve at that level, if any. Columns
    hs_code, description (empty string when the snapshot has no HS descriptions), n_items,
    n_cases, value_pkr, share (of all item value in the filter, unclassified included).
    """
    if level not in HS_LEVELS:
        raise ValueError(f"level must be one of {HS_LEVELS}, not {level!r}")
    where, params = _filter_sql(start, end, formations)
    with _connect(snapshot) as con:
        source = _hs_description_source(_marts_columns(con), level)
        description_sql = "''"
        join_sql = ""
        if source is not None and source[0] == "column":
            description_sql = f"any_value(i.{_ident(source[1])})"
        elif source is not None and source[0] == "trends":
            join_sql = (
                "left join (select hs_code as code, any_value(hs_description) as description "
                f"from {MARTS}.mart_hs_trends where hs_level = '{source[2]}' group by 1) d on d.code = i.{level}"
            )
            description_sql = "any_value(d.description)"
        elif source is not None:
            _, table, code_column = source
            join_sql = (
                "left join (select regexp_replace(" + _ident(code_column) + "::varchar, '[^0-9]', '', 'g') as code, "
                "any_value(description) as description "
                f"from {MARTS}.{_ident(table)} group by 1) d on d.code = i.{level}"
            )
            description_sql = "any_value(d.description)"
        df = con.execute(
            f"""
            with i as (select * from marts.fct_seizure_items {where}),
            g as (
                select i.{level} as code,
                       {description_sql}::varchar as description,
                       count(*)::bigint as n_items,
                       count(distinct i.case_id)::bigint as n_cases,
                       coalesce(sum(i.value_pkr), 0)::double as value_pkr
                from i {join_sql}
                group by i.{level}
            )
            select coalesce(code, ?) as hs_code,
                   coalesce(description, '') as description,
                   n_items,
                   n_cases,
                   value_pkr,
                   value_pkr / nullif(sum(value_pkr) over (), 0) as share
            from g
            qualify code is null
                or row_number() over (partition by code is null order by value_pkr desc, n_items desc, code) <= ?
            order by code is null, value_pkr desc, n_items desc, code
            """,
            [*params, UNCLASSIFIED, int(limit)],
        ).df()
    return df


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def hs_status_breakdown(
    snapshot: Snapshot, start: date | None, end: date | None, formations: tuple[str, ...]
) -> pd.DataFrame:
    """Seized items by how well their HS code resolved (``hs_code_status``).

    Columns hs_code_status, n_items, value_pkr.
    """
    where, params = _filter_sql(start, end, formations)
    with _connect(snapshot) as con:
        return con.execute(
            f"""
            select coalesce(hs_code_status, '(none)') as hs_code_status,
                   count(*)::bigint as n_items,
                   coalesce(sum(value_pkr), 0)::double as value_pkr
            from marts.fct_seizure_items {where}
            group by hs_code_status
            order by case hs_code_status when 'VALID' then 1 when 'HEADING_ONLY' then 2
                     when 'UNKNOWN_CODE' then 3 when 'UNPARSEABLE' then 4 else 5 end
            """,
            params,
        ).df()


# --------------------------------------------------------------------------- capabilities


@dataclass(frozen=True)
class Capabilities:
    """Which marts this snapshot has (an older pipeline may have published fewer), and where
    its expectation results are."""

    tables: frozenset[str]
    expectation_tables: tuple[str, ...]  # meta.<table> holding expectation results

    def has(self, *tables: str) -> bool:
        return all(table in self.tables for table in tables)


@st.cache_data(ttl=METADATA_TTL, max_entries=METADATA_MAX_ENTRIES, show_spinner=False)
def capabilities(snapshot: Snapshot) -> Capabilities:
    with _connect(snapshot) as con:
        tables = _marts_columns(con)
        meta_tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = current_database() and table_schema = 'meta' order by 1"
            ).fetchall()
        ]
    return Capabilities(
        tables=frozenset(tables),
        expectation_tables=tuple(t for t in meta_tables if "expectation" in t.lower()),
    )


# --------------------------------------------------------------------------- leadership


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def leadership_kpis(
    snapshot: Snapshot,
    start: date | None,
    end: date | None,
    formations: tuple[str, ...],
    known_at: datetime | None = None,
) -> dict[str, float | int | None]:
    """The leadership's headline figures (beyond :func:`case_kpis`) over the cases seized in
    the filter.

    Keys: n_vehicles_confiscated (case vehicles confiscated under Section 157) and
    n_vehicles_in_confiscated_cases (case vehicles of cases adjudicated CONFISCATED);
    n_repeat_vehicles (distinct vehicles seized in the filter that had been seized before:
    ``mart_vehicle_recidivism.is_repeat``); n_repeat_offenders (distinct resolved people in
    the filter's cases who had been in an earlier case: ``fct_case_persons.is_repeat_appearance``).
    Like the vehicles' flag, "earlier" counts every formation's cases. With ``known_at``
    (UTC), only over the cases entered by then (as :func:`case_kpis`).
    """
    caps = capabilities(snapshot)
    where_v, params_v = _filter_sql(start, end, formations, alias="v")
    where_p, params_p = _filter_sql(start, end, formations, alias="p", keyword="and")
    if known_at is not None:
        where_v, params_v = _and(where_v, params_v, *_known_by_sql(known_at, "c"))
        known_sql, known_params = _known_by_sql(known_at)
        where_p += f" and p.case_id in (select case_id from marts.fct_cases where {known_sql})"
        params_p = [*params_p, *known_params]
    n_repeat_vehicles = n_in_confiscated = n_confiscated = n_repeat_offenders = None
    with _connect(snapshot) as con:
        if caps.has("mart_vehicle_recidivism"):
            n_repeat_vehicles, n_in_confiscated, n_confiscated = con.execute(
                f"""
                select count(distinct v.vehicle_key) filter (where v.is_repeat)::bigint,
                       count(*) filter (where c.adjudication_outcome = 'CONFISCATED')::bigint,
                       count(*) filter (where v.confiscated_u_s_157)::bigint
                from marts.mart_vehicle_recidivism v
                join marts.fct_cases c on c.case_id = v.case_id
                {where_v}
                """,
                params_v,
            ).fetchone()
        if caps.has("fct_case_persons"):
            n_repeat_offenders = con.execute(
                f"select count(distinct p.offender_key)::bigint from marts.fct_case_persons p "
                f"where p.is_repeat_appearance {where_p}",
                params_p,
            ).fetchone()[0]
    return {
        "n_vehicles_confiscated": n_confiscated,
        "n_vehicles_in_confiscated_cases": n_in_confiscated,
        "n_repeat_vehicles": n_repeat_vehicles,
        "n_repeat_offenders": n_repeat_offenders,
    }


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def formation_league(
    snapshot: Snapshot, start: date | None, end: date | None, formations: tuple[str, ...]
) -> pd.DataFrame:
    """One row per formation over the whole months of the period (``mart_formation_accountability``).

    Columns formation_code, formation_name, n_cases, total_value_pkr, n_pending_adjudication
    (backlog: cases of these months still SEIZED or SCN_ISSUED), median_upload_lag_days
    (over the cases of these months, ``fct_cases.upload_lag_days``), n_late_uploads,
    n_adjudicated, n_confiscated, confiscation_rate (confiscated / adjudicated, null when
    none adjudicated). Largest value first.
    """
    where, params = _month_filter_sql(start, end, formations)
    with _connect(snapshot) as con:
        df = con.execute(
            f"""
            with m as (
                select formation_code,
                       min(formation_name) as formation_name,
                       sum(n_cases)::bigint as n_cases,
                       coalesce(sum(total_value_pkr), 0)::double as total_value_pkr,
                       sum(n_pending_adjudication)::bigint as n_pending_adjudication,
                       sum(n_late_uploads)::bigint as n_late_uploads,
                       sum(n_adjudicated)::bigint as n_adjudicated,
                       sum(n_confiscated)::bigint as n_confiscated
                from marts.mart_formation_accountability {where}
                group by formation_code
            ),
            lag as (
                select formation_code, median(upload_lag_days)::double as median_upload_lag_days
                from marts.fct_cases {where}
                group by formation_code
            )
            select m.formation_code, m.formation_name, m.n_cases, m.total_value_pkr,
                   m.n_pending_adjudication, lag.median_upload_lag_days, m.n_late_uploads,
                   m.n_adjudicated, m.n_confiscated,
                   m.n_confiscated / nullif(m.n_adjudicated, 0) as confiscation_rate
            from m left join lag on lag.formation_code is not distinct from m.formation_code
            order by m.total_value_pkr desc, m.n_cases desc, m.formation_code
            """,
            [*params, *params],
        ).df()
    df["formation_code"] = df["formation_code"].fillna("(none)")
    names = filter_options(snapshot).formation_names
    df["formation_short_name"] = [
        names.get(code) or formation_short_name(name) or code for code, name in zip(df["formation_code"], df["formation_name"])
    ]
    return df


# How a formation's measures are ranked (:func:`formation_standing`): column -> whether a
# higher value ranks first.
STANDING_MEASURES = {
    "n_cases": True,
    "total_value_pkr": True,
    "backlog_share": False,
    "late_share": False,
    "median_upload_lag_days": False,
    "confiscation_rate": True,
}


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def formation_standing(snapshot: Snapshot, start: date | None, end: date | None) -> pd.DataFrame:
    """Every formation's league-table measures over the whole months of the period, each
    with the formation's rank among all formations and the national median (the middle
    formation's value), computed over every formation whatever the filter.

    One row per formation: formation_code, and for each measure of
    :data:`STANDING_MEASURES` (n_cases, total_value_pkr, backlog_share = backlog / cases,
    late_share = late uploads / cases, median_upload_lag_days, confiscation_rate) the value,
    ``<measure>_rank`` (1 = most cases, most value, smallest backlog share, fewest late
    uploads, shortest lag, highest confiscation rate; ties share a rank; null where the
    value is), ``<measure>_tied`` (another formation has the same rank), ``<measure>_n``
    (formations with a value) and ``<measure>_median``.

    National figures: empty for a reader who sees only some formations (their views hold no
    other formation's rows, and a rank or median over their own is not national).
    """
    columns = ["formation_code"] + [
        f"{m}{suffix}" for m in STANDING_MEASURES for suffix in ("", "_rank", "_tied", "_n", "_median")
    ]
    if snapshot.scope.formations is not None:
        return pd.DataFrame(columns=columns)
    where, params = _month_filter_sql(start, end, ())
    ranked = []
    for measure, higher_first in STANDING_MEASURES.items():
        order = f"{measure} {'desc' if higher_first else 'asc'} nulls last"
        ranked.append(
            f"{measure}, case when {measure} is not null then rank() over (order by {order}) end::bigint as {measure}_rank, "
            f"{measure} is not null and count(*) over (partition by {measure}) > 1 as {measure}_tied, "
            f"count({measure}) over ()::bigint as {measure}_n, median({measure}) over ()::double as {measure}_median"
        )
    with _connect(snapshot) as con:
        df = con.execute(
            f"""
            with m as (
                select formation_code,
                       sum(n_cases)::bigint as n_cases,
                       coalesce(sum(total_value_pkr), 0)::double as total_value_pkr,
                       (sum(n_pending_adjudication) / nullif(sum(n_cases), 0))::double as backlog_share,
                       (sum(n_late_uploads) / nullif(sum(n_cases), 0))::double as late_share,
                       (sum(n_confiscated) / nullif(sum(n_adjudicated), 0))::double as confiscation_rate
                from marts.mart_formation_accountability {where}
                group by formation_code
            ),
            lag as (
                select formation_code, median(upload_lag_days)::double as median_upload_lag_days
                from marts.fct_cases {where}
                group by formation_code
            ),
            f as (
                select m.*, lag.median_upload_lag_days
                from m left join lag on lag.formation_code is not distinct from m.formation_code
                where m.formation_code is not null
            )
            select formation_code, {", ".join(ranked)}
            from f
            order by formation_code
            """,
            [*params, *params],
        ).df()
    return df[columns]


# --------------------------------------------------------------------------- formation detail


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def formation_months(snapshot: Snapshot, formation: str, start: date | None, end: date | None) -> pd.DataFrame:
    """``mart_formation_accountability`` rows of one formation over the months of the period.

    Columns seizure_month (datetime), n_cases, total_value_pkr, n_pending_adjudication,
    median_upload_lag_days, n_late_uploads, n_adjudicated, n_confiscated, confiscation_rate.
    """
    where, params = _month_filter_sql(start, end, (formation,))
    with _connect(snapshot) as con:
        df = con.execute(
            f"""
            select seizure_month, n_cases::bigint as n_cases,
                   coalesce(total_value_pkr, 0)::double as total_value_pkr,
                   n_pending_adjudication::bigint as n_pending_adjudication,
                   median_upload_lag_days::double as median_upload_lag_days,
                   n_late_uploads::bigint as n_late_uploads,
                   n_adjudicated::bigint as n_adjudicated,
                   n_confiscated::bigint as n_confiscated,
                   confiscation_rate::double as confiscation_rate
            from marts.mart_formation_accountability {where}
            order by seizure_month
            """,
            params,
        ).df()
    df = df.dropna(subset=["seizure_month"]).reset_index(drop=True)
    df["seizure_month"] = pd.to_datetime(df["seizure_month"])
    return df


UPLOAD_LAG_BUCKETS = (
    ("before seizure", None, -1),
    ("same day", 0, 0),
    ("1 day", 1, 1),
    ("2–3 days", 2, 3),
    ("4–7 days", 4, 7),
    ("8–14 days", 8, 14),
    ("15–30 days", 15, 30),
    ("31–90 days", 31, 90),
    ("over 90 days", 91, None),
)


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def upload_lag_distribution(
    snapshot: Snapshot, start: date | None, end: date | None, formations: tuple[str, ...]
) -> pd.DataFrame:
    """Cases by upload lag (``fct_cases.upload_lag_days``) over the months of the period.

    Columns bucket (labels of :data:`UPLOAD_LAG_BUCKETS`, then "unknown"), n_cases, is_late
    (lag over 7 days), in bucket order; buckets without cases are included with 0.
    """
    where, params = _month_filter_sql(start, end, formations)
    cases = []
    for label, low, high in UPLOAD_LAG_BUCKETS:
        conditions = []
        if low is not None:
            conditions.append(f"upload_lag_days >= {int(low)}")
        if high is not None:
            conditions.append(f"upload_lag_days <= {int(high)}")
        cases.append(f"count(*) filter (where {' and '.join(conditions)})::bigint")
    with _connect(snapshot) as con:
        row = con.execute(
            f"select {', '.join(cases)}, count(*) filter (where upload_lag_days is null)::bigint "
            f"from marts.fct_cases {where}",
            params,
        ).fetchone()
    labels = [label for label, _, _ in UPLOAD_LAG_BUCKETS] + ["unknown"]
    late = [low is not None and low > 7 for _, low, _ in UPLOAD_LAG_BUCKETS] + [False]
    return pd.DataFrame({"bucket": labels, "n_cases": list(row), "is_late": late})


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def upload_lag_kpis(
    snapshot: Snapshot,
    start: date | None,
    end: date | None,
    formations: tuple[str, ...],
    known_at: datetime | None = None,
) -> dict[str, float | int | None]:
    """Upload lags (``fct_cases.upload_lag_days``) of the cases of the whole months of the
    period; with ``known_at`` (UTC), only of the cases entered by then, as the store stood
    (the year before of :func:`comparison_kpis`: ``Comparison.previous_known_at``).

    Keys: n_cases, n_lag_known (cases with a lag), n_late (lag over 7 days), late_share (late
    / cases, as the league table; None without cases), median_upload_lag_days.
    """
    where, params = _month_filter_sql(start, end, formations)
    if known_at is not None:
        where, params = _and(where, params, *_known_by_sql(known_at))
    with _connect(snapshot) as con:
        n_cases, n_known, n_late, median_lag = con.execute(
            f"""
            select count(*)::bigint, count(upload_lag_days)::bigint,
                   count(*) filter (where upload_lag_days > 7)::bigint, median(upload_lag_days)::double
            from marts.fct_cases {where}
            """,
            params,
        ).fetchone()
    return {
        "n_cases": int(n_cases or 0),
        "n_lag_known": int(n_known or 0),
        "n_late": int(n_late or 0),
        "late_share": (n_late / n_cases) if n_cases else None,
        "median_upload_lag_days": None if median_lag is None or pd.isna(median_lag) else float(median_lag),
    }


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def officer_table(
    snapshot: Snapshot, start: date | None, end: date | None, formations: tuple[str, ...]
) -> pd.DataFrame:
    """One row per officer over the whole months of the period (``mart_officer_performance``;
    an officer-month counts under the formation the mart credits that month to).

    Columns officer_id, service_no, full_name, designation, formations (codes, comma
    separated), main_formation (the one most of the officer's cases are credited to),
    n_formations, n_months, n_cases, credited_value_pkr, n_adjudicated, n_confiscated,
    confiscation_rate. Most credited value first.
    """
    where, params = _month_filter_sql(start, end, formations)
    with _connect(snapshot) as con:
        return con.execute(
            f"""
            with m as (select * from marts.mart_officer_performance {where}),
            per_formation as (
                select officer_id, formation_code, sum(n_cases) as n_cases
                from m where formation_code is not null group by officer_id, formation_code
            ),
            main as (
                select officer_id, first(formation_code order by n_cases desc, formation_code) as main_formation
                from per_formation group by officer_id
            )
            select m.officer_id,
                   any_value(m.service_no) as service_no,
                   any_value(m.full_name) as full_name,
                   any_value(m.designation) as designation,
                   string_agg(distinct m.formation_code, ', ' order by m.formation_code) as formations,
                   any_value(main.main_formation) as main_formation,
                   count(distinct m.formation_code)::bigint as n_formations,
                   count(*)::bigint as n_months,
                   sum(m.n_cases)::bigint as n_cases,
                   coalesce(sum(m.credited_value_pkr), 0)::double as credited_value_pkr,
                   sum(m.n_adjudicated)::bigint as n_adjudicated,
                   sum(m.n_confiscated)::bigint as n_confiscated,
                   sum(m.n_confiscated) / nullif(sum(m.n_adjudicated), 0) as confiscation_rate
            from m left join main on main.officer_id = m.officer_id
            group by m.officer_id
            order by credited_value_pkr desc, n_cases desc, m.officer_id
            """,
            params,
        ).df()


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def officer_cases(
    snapshot: Snapshot, officer_id: int, start: date | None, end: date | None, formations: tuple[str, ...]
) -> pd.DataFrame:
    """The cases credited to one officer (``fct_officer_case_credits``) in the months of the
    period and the formations (the formation the case is credited under), newest first.

    Columns case_id, case_no, seizure_date, formation_code (credited), case_formation_code,
    roles, n_credited_officers, credited_value_pkr, total_value_pkr, status,
    adjudication_outcome, offence_nature, detection_method.
    """
    where, params = _month_filter_sql(start, end, formations, alias="k", keyword="and")
    with _connect(snapshot) as con:
        return con.execute(
            f"""
            select k.case_id, c.case_no, k.seizure_date, k.formation_code, c.formation_code as case_formation_code,
                   array_to_string(k.roles, ', ') as roles, k.n_credited_officers::bigint as n_credited_officers,
                   k.credited_value_pkr::double as credited_value_pkr,
                   c.total_value_pkr::double as total_value_pkr,
                   c.status, c.adjudication_outcome, c.offence_nature, c.detection_method
            from marts.fct_officer_case_credits k
            join marts.fct_cases c on c.case_id = k.case_id
            where k.officer_id = ? {where}
            order by k.seizure_date desc nulls last, k.case_id desc
            """,
            [int(officer_id), *params],
        ).df()


# --------------------------------------------------------------------------- commodities


HS_TREE_LEVELS = ("section", "chapter", "heading", "subheading")


@st.cache_data(ttl=METADATA_TTL, max_entries=METADATA_MAX_ENTRIES, show_spinner=False)
def hs_reference(snapshot: Snapshot) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(chapter -> section, (level:code) -> description, heading -> notified category).

    From the marts: the sections of the seized chapters (``fct_seizure_items``), the
    descriptions ``mart_hs_trends`` carries, and the notified headings among the seized items.
    """
    with _connect(snapshot) as con:
        sections = dict(
            con.execute(
                "select hs2, any_value(hs_section) from marts.fct_seizure_items "
                "where hs2 is not null and hs_section is not null group by hs2"
            ).fetchall()
        )
        descriptions = {
            f"{level}:{code}": text
            for level, code, text in con.execute(
                "select hs_level, hs_code, any_value(hs_description) from marts.mart_hs_trends "
                "where hs_description is not null group by hs_level, hs_code"
            ).fetchall()
        }
        notified = dict(
            con.execute(
                "select hs4, coalesce(any_value(notified_category), 'notified') from marts.fct_seizure_items "
                "where is_notified_item and hs4 is not null group by hs4"
            ).fetchall()
        )
    return sections, descriptions, notified


def _hs_comparison_months(
    con: _ScopedConnection, start: date | None, end: date | None, data_until: date | None
) -> tuple[date | None, date | None]:
    """The months of the period that have a year before to compare with: from the period's
    first month (not before the warehouse's first seizure month) to its last (not after the
    last full month of data, ``data_until`` being the watermark's last day: a month the
    data covers only in part would read as a fall), less the months whose month a year
    earlier is before the warehouse's first seizure month. (None, None) when no month of the
    period has one. The same months :func:`hs_code_trend` gives a year-before value."""
    first_month, last_month = con.execute(
        f"select min(seizure_month) filter (where seizure_month {_REAL_DATES_SQL}), max(seizure_month) filter "
        f"(where seizure_month <= date_trunc('month', {TODAY_PKT_SQL}) and seizure_month {_REAL_DATES_SQL}) "
        "from marts.fct_cases"
    ).fetchone()
    if first_month is None or last_month is None:
        return None, None
    lo = max(start.replace(day=1), first_month) if start else first_month
    hi = min(end.replace(day=1), last_month) if end else last_month
    lo = max(lo, months_back(first_month, -12))
    if data_until is not None:
        last_full = data_until.replace(day=1) if data_until == month_end(data_until) else months_back(data_until.replace(day=1), 1)
        hi = min(hi, last_full)
    return (lo, hi) if lo <= hi else (None, None)


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def hs_comparison_months(snapshot: Snapshot, start: date | None, end: date | None) -> tuple[date | None, date | None]:
    """First and last month of the period that :func:`hs_totals` and :func:`hs_code_trend`
    compare with the same month a year before; (None, None) when none can be."""
    data_until = data_watermark(snapshot)[1]
    with _connect(snapshot) as con:
        return _hs_comparison_months(con, start, end, data_until)


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def hs_totals(
    snapshot: Snapshot, start: date | None, end: date | None, formations: tuple[str, ...]
) -> pd.DataFrame:
    """Seized goods per HS level and code over the whole months of the period, with the
    same months a year before (``mart_hs_trends``).

    Columns hs_level, hs_code, n_cases, n_items, value_pkr (the whole months of the
    period); value_pkr_compared (the months of the period that have a year before,
    :func:`hs_comparison_months`: all of them unless the period starts within a year of the
    warehouse's first seizure month) and value_pkr_last_year (the same months a year
    earlier; 0 when nothing of the code was seized then), both null when no month has a
    year before; yoy_change_pct (compared against last year; null when last year's value is
    null or not positive). Codes seized only last year are included with zero this year.
    """
    where, params = _month_filter_sql(start, end, formations)
    data_until = data_watermark(snapshot)[1]
    with _connect(snapshot) as con:
        compare_from, compare_to = _hs_comparison_months(con, start, end, data_until)
        if compare_from is not None and compare_to is not None:
            where_cmp, params_cmp = _filter_sql(compare_from, compare_to, formations, date_column="seizure_month")
            where_prev, params_prev = _filter_sql(
                months_back(compare_from, 12), months_back(compare_to, 12), formations, date_column="seizure_month"
            )
        else:  # nothing to compare: empty year-before parts
            where_cmp, params_cmp = where_prev, params_prev = "where false", []
        df = con.execute(
            f"""
            with cur as (
                select hs_level, hs_code, sum(n_cases)::bigint as n_cases, sum(n_items)::bigint as n_items,
                       coalesce(sum(value_pkr), 0)::double as value_pkr
                from marts.mart_hs_trends {where}
                group by hs_level, hs_code
            ),
            cmp as (
                select hs_level, hs_code, coalesce(sum(value_pkr), 0)::double as value_pkr
                from marts.mart_hs_trends {where_cmp}
                group by hs_level, hs_code
            ),
            prev as (
                select hs_level, hs_code, coalesce(sum(value_pkr), 0)::double as value_pkr
                from marts.mart_hs_trends {where_prev}
                group by hs_level, hs_code
            ),
            codes as (select hs_level, hs_code from cur union select hs_level, hs_code from prev)
            select codes.hs_level, codes.hs_code,
                   coalesce(cur.n_cases, 0)::bigint as n_cases,
                   coalesce(cur.n_items, 0)::bigint as n_items,
                   coalesce(cur.value_pkr, 0)::double as value_pkr,
                   coalesce(cmp.value_pkr, 0)::double as value_pkr_compared,
                   coalesce(prev.value_pkr, 0)::double as value_pkr_last_year
            from codes
            left join cur on cur.hs_level = codes.hs_level and cur.hs_code = codes.hs_code
            left join cmp on cmp.hs_level = codes.hs_level and cmp.hs_code = codes.hs_code
            left join prev on prev.hs_level = codes.hs_level and prev.hs_code = codes.hs_code
            """,
            [*params, *params_cmp, *params_prev],
        ).df()
    if compare_from is None:
        df["value_pkr_compared"] = float("nan")
        df["value_pkr_last_year"] = float("nan")
    last = df["value_pkr_last_year"]
    df["yoy_change_pct"] = (100.0 * (df["value_pkr_compared"] - last) / last).where(last > 0)
    return df


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def hs_code_trend(
    snapshot: Snapshot,
    level: str,
    code: str | None,
    start: date | None,
    end: date | None,
    formations: tuple[str, ...],
) -> pd.DataFrame:
    """Seized value of one HS code (``code=None``: every code of ``level``) per month of the
    period, each month beside the same month a year before (``mart_hs_trends``).

    Columns seizure_month (datetime), n_cases, n_items, value_pkr, value_pkr_last_year
    (null when that month is before the warehouse's first seizure month), yoy_change_pct.
    Every month from the period's first to its last (not after the current month) is present.
    """
    if level not in HS_TREE_LEVELS:
        raise ValueError(f"level must be one of {HS_TREE_LEVELS}, not {level!r}")
    code_sql, code_params = ("and hs_code = ?", [code]) if code is not None else ("", [])
    where, params = _filter_sql(None, None, formations, keyword="and")
    with _connect(snapshot) as con:
        first_month, last_month = con.execute(
            f"select min(seizure_month) filter (where seizure_month {_REAL_DATES_SQL}), max(seizure_month) filter "
            f"(where seizure_month <= date_trunc('month', {TODAY_PKT_SQL}) and seizure_month {_REAL_DATES_SQL}) "
            "from marts.fct_cases"
        ).fetchone()
        if first_month is None or last_month is None:
            return pd.DataFrame(
                columns=["seizure_month", "n_cases", "n_items", "value_pkr", "value_pkr_last_year", "yoy_change_pct"]
            )
        lo = max(start.replace(day=1), first_month) if start else first_month
        hi = min(end.replace(day=1), last_month) if end else last_month
        df = con.execute(
            f"""
            with m as (
                select seizure_month, sum(n_cases)::bigint as n_cases, sum(n_items)::bigint as n_items,
                       coalesce(sum(value_pkr), 0)::double as value_pkr
                from marts.mart_hs_trends
                where hs_level = ? {code_sql} {where}
                group by seizure_month
            ),
            months as (
                select cast(generate_series as date) as seizure_month
                from generate_series(?::date, ?::date, interval 1 month)
            )
            select months.seizure_month,
                   coalesce(cur.n_cases, 0)::bigint as n_cases,
                   coalesce(cur.n_items, 0)::bigint as n_items,
                   coalesce(cur.value_pkr, 0)::double as value_pkr,
                   case when cast(months.seizure_month - interval 1 year as date) >= ?::date
                        then coalesce(ly.value_pkr, 0) end::double as value_pkr_last_year
            from months
            left join m cur on cur.seizure_month = months.seizure_month
            left join m ly on ly.seizure_month = cast(months.seizure_month - interval 1 year as date)
            order by months.seizure_month
            """,
            [level, *code_params, *params, lo, hi, first_month],
        ).df() if lo <= hi else pd.DataFrame(
            columns=["seizure_month", "n_cases", "n_items", "value_pkr", "value_pkr_last_year"]
        )
    df["seizure_month"] = pd.to_datetime(df["seizure_month"])
    last = df["value_pkr_last_year"].astype(float)
    df["yoy_change_pct"] = (100.0 * (df["value_pkr"].astype(float) - last) / last).where(last > 0)
    return df


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def notified_items(
    snapshot: Snapshot, start: date | None, end: date | None, formations: tuple[str, ...]
) -> pd.DataFrame:
    """Notified items (``fct_seizure_items.is_notified_item``) in the whole months of the
    period, per category: notified_category, headings (comma separated), n_items, n_cases,
    value_pkr. Largest value first."""
    # whole months, on the contract's seizure_date
    first = None if start is None else start.replace(day=1)
    last = None if end is None else month_end(end)
    where, params = _filter_sql(first, last, formations, keyword="and")
    with _connect(snapshot) as con:
        return con.execute(
            f"""
            select coalesce(notified_category, 'notified') as notified_category,
                   string_agg(distinct hs4, ', ' order by hs4) as headings,
                   count(*)::bigint as n_items,
                   count(distinct case_id)::bigint as n_cases,
                   coalesce(sum(value_pkr), 0)::double as value_pkr
            from marts.fct_seizure_items
            where is_notified_item {where}
            group by all
            order by value_pkr desc, n_items desc
            """,
            params,
        ).df()


# --------------------------------------------------------------------------- routes


@st.cache_data(ttl=METADATA_TTL, max_entries=METADATA_MAX_ENTRIES, show_spinner=False)
def locations(snapshot: Snapshot) -> pd.DataFrame:
    """Every location of the store (``dim_locations``): location_id, name, kind, country,
    latitude, longitude."""
    with _connect(snapshot) as con:
        return con.execute(
            """
            select location_id, location_name as name, location_kind as kind, country,
                   latitude::double as latitude, longitude::double as longitude
            from marts.dim_locations
            order by location_id
            """
        ).df()


@st.cache_data(ttl=METADATA_TTL, max_entries=METADATA_MAX_ENTRIES, show_spinner=False)
def hs_chapters(snapshot: Snapshot) -> pd.DataFrame:
    """The HS chapters of the seized items: hs2, description, n_items (most items first)."""
    with _connect(snapshot) as con:
        return con.execute(
            """
            select i.hs2, any_value(t.hs_description) as description, count(*)::bigint as n_items
            from marts.fct_seizure_items i
            left join (select distinct hs_code, hs_description from marts.mart_hs_trends where hs_level = 'chapter') t
                on t.hs_code = i.hs2
            where i.hs2 is not null
            group by i.hs2
            order by i.hs2
            """
        ).df()


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def route_flows(
    snapshot: Snapshot,
    start: date | None,
    end: date | None,
    formations: tuple[str, ...],
    chapters: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Cases per route (origin → seizure point → destination) in the filter.

    With ``chapters``, only cases carrying at least one live item of those HS chapters count.
    Aggregated from ``fct_cases`` (``mart_route_flows`` has no formation and only each
    route-month's top chapter, so it cannot be filtered by formation or commodity).
    Columns origin_location_id, seizure_location_id, destination_location_id (null where the
    case does not say), n_cases, total_value_pkr, goods_value_pkr. Most cases first.
    """
    where, params = _filter_sql(start, end, formations, alias="c")
    chapter_sql = ""
    if chapters:
        chapter_sql = (
            (" and " if where else "where ")
            + "exists (select 1 from marts.fct_seizure_items i where i.case_id = c.case_id "
            "and list_contains(?::varchar[], i.hs2))"
        )
        params = [*params, list(chapters)]
    with _connect(snapshot) as con:
        return con.execute(
            f"""
            select c.origin_location_id, c.seizure_location_id, c.destination_location_id,
                   count(*)::bigint as n_cases,
                   coalesce(sum(c.total_value_pkr), 0)::double as total_value_pkr,
                   coalesce(sum(c.goods_value_pkr), 0)::double as goods_value_pkr
            from marts.fct_cases c
            {where} {chapter_sql}
            group by all
            order by n_cases desc, total_value_pkr desc,
                     c.origin_location_id nulls last, c.seizure_location_id nulls last,
                     c.destination_location_id nulls last
            """,
            params,
        ).df()


# --------------------------------------------------------------------------- vehicles

# A resolved vehicle's seizures, as the vehicle look-up lists and counts them: its live case
# vehicles (mart_vehicle_recidivism) in cases the reader may see (fct_cases; both views hold
# only the reader's formations). The look-up and its suggestions both count these rows, so a
# suggestion's "N seizures" is what the page shows once picked.
_VEHICLE_SEIZURES = "marts.mart_vehicle_recidivism v join marts.fct_cases c on c.case_id = v.case_id"


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def vehicle_seizures(snapshot: Snapshot, text: str, kinds: tuple[str, ...]) -> pd.DataFrame:
    """Every seizure (live case vehicle) of every vehicle one of whose normalised identifiers
    of the given ``kinds`` equals ``text`` (already normalised: see
    :mod:`dashboard.search_keys`).

    One row per case vehicle of the matched vehicles, oldest first. Columns vehicle_key,
    case_vehicle_id, case_id, case_no, seizure_date, formation_code, formation_name,
    registration_no / chassis_no / engine_no (normalised) and their ``*_raw`` (as typed),
    matches (which of this row's identifiers equal the search key: ``registration``,
    ``chassis``, ``engine``, ``+``-joined, or empty), match_basis (identifiers this row shares
    with another seizure of the vehicle), vehicle_type, involvement, value_pkr, prior_seizures,
    is_repeat, status, adjudication_outcome, seizure_location.
    """
    kinds = tuple(k for k in kinds if k in ("chassis", "engine", "registration"))
    if not text or not kinds:
        return pd.DataFrame()
    match_any = " or ".join(f"{kind}_no = ?" for kind in kinds)
    with _connect(snapshot) as con:
        # The matched vehicles first, then their seizures by that list of keys: a filter on a
        # plain column reaches below the views' masking, where a join with a subquery made
        # the views mask every vehicle row of the table first.
        keys = [
            row[0] for row in con.execute(
                f"select distinct vehicle_key from marts.mart_vehicle_recidivism where {match_any} order by 1",
                [text] * len(kinds),
            ).fetchall()
        ]
        case_ids = [
            row[0] for row in con.execute(
                "select distinct case_id from marts.mart_vehicle_recidivism "
                "where list_contains(?::varchar[], vehicle_key) order by 1",
                [keys],
            ).fetchall()
        ]
        return con.execute(
            f"""
            select v.vehicle_key, v.case_vehicle_id, v.case_id, c.case_no, v.seizure_date, v.formation_code,
                   c.formation_name,
                   v.registration_no, v.chassis_no, v.engine_no,
                   v.registration_no_raw, v.chassis_no_raw, v.engine_no_raw,
                   concat_ws('+',
                       case when v.registration_no = ? then 'registration' end,
                       case when v.chassis_no = ? then 'chassis' end,
                       case when v.engine_no = ? then 'engine' end) as matches,
                   v.match_basis, v.vehicle_type, v.involvement, v.value_pkr::double as value_pkr,
                   v.prior_seizures, v.is_repeat, c.status, c.adjudication_outcome,
                   loc.location_name as seizure_location
            from {_VEHICLE_SEIZURES}
            left join marts.dim_locations loc on loc.location_id = c.seizure_location_id
            where list_contains(?::varchar[], v.vehicle_key) and list_contains(?::bigint[], c.case_id)
            order by v.vehicle_key, v.seizure_date nulls last, v.case_vehicle_id
            """,
            [text, text, text, keys, case_ids],
        ).df()


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def vehicles(snapshot: Snapshot, vehicle_keys: tuple[str, ...]) -> pd.DataFrame:
    """``dim_vehicles`` rows of the given vehicles."""
    with _connect(snapshot) as con:
        return con.execute(
            "select * from marts.dim_vehicles where list_contains(?::varchar[], vehicle_key) order by vehicle_key",
            [list(vehicle_keys)],
        ).df()


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def vehicle_suggestions(snapshot: Snapshot, text: str, limit: int = 10) -> pd.DataFrame:
    """Normalised identifiers that contain ``text`` (when nothing matches it exactly):
    identifier, kind, vehicle_key, n_seizures. Registrations first, most seized first.

    n_seizures counts every seizure of the resolved vehicle the reader may see, as
    :func:`vehicle_seizures` lists them (the look-up's "Seizures"), not only the records
    that carry this number: a vehicle joined through other numbers has more."""
    if len(text) < 3:
        return pd.DataFrame(columns=["identifier", "kind", "vehicle_key", "n_seizures"])
    with _connect(snapshot) as con:
        return con.execute(
            f"""
            with seizures as (
                select v.vehicle_key, v.registration_no, v.chassis_no, v.engine_no from {_VEHICLE_SEIZURES}
            ),
            per_vehicle as (
                select vehicle_key, count(*)::bigint as n_seizures from seizures group by vehicle_key
            ),
            ids as (
                select registration_no as identifier, 'registration' as kind, vehicle_key from seizures
                union
                select chassis_no, 'chassis', vehicle_key from seizures
                union
                select engine_no, 'engine', vehicle_key from seizures
            )
            select ids.identifier, ids.kind, ids.vehicle_key, p.n_seizures
            from ids join per_vehicle p on p.vehicle_key = ids.vehicle_key
            where ids.identifier is not null and contains(ids.identifier, ?)
            order by ids.kind = 'registration' desc, p.n_seizures desc, ids.identifier, ids.vehicle_key
            limit ?
            """,
            [text, int(limit)],
        ).df()


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def repeat_vehicles(
    snapshot: Snapshot, start: date | None, end: date | None, formations: tuple[str, ...], limit: int = 200
) -> pd.DataFrame:
    """Vehicles seized again in the filter (``mart_vehicle_recidivism.is_repeat``), with their
    ``dim_vehicles`` summary: vehicle_key, registration_no, chassis_no, engine_no, n_seizures,
    n_formations, first_seized_date, last_seized_date, repeat_seizures_in_filter. Most seized first."""
    where, params = _filter_sql(start, end, formations, alias="v", keyword="and")
    with _connect(snapshot) as con:
        return con.execute(
            f"""
            with r as (
                select v.vehicle_key, count(*)::bigint as repeat_seizures_in_filter
                from marts.mart_vehicle_recidivism v
                where v.is_repeat {where}
                group by v.vehicle_key
            )
            select d.vehicle_key, d.registration_no, d.chassis_no, d.engine_no, d.n_seizures::bigint as n_seizures,
                   d.n_formations::bigint as n_formations, d.first_seized_date, d.last_seized_date,
                   r.repeat_seizures_in_filter
            from r join marts.dim_vehicles d using (vehicle_key)
            order by d.n_seizures desc, d.last_seized_date desc, d.vehicle_key
            limit ?
            """,
            [*params, int(limit)],
        ).df()


# --------------------------------------------------------------------------- offenders


def offender_key(cnic: str) -> str:
    """The person key of a formatted CNIC as the views show ``offender_key`` (a keyed hash of
    the marts' md5), so look-ups work on masked views too."""
    marts_key = hashlib.md5(cnic.encode("utf-8")).hexdigest()
    return person_token(person_secret(load_settings().access_dir), marts_key)


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def offender(snapshot: Snapshot, person_key: str) -> dict[str, object] | None:
    """The ``dim_offenders`` row of a resolved person (:func:`offender_key`), or None."""
    with _connect(snapshot) as con:
        df = con.execute("select * from marts.dim_offenders where offender_key = ?", [person_key]).df()
    if df.empty:
        return None
    return df.iloc[0].to_dict()


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def top_offenders(
    snapshot: Snapshot, start: date | None, end: date | None, formations: tuple[str, ...], limit: int = 100
) -> pd.DataFrame:
    """Repeat offenders (``dim_offenders.is_repeat_offender``) with a case in the filter,
    most cases first.

    Columns offender_key, cnic, names_seen, roles, n_cases, n_formations, first_seen_date,
    last_seen_date, total_value_pkr, n_co_offenders, n_vehicles, n_cases_in_filter.
    """
    where, params = _filter_sql(start, end, formations, alias="c")
    with _connect(snapshot) as con:
        return con.execute(
            f"""
            -- the repeat offenders first (about 2 % of persons): counting every person's
            -- cases in the filter and then keeping the repeat ones took three times as long
            with o as (
                select * from marts.dim_offenders where is_repeat_offender
            ),
            f as (
                select b.offender_key, count(distinct c.case_id)::bigint as n_cases_in_filter
                from marts.fct_case_persons b
                semi join o on o.offender_key = b.offender_key
                join marts.fct_cases c on c.case_id = b.case_id
                {where}
                group by b.offender_key
            )
            select o.offender_key, o.cnic, array_to_string(o.names_seen, '; ') as names_seen,
                   array_to_string(o.roles, ', ') as roles, o.n_cases::bigint as n_cases,
                   o.n_formations::bigint as n_formations, o.first_seen_date, o.last_seen_date,
                   o.total_value_pkr::double as total_value_pkr, o.n_co_offenders::bigint as n_co_offenders,
                   o.n_vehicles::bigint as n_vehicles, f.n_cases_in_filter
            from o join f on f.offender_key = o.offender_key
            order by o.n_cases desc, f.n_cases_in_filter desc, o.total_value_pkr desc, o.offender_key
            limit ?
            """,
            [*params, int(limit)],
        ).df()


@dataclass(frozen=True)
class OffenderNetwork:
    cases: pd.DataFrame  # one row per case of the person
    co_offenders: pd.DataFrame  # one row per (other person, shared case)
    vehicles: pd.DataFrame  # one row per (vehicle, case)
    commodities: pd.DataFrame  # per HS chapter


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def offender_network(snapshot: Snapshot, person_key: str) -> OffenderNetwork:
    """A resolved person's cases, co-offenders, vehicles and commodities (``fct_case_persons``).

    cases: case_id, case_no, seizure_date, formation_code, formation_name, roles (this
    person's, comma separated), names (as typed in the case), status, adjudication_outcome,
    offence_nature, total_value_pkr, origin, seizure_location, destination (location names).
    co_offenders: case_id, offender_key, cnic, names, roles, n_cases (theirs, ``dim_offenders``).
    vehicles: case_id, vehicle_key, registration_no, chassis_no, engine_no, n_seizures.
    commodities: hs2, description, n_items, n_cases, value_pkr.
    """
    with _connect(snapshot) as con:
        # The person's cases first, then everything else by that list of ids: a filter on a
        # plain column reaches below the views' masking, where a join with a subquery made
        # the views mask every person of the table first (2.6 s at a million, masked).
        case_ids = [
            row[0] for row in con.execute(
                "select distinct case_id from marts.fct_case_persons where offender_key = ? order by 1", [person_key]
            ).fetchall()
        ]
        cases = con.execute(
            """
            with mine as (
                select b.case_id,
                       string_agg(distinct b.role, ', ') as roles,
                       string_agg(distinct b.full_name, '; ') as names
                from marts.fct_case_persons b where b.offender_key = ? group by b.case_id
            )
            select c.case_id, c.case_no, c.seizure_date, c.formation_code, c.formation_name, mine.roles, mine.names,
                   c.status, c.adjudication_outcome, c.offence_nature, c.total_value_pkr::double as total_value_pkr,
                   o.location_name as origin, s.location_name as seizure_location, d.location_name as destination
            from mine join marts.fct_cases c on c.case_id = mine.case_id
            left join marts.dim_locations o on o.location_id = c.origin_location_id
            left join marts.dim_locations s on s.location_id = c.seizure_location_id
            left join marts.dim_locations d on d.location_id = c.destination_location_id
            order by c.seizure_date nulls last, c.case_id
            """,
            [person_key],
        ).df()
        co = con.execute(
            """
            with b as (
                select * from marts.fct_case_persons
                where list_contains(?::bigint[], case_id) and offender_key is not null and offender_key <> ?
            ),
            o as (
                select offender_key, n_cases from marts.dim_offenders
                where list_contains((select list(distinct offender_key) from b), offender_key)
            )
            select b.case_id, b.offender_key, any_value(b.cnic) as cnic,
                   string_agg(distinct b.full_name, '; ') as names,
                   string_agg(distinct b.role, ', ') as roles, any_value(o.n_cases)::bigint as n_cases
            from b left join o on o.offender_key = b.offender_key
            group by b.case_id, b.offender_key
            order by any_value(b.cnic), b.case_id
            """,
            [case_ids, person_key],
        ).df()
        vehicles_df = con.execute(
            """
            select v.case_id, v.vehicle_key, d.registration_no, d.chassis_no, d.engine_no,
                   d.n_seizures::bigint as n_seizures
            from marts.mart_vehicle_recidivism v
            left join marts.dim_vehicles d on d.vehicle_key = v.vehicle_key
            where list_contains(?::bigint[], v.case_id)
            order by v.vehicle_key, v.case_id
            """,
            [case_ids],
        ).df()
        commodities = con.execute(
            """
            select i.hs2, any_value(t.hs_description) as description, count(*)::bigint as n_items,
                   count(distinct i.case_id)::bigint as n_cases, coalesce(sum(i.value_pkr), 0)::double as value_pkr
            from marts.fct_seizure_items i
            left join (select distinct hs_code, hs_description from marts.mart_hs_trends where hs_level = 'chapter') t
                on t.hs_code = i.hs2
            where list_contains(?::bigint[], i.case_id)
            group by i.hs2
            order by value_pkr desc
            """,
            [case_ids],
        ).df()
    return OffenderNetwork(cases, co, vehicles_df, commodities)


# --------------------------------------------------------------------------- data quality


@st.cache_data(ttl=METADATA_TTL, max_entries=METADATA_MAX_ENTRIES, show_spinner=False)
def data_quality_checks(snapshot: Snapshot) -> pd.DataFrame:
    """Issues per check: severity, source_table, check_name, n_rows, first_seen_at (earliest),
    example (one detail). Quarantined first, then most rows."""
    with _connect(snapshot) as con:
        if "data_quality_issues" not in _marts_columns(con):
            return pd.DataFrame(columns=["severity", "source_table", "check_name", "n_rows", "first_seen_at", "example"])
        return con.execute(
            """
            select severity, source_table, check_name, count(*)::bigint as n_rows,
                   min(first_seen_at) as first_seen_at, min(detail) as example
            from marts.data_quality_issues
            group by severity, source_table, check_name
            order by severity = 'quarantined' desc, n_rows desc, source_table, check_name
            """
        ).df()


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def data_quality_by_formation(
    snapshot: Snapshot, start: date | None, end: date | None, formations: tuple[str, ...]
) -> pd.DataFrame:
    """Issues per check and formation, where the issue's row can be traced to a case in the
    marts (a case, or an item or vehicle kept in the marts); the rest (quarantined rows whose
    case is deleted or missing, people, officers) have formation_code null.

    The period and formations filter the traceable rows by their case's seizure date and
    formation; untraceable rows are always included. Columns severity, check_name,
    formation_code, n_rows.
    """
    caps = capabilities(snapshot)
    if "data_quality_issues" not in caps.tables:
        return pd.DataFrame(columns=["severity", "check_name", "formation_code", "n_rows"])
    with _connect(snapshot) as con:
        attributed = "formation_code" in _marts_columns(con)["data_quality_issues"]
        if attributed:  # the pipeline attributed each issue to its case's formation (dbt)
            traced_filter, params = _filter_sql(start, end, formations, keyword="")
            keep = f"case_id is null or ({traced_filter.strip()})" if traced_filter else "true"
            return con.execute(
                f"""
                select severity, check_name, case when case_id is not null then formation_code end as formation_code,
                       count(*)::bigint as n_rows
                from marts.data_quality_issues
                where {keep}
                group by 1, 2, 3
                order by severity = 'quarantined' desc, check_name, formation_code nulls last
                """,
                params,
            ).df()
    # A snapshot published before: traced through the marts by source key.
    keys, joins, formation_parts, date_parts, traced_parts = [], [], [], [], []
    for n, (source_table, mart, key) in enumerate(DQ_ATTRIBUTION):
        if mart not in caps.tables:
            continue
        alias = f"a{n}"
        # a plain equality per source table, so DuckDB hash-joins (a condition on
        # source_table in the join made it a nested loop: minutes on a 100k-case store)
        keys.append(f"case when source_table = '{source_table}' then try_cast(source_pk as bigint) end as pk{n}")
        joins.append(
            f"left join (select {key} as pk, formation_code, seizure_date from marts.{mart}) {alias} "
            f"on {alias}.pk = q.pk{n}"
        )
        formation_parts.append(f"{alias}.formation_code")
        date_parts.append(f"{alias}.seizure_date")
        traced_parts.append(f"{alias}.pk is not null")
    formation_sql = f"coalesce({', '.join(formation_parts)})" if formation_parts else "null::varchar"
    date_sql = f"coalesce({', '.join(date_parts)})" if date_parts else "null::date"
    traced_sql = " or ".join(traced_parts) or "false"
    traced_filter, params = _filter_sql(start, end, formations, keyword="")
    keep = f"not traced or ({traced_filter.strip()})" if traced_filter else "true"
    with _connect(snapshot) as con:
        return con.execute(
            f"""
            with issues as (
                select severity, check_name{''.join(', ' + k for k in keys)}
                from marts.data_quality_issues
            ),
            q as (
                select q.severity, q.check_name, {formation_sql} as formation_code, {date_sql} as seizure_date,
                       ({traced_sql}) as traced
                from issues q
                {' '.join(joins)}
            )
            select severity, check_name, case when traced then formation_code end as formation_code,
                   count(*)::bigint as n_rows
            from q
            where {keep}
            group by 1, 2, 3
            order by severity = 'quarantined' desc, check_name, formation_code nulls last
            """,
            params,
        ).df()


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def data_quality_rows(snapshot: Snapshot, severity: str, check_name: str | None, limit: int = 5000) -> pd.DataFrame:
    """The issue rows of one severity (and check): source_table, source_pk, check_name,
    detail, first_seen_at; at most ``limit``."""
    check_sql, params = ("and check_name = ?", [check_name]) if check_name else ("", [])
    with _connect(snapshot) as con:
        return con.execute(
            f"""
            select source_table, source_pk, check_name, detail, first_seen_at
            from marts.data_quality_issues
            where severity = ? {check_sql}
            order by check_name, source_table, try_cast(source_pk as bigint) nulls last, source_pk
            limit ?
            """,
            [severity, *params, int(limit)],
        ).df()


EXPECTATION_RESULT_COLUMNS = [
    "suite", "layer", "expectation", "column_name", "severity", "status", "success", "is_error", "observed_value",
    "rows_checked", "unexpected_count", "unexpected_percent", "mostly", "rule", "error", "batch", "run_at",
]


@st.cache_data(ttl=METADATA_TTL, max_entries=METADATA_MAX_ENTRIES, show_spinner=False)
def expectation_results(snapshot: Snapshot) -> pd.DataFrame | None:
    """The latest expectation-suite results published with the snapshot
    (``meta.expectation_results``): one row per expectation, errors first, then failures
    (hard rules first), then the rest; columns :data:`EXPECTATION_RESULT_COLUMNS`. ``None``
    when the snapshot has no such table (published before it existed)."""
    caps = capabilities(snapshot)
    if "expectation_results" not in caps.expectation_tables:
        return None
    with _connect(snapshot) as con:
        return con.execute(
            f"""
            select {', '.join(_ident(c) for c in EXPECTATION_RESULT_COLUMNS)}
            from meta.expectation_results
            order by case status when 'error' then 0 when 'failed' then 1 else 2 end,
                     severity = 'ERROR' desc, layer desc, suite, expectation_index
            limit 10000
            """
        ).df()
