"""What a published snapshot was built from, so that a refresh with nothing new can say so
and stop before the build.

A snapshot is a function of the warehouse's raw tables, the HS nomenclature loaded into it,
the code that builds and checks the marts (dbt project, expectation suites, pipeline
package), and the refresh date (which dates are plausible, which seizures lie in the future:
``antismuggling.changes``). ``input_digest`` names all four at once: when each raw table last
changed (kept by the load), a digest of the nomenclature, a hash of the code's files, and the
date. The publication
stores it in ``meta.publish_info``; a refresh whose load would change no row, on a warehouse
whose digest is the current snapshot's, has nothing to build.

Importing this module loads neither Dagster nor dbt: the answer takes well under a second.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

import duckdb

from antismuggling.config import DBT_PROJECT_DIR, EXPECTATIONS_DIR, Settings

PACKAGE_DIR = Path(__file__).resolve().parent
DIGEST_KEY = "input_digest"  # its name in meta.publish_info's details
_DBT_SOURCES = ("models", "macros", "seeds", "snapshots", "tests")


@cache
def code_stamp() -> str:
    """A hash of every file the build's result depends on (read once per process)."""
    files = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    files += [p for sub in _DBT_SOURCES for p in (DBT_PROJECT_DIR / sub).rglob("*")]
    files += list(EXPECTATIONS_DIR.rglob("*"))
    files += [p for p in PACKAGE_DIR.rglob("*") if p.suffix in (".py", ".toml", ".json", ".csv", ".sql")]
    digest = hashlib.sha256()
    for path in sorted(p for p in files if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(PACKAGE_DIR.parents[1])).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def input_digest(con: duckdb.DuckDBPyConnection, refresh_date: date | None) -> str | None:
    """The digest of what the open build warehouse builds for ``refresh_date``; None before its
    first load."""
    try:
        changed = con.execute(
            "select table_name, changed_at from raw._load_state order by table_name"
        ).fetchall()
        hs = con.execute(
            "select count(*), md5(coalesce(string_agg(concat_ws('|', section, hscode, description, parent, level), "
            "'\n' order by hscode, level, description), '')) from reference.hs_nomenclature"
        ).fetchone()
    except duckdb.Error:  # no load yet, or one from before changed_at was kept
        return None
    if not changed or any(at is None for _, at in changed):
        return None
    parts = {
        "changed_at": {table: at.isoformat() for table, at in changed},
        "hs_reference": list(hs),
        "code": code_stamp(),
        "refresh_date": refresh_date.isoformat() if refresh_date else None,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class UpToDate:
    """The current snapshot already holds everything the store has: no refresh needed."""

    snapshot: Path
    published_at: datetime


def up_to_date(settings: Settings) -> UpToDate | None:
    """The current snapshot when a refresh would change nothing, else None. Reads the store's
    recent rows as an incremental load would; callers hold the refresh lock."""
    from antismuggling.ingest import SourceError, pending_changes

    current = snapshot_is_current(settings)
    if current is None:
        return None
    try:
        pending = pending_changes(settings.warehouse_path, settings.ops_url)
    except (SourceError, duckdb.Error):
        return None  # the refresh itself reports why the store cannot be read
    if pending is None or any(pending.values()):
        return None
    return current


def snapshot_is_current(settings: Settings) -> UpToDate | None:
    """The current snapshot when it was built from exactly what the build warehouse holds now."""
    from antismuggling.ingest import connect_warehouse
    from antismuggling.publish import current_snapshot_path

    snapshot = current_snapshot_path(settings)
    if snapshot is None or not settings.warehouse_path.is_file():
        return None
    published = _published_details(snapshot)
    if published is None:
        return None
    published_at, details = published
    if not details.get(DIGEST_KEY):
        return None
    from antismuggling.changes import pkt_today

    con = connect_warehouse(settings.warehouse_path)
    try:
        current = input_digest(con, pkt_today())
    finally:
        con.close()
    if current is None or details.get(DIGEST_KEY) != current:
        return None
    return UpToDate(snapshot, published_at)


def _published_details(snapshot: Path) -> tuple[datetime, dict] | None:
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        row = con.execute("select published_at, details from meta.publish_info").fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    if row is None:
        return None
    details = json.loads(row[1]) if isinstance(row[1], str) else row[1]
    return row[0], details
