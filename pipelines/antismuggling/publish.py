"""Publishing: copy the built marts into a new immutable snapshot and swap it in atomically.

Readers (dashboard, ``antismuggling query``, exports) only ever open the snapshot named by
``published/CURRENT``, read-only. The pipeline never writes a published file after the swap,
so a reader can never hold a lock the writer needs, and a failed refresh leaves CURRENT alone.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from antismuggling.config import Settings
from antismuggling.sqltext import quote_literal

POINTER_NAME = "CURRENT"
SNAPSHOT_GLOB = "snapshot-*.duckdb"
MARTS_SCHEMA = "marts"
KEEP_SNAPSHOTS = 3  # the current one plus two older ones, for readers still holding them


class NothingPublishedError(RuntimeError):
    """Raised when a reader asks for the marts before any refresh has published them."""


@dataclass(frozen=True)
class PublishResult:
    snapshot_path: Path
    published_at: datetime
    table_rows: dict[str, int]


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
    """A read-only connection to the current snapshot. Close it when done."""
    path = current_snapshot_path(settings)
    if path is None:
        raise NothingPublishedError(
            f"no marts are published under {settings.published_dir}: run `antismuggling refresh` first"
        )
    con = duckdb.connect(str(path), read_only=True)
    con.execute("set TimeZone = 'UTC'")
    return con


def publish_marts(
    warehouse: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    metadata: dict[str, object],
) -> PublishResult:
    """Copy every table of schema ``marts`` from the open build warehouse into a new snapshot.

    ``metadata`` (source, watermark, refresh mode, run id…) is stored in ``meta.publish_info``.
    """
    settings.published_dir.mkdir(parents=True, exist_ok=True)
    published_at = datetime.now(timezone.utc).replace(microsecond=0)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    final_path = settings.published_dir / f"snapshot-{stamp}.duckdb"
    building_path = final_path.with_suffix(".building")
    building_path.unlink(missing_ok=True)

    tables = [
        row[0]
        for row in warehouse.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = current_database() and table_schema = ? and table_type = 'BASE TABLE' "
            "order by table_name",
            [MARTS_SCHEMA],
        ).fetchall()
    ]
    if not tables:
        raise RuntimeError("the build warehouse has no marts to publish")

    alias = "snapshot_out"
    warehouse.execute(f"attach {quote_literal(str(building_path))} as {alias}")
    try:
        warehouse.execute(f"create schema {alias}.{MARTS_SCHEMA}")
        warehouse.execute(f"create schema {alias}.meta")
        table_rows: dict[str, int] = {}
        for table in tables:
            warehouse.execute(
                f'create table {alias}.{MARTS_SCHEMA}."{table}" as select * from {MARTS_SCHEMA}."{table}"'
            )
            table_rows[table] = warehouse.execute(
                f'select count(*) from {alias}.{MARTS_SCHEMA}."{table}"'
            ).fetchone()[0]
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
    finally:
        warehouse.execute(f"detach {alias}")

    os.replace(building_path, final_path)
    _swap_pointer(settings.published_dir, final_path.name)
    _prune_old_snapshots(settings.published_dir, keep=final_path.name)
    return PublishResult(final_path, published_at, table_rows)


def _swap_pointer(published_dir: Path, snapshot_name: str) -> None:
    tmp = published_dir / f".{POINTER_NAME}.tmp"
    tmp.write_text(snapshot_name + "\n", encoding="utf-8")
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, published_dir / POINTER_NAME)


def _prune_old_snapshots(published_dir: Path, *, keep: str) -> None:
    # Unlinking a file a reader still has open is safe on POSIX: the reader keeps its inode.
    snapshots = sorted(p for p in published_dir.glob(SNAPSHOT_GLOB) if p.name != keep)
    for old in snapshots[: max(0, len(snapshots) - (KEEP_SNAPSHOTS - 1))]:
        old.unlink(missing_ok=True)
    for stale in published_dir.glob("*.building"):
        stale.unlink(missing_ok=True)
