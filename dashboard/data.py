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
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from antismuggling.access.scope import DQ_ATTRIBUTION, Scope, open_scoped, person_secret, person_token
from antismuggling.config import load_settings
from antismuggling.publish import NothingPublishedError, current_snapshot_path
from dashboard.formatting import month_end, months_back

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
    "case_kpis",
    "cases_by_month",
    "cases_by_formation",
    "top_commodities",
    "hs_status_breakdown",
    "page_run",
    "Capabilities",
    "capabilities",
    "leadership_kpis",
    "formation_league",
    "formation_months",
    "upload_lag_distribution",
    "officer_table",
    "officer_cases",
    "hs_reference",
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


class SnapshotChanged(RuntimeError):
    """A new snapshot was published while a query was running: rerun with the new one."""


# --------------------------------------------------------------------------- plumbing


@dataclass(frozen=True)
class Snapshot:
    """The published snapshot a page reads, as one reader's scope shows it."""

    path: str
    scope: Scope


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
    formation_labels: dict[str, str]  # code -> "CODE · name" (just the code when no names)
    # The latest seizure date not after today (Pakistan): where the default period ends, so
    # a mistyped year (2206) does not stretch it over centuries. None when every case is
    # dated after today.
    default_end: date | None = None
    n_cases_after_today: int = 0
    # Cases with no seizure date: missing, or implausible and left empty by the pipeline
    # (flagged in data_quality_issues). They belong to no period.
    n_cases_undated: int = 0
    restricted: bool = False  # the reader sees only some formations (all of them listed above)

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
        source = _formation_names_source(_marts_columns(con))
        if source is not None:
            table, name_column = source
            for code, name in con.execute(
                f"select formation_code, any_value({_ident(name_column)}) "
                f"from {MARTS}.{_ident(table)} where formation_code is not null group by formation_code"
            ).fetchall():
                if code in labels and name and str(name).strip() and str(name).strip() != code:
                    labels[code] = f"{code} · {str(name).strip()}"
    return FilterOptions(
        min_date,
        max_date,
        tuple(codes),
        labels,
        default_end or max_date,
        n_after_today,
        n_undated,
        restricted=snapshot.scope.formations is not None,
    )


# --------------------------------------------------------------------------- cases


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def case_kpis(
    snapshot: Snapshot, start: date | None, end: date | None, formations: tuple[str, ...]
) -> dict[str, float | int]:
    """Headline figures over live cases in the filter.

    Keys: n_cases, total_value_pkr, goods_value_pkr, vehicle_value_pkr, n_items,
    n_vehicles, n_persons, n_formations.
    """
    where, params = _filter_sql(start, end, formations)
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
    snapshot: Snapshot, start: date | None, end: date | None, formations: tuple[str, ...]
) -> dict[str, float | int | None]:
    """The leadership's headline figures (beyond :func:`case_kpis`) over the cases seized in
    the filter.

    Keys: n_vehicles_confiscated (case vehicles confiscated under Section 157) and
    n_vehicles_in_confiscated_cases (case vehicles of cases adjudicated CONFISCATED);
    n_repeat_vehicles (distinct vehicles seized in the filter that had been seized before:
    ``mart_vehicle_recidivism.is_repeat``); n_repeat_offenders (distinct resolved people in
    the filter's cases who had been in an earlier case: ``fct_case_persons.is_repeat_appearance``).
    Like the vehicles' flag, "earlier" counts every formation's cases.
    """
    caps = capabilities(snapshot)
    where_v, params_v = _filter_sql(start, end, formations, alias="v")
    where_p, params_p = _filter_sql(start, end, formations, alias="p", keyword="and")
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
    return df


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
def officer_table(
    snapshot: Snapshot, start: date | None, end: date | None, formations: tuple[str, ...]
) -> pd.DataFrame:
    """One row per officer over the whole months of the period (``mart_officer_performance``;
    an officer-month counts under the formation the mart credits that month to).

    Columns officer_id, service_no, full_name, designation, formations (codes, comma
    separated), n_months, n_cases, credited_value_pkr, n_adjudicated, n_confiscated,
    confiscation_rate. Most credited value first.
    """
    where, params = _month_filter_sql(start, end, formations)
    with _connect(snapshot) as con:
        return con.execute(
            f"""
            select officer_id,
                   any_value(service_no) as service_no,
                   any_value(full_name) as full_name,
                   any_value(designation) as designation,
                   string_agg(distinct formation_code, ', ' order by formation_code) as formations,
                   count(*)::bigint as n_months,
                   sum(n_cases)::bigint as n_cases,
                   coalesce(sum(credited_value_pkr), 0)::double as credited_value_pkr,
                   sum(n_adjudicated)::bigint as n_adjudicated,
                   sum(n_confiscated)::bigint as n_confiscated,
                   sum(n_confiscated) / nullif(sum(n_adjudicated), 0) as confiscation_rate
            from marts.mart_officer_performance {where}
            group by officer_id
            order by credited_value_pkr desc, n_cases desc, officer_id
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


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def hs_totals(
    snapshot: Snapshot, start: date | None, end: date | None, formations: tuple[str, ...]
) -> pd.DataFrame:
    """Seized goods per HS level and code over the whole months of the period, with the
    same months a year before (``mart_hs_trends``).

    Columns hs_level, hs_code, n_cases, n_items, value_pkr, value_pkr_last_year (null when
    the year-earlier months start before the warehouse's first seizure month, 0 when nothing
    of the code was seized then), yoy_change_pct (null when last year's value is null or not
    positive). Codes seized only last year are included with zero this year.
    """
    start_m = None if start is None else start.replace(day=1)
    end_m = None if end is None else end.replace(day=1)
    where, params = _month_filter_sql(start, end, formations)
    prev_start = None if start_m is None else months_back(start_m, 12)
    prev_end = None if end_m is None else months_back(end_m, 12)
    where_prev, params_prev = _filter_sql(prev_start, prev_end, formations, date_column="seizure_month")
    with _connect(snapshot) as con:
        first_month = con.execute(
            f"select min(seizure_month) filter (where seizure_month {_REAL_DATES_SQL}) from marts.fct_cases"
        ).fetchone()[0]
        df = con.execute(
            f"""
            with cur as (
                select hs_level, hs_code, sum(n_cases)::bigint as n_cases, sum(n_items)::bigint as n_items,
                       coalesce(sum(value_pkr), 0)::double as value_pkr
                from marts.mart_hs_trends {where}
                group by hs_level, hs_code
            ),
            prev as (
                select hs_level, hs_code, coalesce(sum(value_pkr), 0)::double as value_pkr
                from marts.mart_hs_trends {where_prev}
                group by hs_level, hs_code
            )
            select coalesce(cur.hs_level, prev.hs_level) as hs_level,
                   coalesce(cur.hs_code, prev.hs_code) as hs_code,
                   coalesce(cur.n_cases, 0)::bigint as n_cases,
                   coalesce(cur.n_items, 0)::bigint as n_items,
                   coalesce(cur.value_pkr, 0)::double as value_pkr,
                   coalesce(prev.value_pkr, 0)::double as value_pkr_last_year
            from cur full join prev on prev.hs_level = cur.hs_level and prev.hs_code = cur.hs_code
            """,
            [*params, *params_prev],
        ).df()
    has_last_year = first_month is not None and prev_start is not None and prev_start >= first_month
    if not has_last_year:
        df["value_pkr_last_year"] = float("nan")
    last = df["value_pkr_last_year"]
    df["yoy_change_pct"] = (100.0 * (df["value_pkr"] - last) / last).where(last > 0)
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
        return con.execute(
            f"""
            with keys as (
                select distinct vehicle_key from marts.mart_vehicle_recidivism where {match_any}
            )
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
            from marts.mart_vehicle_recidivism v
            join keys using (vehicle_key)
            join marts.fct_cases c on c.case_id = v.case_id
            left join marts.dim_locations loc on loc.location_id = c.seizure_location_id
            order by v.vehicle_key, v.seizure_date nulls last, v.case_vehicle_id
            """,
            [*([text] * len(kinds)), text, text, text],
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
    identifier, kind, vehicle_key, n_seizures. Registrations first, most seized first."""
    if len(text) < 3:
        return pd.DataFrame(columns=["identifier", "kind", "vehicle_key", "n_seizures"])
    with _connect(snapshot) as con:
        return con.execute(
            """
            with ids as (
                select registration_no as identifier, 'registration' as kind, vehicle_key from marts.mart_vehicle_recidivism
                union all
                select chassis_no, 'chassis', vehicle_key from marts.mart_vehicle_recidivism
                union all
                select engine_no, 'engine', vehicle_key from marts.mart_vehicle_recidivism
            )
            select identifier, kind, vehicle_key, count(*)::bigint as n_seizures
            from ids
            where identifier is not null and contains(identifier, ?)
            group by identifier, kind, vehicle_key
            order by kind = 'registration' desc, n_seizures desc, identifier
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
            with f as (
                select b.offender_key, count(distinct c.case_id)::bigint as n_cases_in_filter
                from marts.fct_case_persons b
                join marts.fct_cases c on c.case_id = b.case_id
                {where} {"and" if where else "where"} b.offender_key is not null
                group by b.offender_key
            )
            select o.offender_key, o.cnic, array_to_string(o.names_seen, '; ') as names_seen,
                   array_to_string(o.roles, ', ') as roles, o.n_cases::bigint as n_cases,
                   o.n_formations::bigint as n_formations, o.first_seen_date, o.last_seen_date,
                   o.total_value_pkr::double as total_value_pkr, o.n_co_offenders::bigint as n_co_offenders,
                   o.n_vehicles::bigint as n_vehicles, f.n_cases_in_filter
            from marts.dim_offenders o join f on f.offender_key = o.offender_key
            where o.is_repeat_offender
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
    my_cases = "my_cases as (select distinct case_id from marts.fct_case_persons where offender_key = ?)"
    with _connect(snapshot) as con:
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
            f"""
            with {my_cases}
            select b.case_id, b.offender_key, any_value(b.cnic) as cnic,
                   string_agg(distinct b.full_name, '; ') as names,
                   string_agg(distinct b.role, ', ') as roles, any_value(o.n_cases)::bigint as n_cases
            from marts.fct_case_persons b join my_cases using (case_id)
            left join marts.dim_offenders o on o.offender_key = b.offender_key
            where b.offender_key is not null and b.offender_key <> ?
            group by b.case_id, b.offender_key
            order by any_value(b.cnic), b.case_id
            """,
            [person_key, person_key],
        ).df()
        vehicles_df = con.execute(
            f"""
            with {my_cases}
            select v.case_id, v.vehicle_key, d.registration_no, d.chassis_no, d.engine_no,
                   d.n_seizures::bigint as n_seizures
            from marts.mart_vehicle_recidivism v join my_cases using (case_id)
            left join marts.dim_vehicles d on d.vehicle_key = v.vehicle_key
            order by v.vehicle_key, v.case_id
            """,
            [person_key],
        ).df()
        commodities = con.execute(
            f"""
            with {my_cases}
            select i.hs2, any_value(t.hs_description) as description, count(*)::bigint as n_items,
                   count(distinct i.case_id)::bigint as n_cases, coalesce(sum(i.value_pkr), 0)::double as value_pkr
            from marts.fct_seizure_items i join my_cases using (case_id)
            left join (select distinct hs_code, hs_description from marts.mart_hs_trends where hs_level = 'chapter') t
                on t.hs_code = i.hs2
            group by i.hs2
            order by value_pkr desc
            """,
            [person_key],
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


@st.cache_data(ttl=METADATA_TTL, max_entries=METADATA_MAX_ENTRIES, show_spinner=False)
def expectation_results(snapshot: Snapshot) -> dict[str, pd.DataFrame]:
    """The snapshot's expectation-result tables (``meta.*expectation*``), as stored."""
    caps = capabilities(snapshot)
    out: dict[str, pd.DataFrame] = {}
    with _connect(snapshot) as con:
        for table in caps.expectation_tables:
            out[table] = con.execute(f"select * from meta.{_ident(table)} limit 10000").df()
    return out
