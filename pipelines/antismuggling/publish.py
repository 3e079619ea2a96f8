"""Publishing: copy the built marts into a new immutable snapshot and swap it in atomically.

dbt builds the marts and feeds in a database file of their own (``next_snapshot_path``); a
publication copies that file, adds the ``meta`` schema and the stored person keys, and renames
it into place.

Readers (dashboard, ``antismuggling query``, exports) only ever open the snapshot named by
``published/CURRENT``, read-only. The pipeline never writes a published file after the swap,
so a reader can never hold a lock the writer needs, and a failed refresh leaves CURRENT alone.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from antismuggling.access.scope import PERSON_TOKEN_SECRET_KEY, add_person_tokens, person_secret, secret_id
from antismuggling.config import NEXT_SNAPSHOT_ALIAS, Settings, make_private_dir, next_snapshot_path
from antismuggling.quality.results import copy_into as copy_expectation_results
from antismuggling.sqltext import quote_literal

POINTER_NAME = "CURRENT"
POINTER_TMP_NAME = f".{POINTER_NAME}.tmp"
# When a refresh last found the store with nothing new for the current snapshot: a quiet store
# keeps its snapshot for days, and that is not staleness.
CHECKED_NAME = "CHECKED"
SNAPSHOT_PREFIX = "snapshot-"
SNAPSHOT_GLOB = f"{SNAPSHOT_PREFIX}*.duckdb"
MARTS_SCHEMA = "marts"
# The partner feeds' tables (dbt models/feeds), published beside the marts when the warehouse
# has them: feeds deliver from the published snapshot only. meta.table_rows names them
# ``feeds.<table>`` (marts keep their bare names); the readers' scoped views leave both out.
FEEDS_SCHEMA = "feeds"
KEEP_SNAPSHOTS = 3  # the current one plus two older ones, for readers still holding them


class NothingPublishedError(RuntimeError):
    """Raised when a reader asks for the marts before any refresh has published them."""


@dataclass(frozen=True)
class PublishResult:
    snapshot_path: Path
    published_at: datetime
    table_rows: dict[str, int]
    meta_rows: dict[str, int] = field(default_factory=dict)  # rows of the meta tables beyond publish_info, table_rows


def current_snapshot_path(settings: Settings) -> Path | None:
    """The snapshot readers should open now, or None when nothing is published yet."""
    pointer = settings.published_dir / POINTER_NAME
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    path = settings.published_dir / name
    return path if path.is_file() else None


def connect_published(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current snapshot, for the pipeline's checks (under their
    memory limit, spilling where the build does). Close it when done."""
    path = current_snapshot_path(settings)
    if path is None:
        raise NothingPublishedError(
            f"no marts are published under {settings.published_dir}: run `antismuggling refresh` first"
        )
    from antismuggling.ingest import build_connection_config

    config = build_connection_config(settings.warehouse_path, settings.check_memory_limit)
    con = duckdb.connect(str(path), read_only=True, config=config)
    con.execute("set TimeZone = 'UTC'")
    return con


def publish_marts(
    warehouse: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    metadata: dict[str, object],
) -> PublishResult:
    """Publish the marts and feeds dbt built beside the build database ``warehouse`` is open on
    (``next_snapshot_path``) as a new snapshot.

    ``metadata`` (source, watermark, refresh mode, run id…) is stored in ``meta.publish_info``,
    rows per mart in ``meta.table_rows``, and the expectation suites' latest results (table
    ``quality.expectation_results`` of the build warehouse) in ``meta.expectation_results``.
    Runs under the refresh lock, so no other publication is writing while leftovers are pruned.
    """
    from antismuggling.locks import refresh_lock

    with refresh_lock(settings):
        make_private_dir(settings.published_dir)
        _prune(settings.published_dir, keep=_current_name(settings.published_dir))
        result = _publish(warehouse, settings, metadata)
        _prune(settings.published_dir, keep=result.snapshot_path.name)
    return result


def _publish(warehouse: duckdb.DuckDBPyConnection, settings: Settings, metadata: dict[str, object]) -> PublishResult:
    published_at = datetime.now(timezone.utc).replace(microsecond=0)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    final_path = settings.published_dir / f"snapshot-{stamp}.duckdb"
    building_path = final_path.with_suffix(".building")
    building_path.unlink(missing_ok=True)

    # dbt built the marts and feeds in a database of their own: the snapshot starts as a copy
    # of that file (seconds at a million cases, where copying table by table took a minute).
    built = next_snapshot_path(_database_path(warehouse))
    if not built.is_file():
        raise RuntimeError("the build warehouse has no marts to publish")
    checkpointed = duckdb.connect(str(built))
    try:
        checkpointed.execute("checkpoint")  # every change in the file itself, none left in a WAL
    finally:
        checkpointed.close()
    shutil.copyfile(built, building_path)

    # each person's key as readers see it, stored beside offender_key (access.scope)
    secret = person_secret(settings.access_dir)
    metadata = {**metadata, PERSON_TOKEN_SECRET_KEY: secret_id(secret)}
    alias = "snapshot_out"
    warehouse.execute(f"attach {quote_literal(str(building_path))} as {alias}")
    try:
        marts = _tables(warehouse, alias, MARTS_SCHEMA)
        if not marts:
            raise RuntimeError("the build warehouse has no marts to publish")
        table_rows: dict[str, int] = {}
        for table, columns in marts.items():
            add_person_tokens(warehouse, f'{alias}.{MARTS_SCHEMA}."{table}"', columns, secret)
            table_rows[table] = _count(warehouse, f'{alias}.{MARTS_SCHEMA}."{table}"')
        for table in _tables(warehouse, alias, FEEDS_SCHEMA):
            table_rows[f"{FEEDS_SCHEMA}.{table}"] = _count(warehouse, f'{alias}.{FEEDS_SCHEMA}."{table}"')
        warehouse.execute(f"create schema {alias}.meta")
        warehouse.execute(
            f"create table {alias}.meta.publish_info as select ?::timestamp as published_at, "
            "?::varchar as snapshot_name, ?::json as details",
            [published_at.replace(tzinfo=None), final_path.name, json.dumps(metadata, default=str)],
        )
        warehouse.execute(
            f"create table {alias}.meta.table_rows (table_name varchar, n_rows bigint)"
        )
        warehouse.executemany(
            f"insert into {alias}.meta.table_rows values (?, ?)", list(table_rows.items())
        )
        # The expectation suites' latest results (figures only), for the dashboard.
        meta_rows = {"expectation_results": copy_expectation_results(warehouse, f"{alias}.meta.expectation_results")}
    finally:
        warehouse.execute(f"detach {alias}")

    os.replace(building_path, final_path)
    _swap_pointer(settings.published_dir, final_path.name)
    return PublishResult(final_path, published_at, table_rows, meta_rows)


def _database_path(con: duckdb.DuckDBPyConnection) -> Path:
    """The file ``con``'s default database lives in."""
    (path,) = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()
    return Path(path)


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchone()[0]


def _tables(con: duckdb.DuckDBPyConnection, database: str, schema: str) -> dict[str, list[str]]:
    """The base tables of ``database.schema`` with their columns, by name."""
    rows = con.execute(
        "select table_name, list(column_name order by column_index) from duckdb_columns() "
        "where database_name = ? and schema_name = ? and table_name in "
        "(select table_name from duckdb_tables() where database_name = ? and schema_name = ?) "
        "group by table_name order by table_name",
        [database, schema, database, schema],
    ).fetchall()
    return {table: columns for table, columns in rows}


def attach_next_snapshot(con: duckdb.DuckDBPyConnection, warehouse_path: Path, *, read_only: bool) -> None:
    """Let ``con``, a connection to the build database at ``warehouse_path``, read the marts and
    feeds dbt built beside it as ``marts.<table>`` and ``feeds.<table>``, as a snapshot does.
    Nothing happens when none are built yet."""
    path = next_snapshot_path(warehouse_path)
    if not path.is_file():
        return
    mode = " (read_only)" if read_only else ""
    con.execute(f"attach if not exists {quote_literal(str(path))} as {NEXT_SNAPSHOT_ALIAS}{mode}")
    built = [
        f"{NEXT_SNAPSHOT_ALIAS}.{schema}"
        for (schema,) in con.execute(
            "select schema_name from duckdb_schemas() where database_name = ? and schema_name in (?, ?) "
            "order by schema_name",
            [NEXT_SNAPSHOT_ALIAS, MARTS_SCHEMA, FEEDS_SCHEMA],
        ).fetchall()
    ]
    con.execute(f"set search_path = {quote_literal(','.join(['main', *built]))}")  # a missing schema is an error


def mark_checked(settings: Settings, snapshot: Path) -> datetime:
    """Record that a refresh found nothing new for ``snapshot`` (now); returns the moment."""
    checked_at = datetime.now(timezone.utc).replace(microsecond=0)
    tmp = settings.published_dir / f".{CHECKED_NAME}.tmp"
    tmp.write_text(json.dumps({"snapshot": snapshot.name, "checked_at": checked_at.isoformat()}), encoding="utf-8")
    os.replace(tmp, settings.published_dir / CHECKED_NAME)
    return checked_at


def last_checked(settings: Settings, snapshot: Path | str) -> datetime | None:
    """When a refresh last found nothing new for ``snapshot`` (aware, UTC), if one has."""
    try:
        marker = json.loads((settings.published_dir / CHECKED_NAME).read_text(encoding="utf-8"))
        if marker.get("snapshot") != Path(snapshot).name:
            return None
        return datetime.fromisoformat(marker["checked_at"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _swap_pointer(published_dir: Path, snapshot_name: str) -> None:
    tmp = published_dir / POINTER_TMP_NAME
    tmp.write_text(snapshot_name + "\n", encoding="utf-8")
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, published_dir / POINTER_NAME)


def _current_name(published_dir: Path) -> str | None:
    try:
        return (published_dir / POINTER_NAME).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def _prune(published_dir: Path, *, keep: str | None) -> None:
    """Keep ``keep`` and the newest older snapshots (``KEEP_SNAPSHOTS`` in all); remove the rest,
    and whatever a publication that died left: ``*.building`` with DuckDB's ``.wal`` beside it,
    the pointer's temporary file. Callers hold the refresh lock, so none of it is being written."""
    # Unlinking a file a reader still has open is safe on POSIX: the reader keeps its inode.
    older = sorted(p.name for p in published_dir.glob(SNAPSHOT_GLOB) if p.name != keep)
    kept = {keep, *older[max(0, len(older) - (KEEP_SNAPSHOTS - 1)):]} - {None}
    for path in published_dir.iterdir():
        dead = path.name in (POINTER_TMP_NAME, f".{CHECKED_NAME}.tmp") or (
            path.name.startswith(SNAPSHOT_PREFIX) and path.name not in kept
            and path.name.removesuffix(".wal") not in kept  # a kept snapshot's own WAL, should one exist
        )
        if not dead:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)  # DuckDB's spill folder of a snapshot, <name>.tmp
        else:
            path.unlink(missing_ok=True)
