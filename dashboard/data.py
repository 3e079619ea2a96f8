"""Every query the dashboard runs, and nothing else.

Rules, so the dashboard never gets in the pipeline's way:

* Each query opens the current published snapshot read-only through
  :func:`antismuggling.publish.connect_published` and closes it before returning. The
  dashboard never holds a file open between reruns; the pipeline publishes a *new* snapshot
  file and swaps ``published/CURRENT``.
* Every query function is cached with ``st.cache_data`` and an explicit TTL, and takes the
  current snapshot (:func:`current_snapshot`, the snapshot file's path, whose name is the
  publication stamp) as its first argument. A new publication therefore changes the cache
  key and shows up on the next rerun; snapshots are immutable, so a cached result never goes
  stale while its snapshot is current. The TTLs only bound memory.
* Values reach SQL only as bound parameters. The only identifiers spliced into SQL text are
  table and column names read back from the snapshot's own ``information_schema``.
* Money is returned as DOUBLE (the marts hold DECIMAL), counts as integers.

When nothing is published, :func:`current_snapshot` returns ``None`` and the query functions
raise :class:`antismuggling.publish.NothingPublishedError`; pages show a "run
``antismuggling refresh``" message instead (see :mod:`dashboard.ui`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from antismuggling.config import load_settings
from antismuggling.publish import NothingPublishedError, connect_published, current_snapshot_path

__all__ = [
    "NothingPublishedError",
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


class SnapshotChanged(RuntimeError):
    """A new snapshot was published while a query was running: rerun with the new one."""


# --------------------------------------------------------------------------- plumbing


def current_snapshot() -> str | None:
    """The current snapshot (its file path), or ``None`` when nothing is published yet.

    Not cached: it is one small file read, and reading it on every rerun is what makes a new
    publication visible at once.
    """
    path = current_snapshot_path(load_settings())
    return None if path is None else str(path)


def published_dir() -> Path:
    """Where the pipeline publishes snapshots (for the "nothing published" message)."""
    return load_settings().published_dir


@contextmanager
def _connect(snapshot: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection to the current snapshot, closed on exit.

    ``snapshot`` is the cache key the caller computed. If the pointer has moved on since, the
    result would be cached under the wrong key, so :class:`SnapshotChanged` is raised instead
    (pages rerun, picking up the new snapshot).
    """
    settings = load_settings()
    con = connect_published(settings)
    try:
        now_current = current_snapshot_path(settings)
        if now_current is None:
            raise NothingPublishedError(
                f"no marts are published under {settings.published_dir}: run `antismuggling refresh` first"
            )
        if str(now_current) != snapshot:
            raise SnapshotChanged(f"{Path(snapshot).name} was replaced by {now_current.name}")
        yield con
    finally:
        con.close()


def _marts_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Table name -> column names (lower case) for every table in schema ``marts``."""
    rows = con.execute(
        "select table_name, lower(column_name) from information_schema.columns "
        "where table_schema = ? order by table_name, ordinal_position",
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
    start: date | None, end: date | None, formations: Sequence[str]
) -> tuple[str, list[object]]:
    """``where`` clause on seizure_date / formation_code (columns of both fact marts)."""
    clauses: list[str] = []
    params: list[object] = []
    if start is not None:
        clauses.append("seizure_date >= ?")
        params.append(start)
    if end is not None:
        clauses.append("seizure_date <= ?")
        params.append(end)
    if formations:
        clauses.append("list_contains(?::varchar[], formation_code)")
        params.append(list(formations))
    return ("where " + " and ".join(clauses)) if clauses else "", params


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
def publish_info(snapshot: str) -> PublishInfo:
    """When and from what the current snapshot was published (``meta.publish_info``)."""
    with _connect(snapshot) as con:
        row = con.execute(
            "select published_at, snapshot_name, details::varchar from meta.publish_info "
            "order by published_at desc limit 1"
        ).fetchone()
    if row is None:
        return PublishInfo(None, Path(snapshot).name, {})
    published_at, name, details_text = row
    try:
        details = json.loads(details_text) if details_text else {}
    except json.JSONDecodeError:
        details = {}
    if not isinstance(details, dict):
        details = {"details": details}
    return PublishInfo(published_at, name or Path(snapshot).name, details)


@st.cache_data(ttl=METADATA_TTL, max_entries=METADATA_MAX_ENTRIES, show_spinner=False)
def table_rows(snapshot: str) -> pd.DataFrame:
    """Rows per published mart (``meta.table_rows``): columns table_name, n_rows."""
    with _connect(snapshot) as con:
        return con.execute(
            "select table_name, n_rows from meta.table_rows order by table_name"
        ).df()


@st.cache_data(ttl=METADATA_TTL, max_entries=METADATA_MAX_ENTRIES, show_spinner=False)
def data_quality_summary(snapshot: str) -> pd.DataFrame:
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


@st.cache_data(ttl=METADATA_TTL, max_entries=METADATA_MAX_ENTRIES, show_spinner=False)
def filter_options(snapshot: str) -> FilterOptions:
    """The seizure-date range and the formations present in ``fct_cases``."""
    with _connect(snapshot) as con:
        min_date, max_date = con.execute(
            "select min(seizure_date), max(seizure_date) from marts.fct_cases"
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
    return FilterOptions(min_date, max_date, tuple(codes), labels)


# --------------------------------------------------------------------------- cases


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def case_kpis(
    snapshot: str, start: date | None, end: date | None, formations: tuple[str, ...]
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
    snapshot: str, start: date | None, end: date | None, formations: tuple[str, ...]
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
    snapshot: str, start: date | None, end: date | None, formations: tuple[str, ...]
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
    snapshot: str,
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
    snapshot: str, start: date | None, end: date | None, formations: tuple[str, ...]
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
