"""Load the operational store into the warehouse's ``raw`` schema, incrementally.

Every source table is mirrored column for column as VARCHAR text (parsing belongs to the dbt
staging models). The first load, and any ``full`` load, copies whole tables. Later loads read
only rows whose ``updated_at`` falls on or after the day before the last watermark (the overlap
catches late commits and clock skew) and merge them by primary key, replacing a row only when
its content changed: re-running a load changes nothing, and soft deletes arrive as updates.
A row whose ``updated_at`` cannot say when it was edited (NULL, text that does not start with
a ``YYYY-MM-DD`` date, a date before 1947) is read by every load, and so is a row whose key is
incomplete (SQLite lets a composite key hold NULLs); the merge finds them unchanged, so
re-reading them is cheap, and an edit of them is never missed.

The watermark is a date taken from the text of ``updated_at``: every timestamp format the
contract allows starts with ``YYYY-MM-DD``, so filtering on that prefix is correct in SQLite
whatever the format, and needs no timestamp parsing here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb

from antismuggling import changes
from antismuggling.config import BUILD_MEMORY_LIMIT_ENV, DEFAULT_BUILD_MEMORY_LIMIT, build_temp_dir
from antismuggling.duckdb_extensions import load_extension
from antismuggling.sqltext import quote_literal
from antismuggling.store.schema import PRIMARY_KEYS, TABLES, column_names
from antismuggling.store.urls import StoreURL, parse_store_url, redact_secrets, redact_url

RAW_SCHEMA = "raw"
LOAD_STATE = f"{RAW_SCHEMA}._load_state"
SOURCE_STAMP = f"{RAW_SCHEMA}._source_stamp"  # the store's files as they stood when last read whole
SOURCE_ALIAS = "ops_source"
OVERLAP = timedelta(days=1)
# The earliest date an edit can carry (the plausible dates of dbt_project/macros/parsing.sql):
# an updated_at before it is a reset clock, which no watermark would ever reach again.
EARLIEST_PLAUSIBLE_DATE = date(1947, 1, 1)

HS_REFERENCE_DDL = """
create schema if not exists reference;
create table if not exists reference.hs_nomenclature (
    section varchar, hscode varchar, description varchar, parent varchar, level varchar
);
"""


class SourceError(RuntimeError):
    """The operational store cannot be read, or does not follow the contract."""


@dataclass(frozen=True)
class TableLoad:
    table: str
    mode: str  # "full" or "incremental"
    rows_read: int
    rows_changed: int
    rows_total: int
    watermark_date: date | None
    seconds: float


@dataclass(frozen=True)
class LoadResult:
    source: str  # redacted URL
    tables: list[TableLoad]

    @property
    def rows_changed(self) -> int:
        return sum(t.rows_changed for t in self.tables)

    @property
    def watermark_date(self) -> date | None:
        marks = [t.watermark_date for t in self.tables if t.watermark_date]
        return max(marks) if marks else None


def build_connection_config(path: Path, memory_limit: str | None = None) -> dict[str, str]:
    """A memory limit (``memory_limit``, else the build's: the one the pipeline exports for dbt,
    else the default) and where beyond it a connection beside the build database ``path`` spills."""
    return {
        "memory_limit": memory_limit or os.environ.get(BUILD_MEMORY_LIMIT_ENV) or DEFAULT_BUILD_MEMORY_LIMIT,
        "temp_directory": str(build_temp_dir(path)),
    }


def connect_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """The build database, under the build's memory limit (``build_connection_config``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), config=build_connection_config(path))
    con.execute("set TimeZone = 'UTC'")
    # Raw tables have no meaningful row order; letting DuckDB write in parallel halves load time.
    con.execute("set preserve_insertion_order = false")
    return con


def ensure_warehouse_schemas(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    # dbt once built the marts and feeds here; they now live in a database of their own
    # (publish.attach_next_snapshot): what an older build left is dropped, so none reads it.
    for schema in ("marts", "feeds"):
        con.execute(f"drop schema if exists {schema} cascade")
    con.execute(
        f"""create table if not exists {LOAD_STATE} (
            table_name varchar primary key, mode varchar, watermark_date date,
            rows_read bigint, rows_changed bigint, rows_total bigint, loaded_at timestamp)"""
    )
    # when the table's raw copy last changed: what a refresh with nothing new compares
    con.execute(f"alter table {LOAD_STATE} add column if not exists changed_at timestamp")
    con.execute(f"create table if not exists {SOURCE_STAMP} (stamp varchar)")
    con.execute(HS_REFERENCE_DDL)
    changes.ensure_tables(con)


def load_operational_store(
    warehouse_path: Path,
    ops_url: str,
    *,
    full: bool = False,
    on_table: Callable[[TableLoad], None] | None = None,
) -> LoadResult:
    """Load every contract table from ``ops_url`` into ``raw``; one transaction for all tables."""
    store = parse_store_url(ops_url)
    stamp = source_stamp(store)  # before reading: a write during the load changes it
    con = connect_warehouse(warehouse_path)
    try:
        ensure_warehouse_schemas(con)
        source_schema = _attach_source(con, store)
        source_columns = _check_contract(con, source_schema)
        loads: list[TableLoad] = []
        con.execute("begin")
        try:
            for table in TABLES:
                load = _load_table(con, store, source_schema, table, source_columns[table], full=full)
                loads.append(load)
                if on_table:
                    on_table(load)
            _record_stamp(con, stamp)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        return LoadResult(source=redact_url(ops_url), tables=loads)
    finally:
        con.close()


def _attach_source(con: duckdb.DuckDBPyConnection, store: StoreURL) -> str:
    """Attach the store read-only as ``ops_source``; return the schema holding the tables."""
    try:
        if store.kind == "sqlite":
            if not store.path.is_file():
                raise SourceError(f"the SQLite operational store {store.path} does not exist")
            load_extension(con, "sqlite")
            con.execute("set sqlite_all_varchar = true")
            con.execute(f"attach {quote_literal(str(store.path))} as {SOURCE_ALIAS} (type sqlite, read_only)")
            return "main"
        load_extension(con, "postgres")
        con.execute(f"attach {quote_literal(store.dsn)} as {SOURCE_ALIAS} (type postgres, read_only)")
        return "public"
    except duckdb.Error as exc:
        # DuckDB quotes the whole DSN, password included: redact it, and chain nothing (Dagster
        # stores a __cause__ in the run history).
        reason = redact_secrets(str(exc), [store.url, store.dsn])
        raise SourceError(f"cannot open the operational store {redact_url(store.url)}: {reason}") from None


def _check_contract(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, list[str]]:
    # literals, not bound parameters: binding makes DuckDB import pandas, a second of the
    # no-change refresh's few
    rows = con.execute(
        "select table_name, column_name from duckdb_columns() "
        f"where database_name = {quote_literal(SOURCE_ALIAS)} and schema_name = {quote_literal(schema)}"
    ).fetchall()
    found: dict[str, set[str]] = {}
    for table_name, column_name in rows:
        found.setdefault(table_name.lower(), set()).add(column_name.lower())
    problems = []
    for table in TABLES:
        columns = column_names(table)
        if table not in found:
            problems.append(f"table {table} is missing")
            continue
        missing = [c for c in columns if c not in found[table]]
        if missing:
            problems.append(f"{table} lacks column(s) {', '.join(missing)}")
    if problems:
        raise SourceError("the operational store does not follow the contract: " + "; ".join(problems))
    return {table: list(column_names(table)) for table in TABLES}


def _load_table(
    con: duckdb.DuckDBPyConnection,
    store: StoreURL,
    source_schema: str,
    table: str,
    columns: list[str],
    *,
    full: bool,
) -> TableLoad:
    started = time.perf_counter()
    target = f'{RAW_SCHEMA}."{table}"'
    select_list = ", ".join(f'cast("{c}" as varchar) as "{c}"' for c in columns)
    source = f'{SOURCE_ALIAS}.{source_schema}."{table}"'
    previous = con.execute(
        f"select watermark_date from {LOAD_STATE} where table_name = ?", [table]
    ).fetchone()
    exists = con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() "
        "and schema_name = ? and table_name = ?",
        [RAW_SCHEMA, table],
    ).fetchone()[0]
    incremental = not full and exists and previous is not None and previous[0] is not None
    # a table with no dated row yet (empty, say) is read whole on every load: compared with
    # its raw copy, so that reading it again is not taken for a change
    reread = not full and exists and previous is not None and previous[0] is None

    if reread:
        rows_changed = _stage_batch(con, store, source, target, table, select_list, None)
        if rows_changed:
            changes.record_all(con, table)
            con.execute(f"create or replace table {target} as select * from _batch")
        rows_read = con.execute("select count(*) from _batch").fetchone()[0]
        _drop_staged(con)
        mode = "incremental"
    elif not incremental:
        con.execute(f"create or replace table {target} as select {select_list} from {source}")
        rows_read = rows_changed = con.execute(f"select count(*) from {target}").fetchone()[0]
        changes.record_all(con, table)
        mode = "full"
    else:
        keys = PRIMARY_KEYS[table]
        incomplete_key = _incomplete_key(keys)
        rows_changed = _stage_batch(con, store, source, target, table, select_list, previous[0])
        if rows_changed:
            changes.record_batch(con, table, target, _same_key("t", "c", keys), incomplete_key)
        # Rows whose key is incomplete cannot be told apart by it (several can share one), so
        # they are not merged: every one of them is in the batch, and they replace the raw
        # copy's as a set (a row whose missing key part was filled in leaves no stale copy).
        con.execute(f"delete from {target} where {incomplete_key}")
        con.execute(f"delete from {target} using _changed c where {_same_key(target, 'c', keys)}")
        con.execute(f"insert into {target} select * from _batch where {incomplete_key}")
        con.execute(f"insert into {target} select * from _changed where not ({incomplete_key})")
        rows_read = con.execute("select count(*) from _batch").fetchone()[0]
        _drop_staged(con)
        mode = "incremental"

    rows_total = con.execute(f"select count(*) from {target}").fetchone()[0]
    watermark = _watermark_date(con, target)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    changed_at = now if rows_changed or mode == "full" else _changed_at(con, table)
    con.execute(
        f"insert or replace into {LOAD_STATE} "
        "(table_name, mode, watermark_date, rows_read, rows_changed, rows_total, loaded_at, changed_at) "
        "values (?, ?, ?, ?, ?, ?, ?, ?)",
        [table, mode, watermark, rows_read, rows_changed, rows_total, now, changed_at or now],
    )
    return TableLoad(table, mode, rows_read, rows_changed, rows_total, watermark,
                     round(time.perf_counter() - started, 3))


STAMP_SETTLE_SECONDS = 2.0


def source_stamp(store: StoreURL) -> str | None:
    """The SQLite store's files as they stand (inode, size, modification and change times of
    the database and its WAL): any committed write changes it. None for PostgreSQL, which
    offers no such cheap and certain sign, and for files written in the last two seconds: file
    times tick in milliseconds, so a second write that soon after could leave them as they were."""
    if store.kind != "sqlite":
        return None
    parts = []
    now_ns = time.time_ns()
    for path in (store.path, store.path.with_name(store.path.name + "-wal")):
        try:
            st = path.stat()
        except FileNotFoundError:
            parts.append("-")
            continue
        if now_ns - max(st.st_mtime_ns, st.st_ctime_ns) < STAMP_SETTLE_SECONDS * 1e9:
            return None
        parts.append(f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}")
    return " ".join(parts)


def _record_stamp(con: duckdb.DuckDBPyConnection, stamp: str | None) -> None:
    con.execute(f"delete from {SOURCE_STAMP}")
    if stamp is not None:
        con.execute(f"insert into {SOURCE_STAMP} values ({quote_literal(stamp)})")


def pending_changes(warehouse_path: Path, ops_url: str) -> dict[str, int] | None:
    """Rows per table the next incremental load would change, and None when the next load
    would be a full one (no earlier load). Callers hold the refresh lock.

    A SQLite store whose files are as they stood when the last load began has nothing new, and
    is not read at all. Otherwise its recent rows are read exactly as that load reads them
    (seconds on a large store, for scanning whole tables); when none differs, the stamp the
    look began with is kept, so the next look is the cheap one again."""
    if not warehouse_path.is_file():
        return None
    store = parse_store_url(ops_url)
    stamp = source_stamp(store)
    con = connect_warehouse(warehouse_path)
    try:
        ensure_warehouse_schemas(con)
        if stamp is not None and con.execute(f"select stamp from {SOURCE_STAMP}").fetchall() == [(stamp,)]:
            if {row[0] for row in con.execute(f"select table_name from {LOAD_STATE}").fetchall()} >= set(TABLES):
                return dict.fromkeys(TABLES, 0)
        source_schema = _attach_source(con, store)
        source_columns = _check_contract(con, source_schema)
        marks = dict(con.execute(f"select table_name, watermark_date from {LOAD_STATE}").fetchall())
        loaded = {row[0] for row in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() "
            f"and schema_name = {quote_literal(RAW_SCHEMA)}"
        ).fetchall()}
        pending: dict[str, int] = {}
        for table in TABLES:
            if table not in marks or table not in loaded:
                return None
            select_list = ", ".join(f'cast("{c}" as varchar) as "{c}"' for c in source_columns[table])
            source = f'{SOURCE_ALIAS}.{source_schema}."{table}"'
            target = f'{RAW_SCHEMA}."{table}"'
            pending[table] = _stage_batch(con, store, source, target, table, select_list, marks[table])
            _drop_staged(con)
        if not any(pending.values()):
            _record_stamp(con, stamp)
        return pending
    finally:
        con.close()


def _stage_batch(
    con: duckdb.DuckDBPyConnection, store: StoreURL, source: str, target: str, table: str,
    select_list: str, watermark: date | None,
) -> int:
    """Stage what an incremental load of ``table`` reads, and return how many rows of the raw
    copy that changes: the one rule the load and the no-change probe share. Temp table
    ``_batch`` holds the rows read (the whole table when ``watermark`` is None: a table with no
    dated row), ``_changed`` those of them that differ from the raw copy by key."""
    if watermark is None:
        con.execute(f"create or replace temp table _batch as select {select_list} from {source}")
        return _count_whole_differences(con, target)
    keys = PRIMARY_KEYS[table]
    batch = " union all ".join(
        f"select {select_list} from {source} where {predicate}"
        for predicate in _batch_predicates(store, watermark - OVERLAP, _incomplete_key(keys))
    )
    con.execute(f"create or replace temp table _batch as {batch}")
    # Keys compare NULL-safely: with `=` (or `using`) a NULL never matches, so such a row
    # looked new on every load and was inserted again beside its old copy.
    con.execute(
        f"create or replace temp table _changed as select * from _batch "
        f"except select t.* from {target} t semi join _batch b on {_same_key('t', 'b', keys)}"
    )
    return _count_differences(con, target, _incomplete_key(keys))


def _drop_staged(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("drop table if exists _batch; drop table if exists _changed")


def _count_differences(con: duckdb.DuckDBPyConnection, target: str, incomplete_key: str) -> int:
    """Rows the staged batch changes in ``target``: new or edited rows with a whole key, and
    rows with an incomplete key that the batch's set of them adds or drops."""
    return con.execute(
        f"select (select count(*) from _changed where not ({incomplete_key})) + "
        f"(select count(*) from (select * from _batch where {incomplete_key} "
        f"except all select * from {target} where {incomplete_key})) + "
        f"(select count(*) from (select * from {target} where {incomplete_key} "
        f"except all select * from _batch where {incomplete_key}))"
    ).fetchone()[0]


def _count_whole_differences(con: duckdb.DuckDBPyConnection, target: str) -> int:
    """Rows in which the staged ``_batch`` (a whole table) and ``target`` differ, as multisets."""
    return con.execute(
        f"select (select count(*) from (select * from _batch except all select * from {target})) + "
        f"(select count(*) from (select * from {target} except all select * from _batch))"
    ).fetchone()[0]


def _incomplete_key(keys: tuple[str, ...]) -> str:
    return " or ".join(f'"{k}" is null' for k in keys)


def _changed_at(con: duckdb.DuckDBPyConnection, table: str) -> datetime | None:
    row = con.execute(f"select changed_at from {LOAD_STATE} where table_name = ?", [table]).fetchone()
    return row[0] if row else None


def _same_key(left: str, right: str, keys: tuple[str, ...]) -> str:
    return " and ".join(f'{left}."{k}" is not distinct from {right}."{k}"' for k in keys)


def _batch_predicates(store: StoreURL, since: date, incomplete_key: str) -> list[str]:
    """Conditions whose union is an incremental load's batch (disjoint, so ``union all`` reads
    no row twice): rows updated on or after ``since``, and rows re-read on every load because
    their ``updated_at`` cannot say when they were edited or their key is incomplete.

    SQLite holds text: ``updated_at`` is compared as text (every contract format starts with
    ``YYYY-MM-DD``), and text that does not start with a date (NULL, a leading space,
    ``2026/12/01``) or starts with one before 1947 is re-read; the scanner reads the whole
    table anyway, so one condition costs nothing more. PostgreSQL has real timestamps and
    keys that cannot be NULL: only a NULL or pre-1947 ``updated_at`` is re-read, each
    condition a scan of its own that the server answers from its ``updated_at`` index.
    """
    earliest = EARLIEST_PLAUSIBLE_DATE.isoformat()
    if store.kind == "sqlite":
        undated = (
            f"coalesce(try_strptime(left(\"updated_at\", 10), '%Y-%m-%d') < timestamp '{earliest}', true)"
        )
        return [f"\"updated_at\" >= '{since.isoformat()}' or {undated} or {incomplete_key}"]
    return [
        f"\"updated_at\" >= timestamptz '{since.isoformat()} 00:00:00+00'",
        "\"updated_at\" is null",
        f"\"updated_at\" < timestamptz '{earliest} 00:00:00+00'",
    ]


def _watermark_date(con: duckdb.DuckDBPyConnection, target: str) -> date | None:
    # A typo'd future timestamp must not push the watermark past today, or real edits would
    # never be read again; such rows are simply re-read (and found unchanged) on every load.
    latest_plausible = (datetime.now(timezone.utc) + timedelta(days=1)).date().isoformat()
    value = con.execute(
        f"""select max(try_cast(left("updated_at", 10) as date)) from {target}
            where regexp_matches("updated_at", '^\\d{{4}}-\\d{{2}}-\\d{{2}}')
              and left("updated_at", 10) <= ?""",
        [latest_plausible],
    ).fetchone()[0]
    return value
