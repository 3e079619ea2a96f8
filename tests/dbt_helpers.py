"""Build a throw-away warehouse from hand-written raw rows and run the dbt project on it.

Usage in a test::

    from dbt_helpers import make_warehouse, run_dbt, query

    wh = make_warehouse(tmp_path, {"cases": [{"case_id": 1, ...}], "seizure_items": [...]})
    run_dbt(wh)                       # `dbt build`; raises DbtBuildError on any failure
    rows = query(wh, "select * from marts.fct_cases")

The raw layer is laid out as the load pipeline writes it (docs/architecture.md): schema
``raw`` with one table per source table, the contract's columns, every column VARCHAR
(values are written as ``str(value)``; ``None`` is NULL); tables not given are created
empty. ``reference.hs_nomenclature`` is always created, empty unless rows are given.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from antismuggling import changes
from antismuggling.config import next_snapshot_path
from antismuggling.publish import attach_next_snapshot

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
SHARED_HS_CSV = PROJECT_ROOT.parent / "shared" / "reference" / "hs2022" / "harmonized-system.csv"

# Columns of every source table, in the operational-store contract's order.
RAW_COLUMNS: dict[str, tuple[str, ...]] = {
    "formations": ("formation_code", "name", "kind", "region", "city", "parent_code", "created_at", "updated_at"),
    "officers": ("officer_id", "service_no", "full_name", "designation", "created_at", "updated_at", "deleted_at"),
    "officer_postings": (
        "posting_id", "officer_id", "formation_code", "posted_from", "posted_to", "created_at", "updated_at",
    ),
    "locations": (
        "location_id", "name", "kind", "district", "province", "country", "latitude", "longitude",
        "created_at", "updated_at",
    ),
    "cases": (
        "case_id", "case_no", "formation_code", "seizure_at", "seizure_location_id", "origin_location_id",
        "destination_location_id", "route_via", "detection_method", "offence_nature", "legal_sections", "status",
        "adjudication_outcome", "adjudicated_on", "redemption_fine_pkr", "personal_penalty_pkr", "fir_no",
        "remarks", "created_at", "updated_at", "deleted_at",
    ),
    "seizure_items": (
        "item_id", "case_id", "hs_code", "description", "quantity", "unit", "value_pkr", "origin_country",
        "concealment", "created_at", "updated_at", "deleted_at",
    ),
    "case_vehicles": (
        "case_vehicle_id", "case_id", "registration_no", "chassis_no", "engine_no", "make", "model", "colour",
        "model_year", "vehicle_type", "involvement", "confiscated_u_s_157", "value_pkr",
        "created_at", "updated_at", "deleted_at",
    ),
    "case_persons": (
        "case_person_id", "case_id", "cnic", "passport_no", "full_name", "father_name", "gender", "date_of_birth",
        "nationality", "home_district", "role", "custody_status", "created_at", "updated_at", "deleted_at",
    ),
    "case_officers": ("case_id", "officer_id", "role", "created_at", "updated_at", "deleted_at"),
}
HS_COLUMNS = ("section", "hscode", "description", "parent", "level")


class DbtBuildError(RuntimeError):
    """dbt did not finish successfully; the message lists what failed."""


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _create_table(con: duckdb.DuckDBPyConnection, qualified: str, columns: Sequence[str],
                  rows: Iterable[Mapping[str, Any]]) -> None:
    con.execute(f"create or replace table {qualified} ({', '.join(f'{c} varchar' for c in columns)})")
    rows = list(rows)
    for row in rows:
        unknown = set(row) - set(columns)
        if unknown:
            raise ValueError(f"{qualified}: unknown columns {sorted(unknown)}")
    if rows:
        con.executemany(
            f"insert into {qualified} values ({', '.join('?' for _ in columns)})",
            [[_text(row.get(c)) for c in columns] for row in rows],
        )


def write_raw(warehouse: Path, raw: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
              hs_reference: Iterable[Mapping[str, Any]] | None = None) -> None:
    """(Re)write every raw table and reference.hs_nomenclature of an existing or new warehouse."""
    raw = dict(raw or {})
    unknown = set(raw) - set(RAW_COLUMNS)
    if unknown:
        raise ValueError(f"unknown raw tables {sorted(unknown)}")
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("create schema if not exists raw")
        con.execute("create schema if not exists reference")
        for table, columns in RAW_COLUMNS.items():
            _create_table(con, f"raw.{table}", columns, raw.get(table, ()))
        _create_table(con, "reference.hs_nomenclature", HS_COLUMNS, hs_reference or ())
        # every table is new: the next build rebuilds every case (antismuggling.changes)
        changes.ensure_tables(con)
        changes.record_all(con, "tests")
    finally:
        con.close()


def make_warehouse(directory: Path, raw: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
                   hs_reference: Iterable[Mapping[str, Any]] | None = None,
                   name: str = "build.duckdb") -> Path:
    """A new warehouse file in `directory` holding the given raw rows. Returns its path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    warehouse = directory / name
    warehouse.unlink(missing_ok=True)
    next_snapshot_path(warehouse).unlink(missing_ok=True)  # the marts a build before this one made
    write_raw(warehouse, raw, hs_reference)
    return warehouse


@contextmanager
def hand_built_marts(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the database dbt builds ``warehouse``'s marts in (schema ``marts`` made),
    for a test that writes marts by hand for a publication to copy; closed on leaving."""
    Path(warehouse).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(next_snapshot_path(Path(warehouse))))
    try:
        con.execute("create schema if not exists marts")
        yield con
    finally:
        con.close()


def shared_hs_rows(codes: Iterable[str] | None = None, path: Path = SHARED_HS_CSV) -> list[dict[str, str]]:
    """Rows of the shared full HS nomenclature CSV (BOM-tolerant), optionally only `codes`."""
    wanted = None if codes is None else set(codes)
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return [row for row in csv.DictReader(fh) if wanted is None or row["hscode"] in wanted]


def run_dbt(warehouse: Path, args: Sequence[str] = ("build",), *, work_dir: Path | None = None,
            memory_limit: str | None = None, project_dir: Path = DBT_PROJECT_DIR):
    """Run dbt in-process against `warehouse` (default: `dbt build` of the project, or of another
    `project_dir` through the project's profile); raise DbtBuildError on failure.

    target/ and logs/ go to a temporary directory (or `work_dir`), so parallel runs never
    share state. Returns the dbtRunnerResult.
    """
    from dbt.cli.main import dbtRunner  # imported lazily: dbt is slow to import

    from antismuggling.defs.project import dbt_warehouse_environment

    limit = {"memory_limit": memory_limit} if memory_limit else {}
    os.environ.update(dbt_warehouse_environment(Path(warehouse).resolve(), **limit))
    with tempfile.TemporaryDirectory(prefix="dbt-run-", dir=work_dir) as tmp:
        cli_args = [
            *args,
            "--project-dir", str(project_dir),
            "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(Path(tmp) / "target"),
            "--log-path", str(Path(tmp) / "logs"),
            "--no-use-colors",
            "--quiet",
        ]
        try:
            result = dbtRunner().invoke(cli_args)
        finally:
            release_dbt_connection()
    if not result.success:
        raise DbtBuildError(_describe_failure(result))
    return result


def release_dbt_connection() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after an in-process run.

    Without this, opening the same file again in the process (read-only, or with other
    settings) fails with "Can't open a connection to same database file with a different
    configuration".
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
        if env is not None:
            env.close()


def _describe_failure(result) -> str:
    if result.exception is not None:
        return f"dbt raised: {result.exception!r}"
    failures = []
    for node_result in getattr(result.result, "results", None) or []:
        status = str(getattr(node_result, "status", ""))
        if status.lower() not in {"success", "pass", "warn", "skipped"}:
            failures.append(f"{node_result.node.unique_id}: {status}: {node_result.message}")
    return "dbt build failed:\n" + ("\n".join(failures) or "(no node failures reported)")


def connect(warehouse: Path, *, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse that reads its marts and feeds as ``marts.<table>`` and
    ``feeds.<table>`` (they are built in a database of their own)."""
    con = duckdb.connect(str(warehouse), read_only=read_only)
    attach_next_snapshot(con, Path(warehouse), read_only=read_only)
    return con


def query(warehouse: Path, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
    """Run one SELECT on the warehouse (read-only, ``connect``); rows as dicts."""
    con = connect(warehouse)
    try:
        cursor = con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    finally:
        con.close()
